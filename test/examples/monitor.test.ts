/**
 * The node monitor example (examples/node-monitor/monitor.ts), in-process through runMonitor().
 * Against fox-wamp (through the details proxy, which adds the authid/authrole fox never reports)
 * for the happy paths and drops; against a scripted WAMP endpoint for what fox cannot do (ticket
 * auth, denied calls and subscriptions, unknown realms: fox creates any realm on demand).
 */
import type { AddressInfo } from 'node:net';
import autobahn from 'autobahn';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseMonitorArgs, runMonitor, type MonitorOptions } from '../../examples/node-monitor/monitor';
import { startDetailsProxy, type DetailsProxy } from '../helpers/details-proxy';
import type { FoxRouterHandle } from '../helpers/fox-router';
import { OutputLines } from '../helpers/output-lines';
import { connect, defer, startRouter } from '../helpers/teardown';

autobahn.log.warn = () => {};

async function realm(): Promise<{ router: FoxRouterHandle; proxy: DetailsProxy }> {
  const router = await startRouter();
  const proxy = await startDetailsProxy(router);
  defer(() => proxy.close());
  return { router, proxy };
}

/** Runs one command to its end. */
async function run(options: MonitorOptions): Promise<{ code: number; out: string[]; err: string[] }> {
  const lines = new OutputLines();
  const code = await runMonitor({ ...options, out: lines.writeOut, err: lines.writeErr });
  return { code, out: lines.out, err: lines.err };
}

/** Starts `watch`; stop() ends it and resolves with its exit code. */
function watch(url: string, extra: MonitorOptions = {}) {
  const lines = new OutputLines();
  const abort = new AbortController();
  const done = runMonitor({ url, ...extra, out: lines.writeOut, err: lines.writeErr, signal: abort.signal });
  defer(() => (abort.abort(), done));
  return { lines, done, stop: () => (abort.abort(), done) };
}

/** A closed port on 127.0.0.1: listen, note the port, close. */
async function closedPort(): Promise<number> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

type Frame = [number, ...unknown[]];

/**
 * A WAMP endpoint that answers from a script (raw WAMP JSON frames), for router behaviour fox-wamp
 * does not have. Records every frame it receives.
 */
