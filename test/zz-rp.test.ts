import { startRouterProcess } from './helpers/router-process';
import { connectClient } from './helpers/fox-router';
test('rp', async () => {
  const t = Date.now();
  const r = await startRouterProcess();
  console.log('started in', Date.now() - t, r.port, r.pid);
  const c = await connectClient(r.url);
  console.log(await c.session.call('wamp.session.count'));
  const closed = c.nextClose();
  await r.kill();
  console.log('closed', (await closed).reason);
  const t2 = Date.now();
  await r.start();
  console.log('restarted in', Date.now() - t2, r.pid);
  const c2 = await connectClient(r.url);
  console.log(await c2.session.call('wamp.session.count'));
  await c2.close();
  await r.kill();
});
