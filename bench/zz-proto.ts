import '../test/helpers/websocket-global';
import autobahn from 'autobahn';
import { connectClient } from '../test/helpers/fox-router';
import { SessionMeta } from '../dist/index.mjs';
import { spawnTs } from './procs';
import { syncSdk, syncUnbounded, syncNaive } from './sync';
autobahn.log.warn = () => {};
const router = spawnTs('bench/router-process.ts');
const { url } = await router.next<{ url: string }>();
const fleet = spawnTs('bench/fleet-process.ts', [url]);
await fleet.next();
const client = await connectClient(url);
const session = client.session as never;
const meta = new SessionMeta(session);
const N = Number(process.env.N ?? 3000);
console.log(await fleet.ask({ grow: N }));
const variants: Record<string, () => Promise<number>> = {
  sdk16: () => syncSdk(meta, 16), sdk64: () => syncSdk(meta, 64), sdk1000: () => syncSdk(meta, 100000), unb: () => syncUnbounded(session), naive: () => syncNaive(meta),
};
const only = process.env.ONLY?.split(',');
for (let r = 0; r < 3; r++) for (const [name, fn] of Object.entries(variants)) {
  if (only && !only.includes(name)) continue;
  const reps = 10;
  (globalThis as any).gc();
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < reps; i++) await fn();
  const wall = (performance.now() - t0) / reps; const c = process.cpuUsage(c0);
  console.log(name, 'wall ms', wall.toFixed(1), 'cpu ms', ((c.user + c.system) / 1000 / reps).toFixed(1), 'user', (c.user/1000/reps).toFixed(1));
}
meta.dispose(); await client.close();
await fleet.stop(); await router.stop();