async function scriptedRouter(answer: (frame: Frame, send: (frame: Frame) => void) => void) {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, handleProtocols: () => 'wamp.2.json' });
  await new Promise((resolve) => server.once('listening', resolve));
  const received: Frame[] = [];
  server.on('connection', (ws: WebSocket) => {
    ws.on('message', (data) => {
      const frame = JSON.parse(String(data)) as Frame;
      received.push(frame);
      if (frame[0] === 6) return ws.close(1000); // GOODBYE: done
      answer(frame, (reply) => ws.send(JSON.stringify(reply)));
    });
  });
  defer(async () => {
    for (const ws of server.clients) ws.terminate();
    await new Promise((resolve) => server.close(resolve));
  });
  return { url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

const WELCOME: Frame = [2, 4242, { roles: { broker: {}, dealer: {} } }];

describe('one-shot commands', () => {
  test('count, list, get and kill print their answer and exit 0', async () => {
    const { router, proxy } = await realm();
    const alice = await connect(router, { authid: 'alice', authrole: 'user' });
    const bob = await connect(router, { authid: 'bob', authrole: 'admin' });
    const [aliceId, bobId] = [alice.session.id!, bob.session.id!];

    // fox counts its internal session and ours too (ROUTERS.md): alice, bob, internal, monitor.
    expect(await run({ url: proxy.url, command: { name: 'count' } })).toEqual({ code: 0, out: ['4'], err: [] });

    const list = await run({ url: proxy.url, command: { name: 'list' } });
    expect(list.code).toBe(0);
    expect(list.out).toEqual(
      expect.arrayContaining([`${aliceId} alice/user anonymous`, `${bobId} bob/admin anonymous`, expect.stringMatching(/^\d+ \?\/anonymous \(this monitor\) anonymous$/)]),
    );
    expect(list.out).toHaveLength(3); // fox's internal session is no client: no_such_session, skipped

    expect(await run({ url: proxy.url, command: { name: 'get', id: aliceId } })).toEqual({
      code: 0,
      out: [`session    ${aliceId}`, 'authid     alice', 'authrole   user', 'authmethod anonymous'],
      err: [],
    });

    const closed = bob.nextClose();
    const kill = await run({ url: proxy.url, command: { name: 'kill', id: bobId, reason: 'com.example.kicked', message: 'bye' } });
    expect(kill).toEqual({ code: 0, out: [`killed ${bobId}`], err: [] });
    expect((await closed).details).toMatchObject({ reason: 'com.example.kicked', message: 'bye' });
  });

  test('an unknown session id is one error line, exit 1', async () => {
    const { proxy } = await realm();
    expect(await run({ url: proxy.url, command: { name: 'get', id: 1234567 } })).toEqual({
      code: 1,
      out: [],
      err: ['error: no session 1234567 on the router'],
    });
  });

  test('bad arguments are one InvalidArgumentError line, exit 1, and nothing is killed', async () => {
    const { router, proxy } = await realm();
    const victim = await connect(router);
    const badId = await run({ url: proxy.url, command: { name: 'get', id: Number('abc') } });
    expect(badId).toEqual({ code: 1, out: [], err: ['error: invalid argument: id must be a session id (an integer in [1, 2^53])'] });

    const badReason = await run({ url: proxy.url, command: { name: 'kill', id: victim.session.id!, reason: 'not a uri' } });
    expect(badReason.err).toEqual(['error: invalid argument: options.reason must be a WAMP URI such as "com.example.kicked"']);
    expect(badReason.code).toBe(1);
    expect(router.sessionIds()).toContain(victim.session.id);
  });
});

describe('watch', () => {
  test('logs joins and leaves with authid/authrole, and a status line counting by authrole', async () => {
    const { router, proxy } = await realm();
    const m = watch(proxy.url);
    await m.lines.waitFor(/^= live · 1 session · anonymous 1$/);
    expect(m.lines.out[0]).toMatch(new RegExp(`^connected to ${proxy.url}, realm realm1, as session \\d+$`));
    expect(m.lines.out).toContainEqual(expect.stringMatching(/^\+ joined \d+ \?\/anonymous \(this monitor\)$/));

    const from = m.lines.out.length;
    const alice = await connect(router, { authid: 'alice', authrole: 'user' });
    const id = alice.session.id;
    await m.lines.waitFor(new RegExp(`^\\+ joined ${id} alice/user$`), { from });
    await m.lines.waitFor(/^= live · 2 sessions · anonymous 1, user 1$/, { from });

    await alice.close();
    await m.lines.waitFor(new RegExp(`^- left   ${id} alice/user$`), { from });
    await m.lines.waitFor(/^= live · 1 session · anonymous 1$/, { from: m.lines.out.length - 1 });
    expect(await m.stop()).toBe(0);
    expect(m.lines.err).toEqual([]);
  });

  test('goes stale when the router drops, keeps the last known set, and is live again when it returns', async () => {
    const { router, proxy } = await realm();
    await connect(router, { authid: 'alice', authrole: 'user' }); // dropped with the router
    const m = watch(proxy.url);
    await m.lines.waitFor(/^= live · 2 sessions/);

    await router.stop();
    await m.lines.waitFor(/^= stale · 2 sessions \(last known\) · anonymous 1, user 1$/);
    await router.restart();
    const from = m.lines.out.length;
    await m.lines.waitFor(/^= syncing…$/, { from, timeoutMs: 8000 });
    await m.lines.waitFor(/^= live · 1 session · anonymous 1$/, { from });
    // The minimal difference: alice and the old monitor session left, the new monitor session joined.
    expect(m.lines.out.slice(from).filter((l) => /^[+-] /.test(l))).toHaveLength(3);
    expect(await m.stop()).toBe(0);
  });

  test('stops promptly when stopped while the router is down', async () => {
    const { router, proxy } = await realm();
    const m = watch(proxy.url);
    await m.lines.waitFor(/^= live/);
    await router.stop();
    await m.lines.waitFor(/^= stale/);
    const t0 = Date.now();
    expect(await m.stop()).toBe(0);
    expect(Date.now() - t0).toBeLessThan(300);
  });

  test('ends with one error line, exit 1, when its own session is killed', async () => {
    const { router, proxy } = await realm();
    const m = watch(proxy.url);
    const [, id] = (await m.lines.waitFor(/as session (\d+)$/)).match(/as session (\d+)$/)!;
    const killer = await connect(router);
    await killer.session.call('wamp.session.kill', [Number(id)], { reason: 'com.example.kicked', message: 'go away' });
    expect(await m.done).toBe(1);
    expect(m.lines.err).toEqual(['error: the router closed the session (com.example.kicked: go away)']);
  });

  test('shows sync progress on a large set', async () => {
    const { router, proxy } = await realm();
    await Promise.all(Array.from({ length: 120 }, (_, i) => connect(router, { authid: `user-${i}`, authrole: 'user' })));
    const m = watch(proxy.url);
    await m.lines.waitFor(/^= live · 121 sessions · anonymous 1, user 120$/, { timeoutMs: 8000 });
    const progress = m.lines.out.filter((l) => l.startsWith('= syncing ·'));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const line of progress) expect(line).toMatch(/^= syncing · \d+\/12[12] sessions fetched$/);
    // The first sync's 121 joins are summarized, not listed one by one.
    expect(m.lines.out).toContain('  … and 101 more changes');
    expect(await m.stop()).toBe(0);
  });

  test('a denied subscription ends watch with one NotAuthorizedError line, exit 1', async () => {
    const router = await scriptedRouter((frame, send) => {
      if (frame[0] === 1) send(WELCOME);
      if (frame[0] === 32) send([8, 32, frame[1], {}, 'wamp.error.not_authorized', ['no meta events for you']]);
    });
    const m = watch(router.url);
    expect(await m.done).toBe(1);
    expect(m.lines.err).toEqual([expect.stringMatching(/^error: not authorized to use wamp\.session\.on_(join|leave) \(no meta events for you\)$/)]);
  });
});

describe('one-line errors', () => {
  test('an unreachable router', async () => {
    const url = `ws://127.0.0.1:${await closedPort()}`;
    expect(await run({ url, command: { name: 'count' } })).toEqual({
      code: 1,
      out: [],
      err: [`error: cannot reach a WAMP router at ${url} (connection refused or not a WAMP WebSocket endpoint)`],
    });
    // watch too: it fails at once instead of retrying a router that was never there.
    expect((await run({ url })).err).toHaveLength(1);
  });

  test('a realm name that is not a WAMP URI is refused before connecting (fox-wamp would crash on it)', async () => {
    const { router, proxy } = await realm();
    const result = await run({ url: proxy.url, realm: 'Bad Realm!', command: { name: 'count' } });
    expect(result).toEqual({
      code: 2,
      out: [],
      err: ['error: invalid realm "Bad Realm!": a realm is a WAMP URI such as realm1 (lowercase letters, digits, _ and dots)'],
    });
    expect(router.sessionIds()).toEqual([]);
  });

  test('a realm the router does not have (wamp.error.no_such_realm)', async () => {
    // fox-wamp creates any realm on demand, so this is Crossbar's answer (an ABORT to HELLO).
    const router = await scriptedRouter((frame, send) => {
      if (frame[0] === 1) send([3, { message: `no realm "${String(frame[1])}"` }, 'wamp.error.no_such_realm']);
    });
    expect((await run({ url: router.url, realm: 'realm9', command: { name: 'count' } })).err).toEqual([
      `error: realm "realm9" does not exist on the router at ${router.url}: no realm "realm9"`,
    ]);
  });

  test('a denied call (NotAuthorizedError)', async () => {
    const router = await scriptedRouter((frame, send) => {
      if (frame[0] === 1) send(WELCOME);
      if (frame[0] === 48) send([8, 48, frame[1], {}, 'wamp.error.not_authorized', ['role "guest" may not call it']]);
    });
    expect(await run({ url: router.url, command: { name: 'count' } })).toEqual({
      code: 1,
      out: [],
      err: ['error: not authorized to use wamp.session.count (role "guest" may not call it)'],
    });
  });

  test('ticket auth sends the ticket and never prints it, even when the router echoes it', async () => {
    const ticket = 's3cret-T1cket';
    const router = await scriptedRouter((frame, send) => {
      if (frame[0] === 1) send([4, 'ticket', {}]); // CHALLENGE
      if (frame[0] === 5) send([3, { message: `invalid ticket ${String(frame[1])}` }, 'wamp.error.authentication_failed']);
    });
    const result = await run({ url: router.url, authid: 'alice', ticket, command: { name: 'count' } });
    const [hello, authenticate] = router.received;
    expect(hello).toEqual([1, 'realm1', expect.objectContaining({ authmethods: ['ticket'], authid: 'alice' })]);
    expect(authenticate).toEqual([5, ticket, {}]);
    expect(result).toEqual({
      code: 1,
      out: [],
      err: ['error: authentication failed for realm "realm1" (wamp.error.authentication_failed: invalid ticket ***)'],
    });
  });

  test('command-line mistakes are usage errors that never echo the ticket', () => {
    expect(parseMonitorArgs(['kill', '42', '--reason', 'com.x.y', '--url', 'ws://h:1/ws'])).toEqual({
      command: { name: 'kill', id: 42, reason: 'com.x.y' },
      url: 'ws://h:1/ws',
    });
    expect(parseMonitorArgs([])).toEqual({ command: { name: 'watch' } });
    expect(() => parseMonitorArgs(['frob'])).toThrow('unknown command "frob"');
    expect(() => parseMonitorArgs(['get'])).toThrow('get needs a session id');
    expect(() => parseMonitorArgs(['count', '--reason', 'a.b'])).toThrow('--reason/--message only go with kill');
    expect(() => parseMonitorArgs(['--ticket'])).toThrow('--ticket needs a value');
    expect(() => parseMonitorArgs(['--ticket', 'hunter2', '--tiket', 'x'])).toThrow(/^unknown option --tiket$/);
  });
});
