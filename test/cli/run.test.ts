/**
 * The wamp-sessions command (src/cli), in-process through runCli(). Against fox-wamp (through the
 * details proxy, which adds the authid/authrole fox never reports) for the happy paths and drops;
 * against a scripted WAMP endpoint for what fox cannot do (ticket auth, denied calls and
 * subscriptions, unknown realms: fox creates any realm on demand).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import autobahn from 'autobahn';
import { WebSocketServer, type WebSocket } from 'ws';
import { command, start } from '../helpers/cli';
import { startDetailsProxy, type DetailsProxy } from '../helpers/details-proxy';
import type { FoxRouterHandle } from '../helpers/fox-router';
import { connect, defer, startRouter } from '../helpers/teardown';

autobahn.log.warn = () => {};

async function realm(): Promise<{ router: FoxRouterHandle; proxy: DetailsProxy }> {
  const router = await startRouter();
  const proxy = await startDetailsProxy(router);
  defer(() => proxy.close());
  return { router, proxy };
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
const HELLO = 1;
const AUTHENTICATE = 5;
const CALL = 48;
const SUBSCRIBE = 32;
const ERROR = 8;

describe('one-shot commands', () => {
  test('count, list, get and kill print their answer and exit 0', async () => {
    const { router, proxy } = await realm();
    const alice = await connect(router, { authid: 'alice', authrole: 'user' });
    const bob = await connect(router, { authid: 'bob', authrole: 'admin' });
    const [aliceId, bobId] = [alice.session.id!, bob.session.id!];

    // fox counts its internal session and ours too (ROUTERS.md): alice, bob, internal, command.
    expect(await command(['count', '--url', proxy.url])).toEqual({ code: 0, out: ['4'], err: [] });

    const list = await command(['list', '--url', proxy.url]);
    expect(list.code).toBe(0);
    expect(list.out).toEqual(
      expect.arrayContaining([`${aliceId} alice/user anonymous`, `${bobId} bob/admin anonymous`, expect.stringMatching(/^\d+ \?\/anonymous anonymous \(self\)$/)]),
    );
    expect(list.out).toHaveLength(3); // fox's internal session is no client: no_such_session, skipped

    expect(await command(['get', String(aliceId), '--url', proxy.url])).toEqual({
      code: 0,
      out: [`session    ${aliceId}`, 'authid     alice', 'authrole   user', 'authmethod anonymous'],
      err: [],
    });

    const closed = bob.nextClose();
    const kill = await command(['kill', String(bobId), '--url', proxy.url, '--reason', 'com.example.kicked', '--message', 'bye']);
    expect(kill).toEqual({ code: 0, out: [`killed 1 session: ${bobId}`], err: [] });
    expect((await closed).details).toMatchObject({ reason: 'com.example.kicked', message: 'bye' });
  });

  test('--json prints one JSON document: count, list, get and the kill results', async () => {
    const { router, proxy } = await realm();
    const alice = await connect(router, { authid: 'alice', authrole: 'user' });
    const carol = await connect(router, { authid: 'carol', authrole: 'admin' });
    const [aliceId, carolId] = [alice.session.id, carol.session.id]; // null once killed
    const json = async (...argv: string[]) => {
      const result = await command([...argv, '--url', proxy.url, '--json']);
      expect(result).toMatchObject({ code: 0, err: [] });
      expect(result.out).toHaveLength(1);
      return JSON.parse(result.out[0]!) as unknown;
    };
    expect(await json('count')).toEqual({ count: 4 });
    const list = (await json('list')) as Array<{ session: number; authid?: string }>;
    expect(list.map((s) => s.authid).sort()).toEqual(['alice', 'carol', undefined]);
    expect(list.find((s) => s.authid === 'alice')).toEqual({ session: aliceId, authid: 'alice', authrole: 'user', authmethod: 'anonymous' });
    expect(await json('get', String(carolId))).toEqual({ session: carolId, authid: 'carol', authrole: 'admin', authmethod: 'anonymous' });
    // The fox harness answers kill_by_* as Crossbar does: the killed ids.
    expect(await json('kill-authrole', 'admin')).toEqual({ count: 1, sessions: [carolId] });
    expect(await json('kill-authid', 'alice', '--reason', 'com.example.bye')).toEqual({ count: 1, sessions: [aliceId] });
    expect(await json('kill-authid', 'nobody')).toEqual({ count: 0, sessions: [] });
  });

  test('kill-all on a router without wamp.session.kill_all is one error line, exit 1', async () => {
    const { proxy } = await realm();
    expect(await command(['kill-all', '--url', proxy.url])).toEqual({
      code: 1,
      out: [],
      err: ['error: the router does not offer wamp.session.kill_all (no Session Meta API, or not this part of it)'],
    });
  });

  test('an unknown session id is one error line, exit 1', async () => {
    const { proxy } = await realm();
    expect(await command(['get', '1234567', '--url', proxy.url])).toEqual({ code: 1, out: [], err: ['error: no session 1234567 on the router'] });
  });

  test('arguments the SDK refuses are bad usage (exit 2), and nothing is killed', async () => {
    const { router, proxy } = await realm();
    const victim = await connect(router);
    expect(await command(['get', '0', '--url', proxy.url])).toEqual({
      code: 2,
      out: [],
      err: ['error: invalid argument: id must be a session id (an integer in [1, 2^53])'],
    });
    const badReason = await command(['kill', String(victim.session.id), '--reason', 'not a uri', '--url', proxy.url]);
    expect(badReason).toEqual({ code: 2, out: [], err: ['error: invalid argument: options.reason must be a WAMP URI such as "com.example.kicked"'] });
    expect(router.sessionIds()).toContain(victim.session.id);
  });

  test('--authroles is sent as the filter of count and list', async () => {
    const router = await scriptedRouter((frame, send) => {
      if (frame[0] === HELLO) send(WELCOME);
      if (frame[0] === CALL) send([50, frame[1], {}, frame[3] === 'wamp.session.count' ? [2] : [[]]]);
    });
    expect(await command(['count', '--authroles', 'user,admin', '--url', router.url])).toEqual({ code: 0, out: ['2'], err: [] });
    expect(await command(['list', '--authroles', 'user', '--url', router.url])).toEqual({ code: 0, out: [], err: [] });
    const calls = router.received.filter((f) => f[0] === CALL).map((f) => JSON.stringify(f.slice(3)));
    expect(calls).toEqual([expect.stringContaining('["user","admin"]'), expect.stringContaining('["user"]')]);
  });
});

describe('watch, piped: one line per change', () => {
  test('logs joins and leaves with authid/authrole, and a status line counting by authrole', async () => {
    const { router, proxy } = await realm();
    const m = start(['watch', '--url', proxy.url]);
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
    const m = start(['watch', '--url', proxy.url]);
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

  test('stops when stopped while the router is down', async () => {
    const { router, proxy } = await realm();
    const m = start(['watch', '--url', proxy.url]);
    await m.lines.waitFor(/^= live/);
    await router.stop();
    await m.lines.waitFor(/^= stale/);
    expect(await m.stop()).toBe(0);
  });

  test('ends with one error line, exit 1, when its own session is killed', async () => {
    const { router, proxy } = await realm();
    const m = start(['watch', '--url', proxy.url]);
    const [, id] = (await m.lines.waitFor(/as session (\d+)$/)).match(/as session (\d+)$/)!;
    const killer = await connect(router);
    await killer.session.call('wamp.session.kill', [Number(id)], { reason: 'com.example.kicked', message: 'go away' });
    expect(await m.done).toBe(1);
    expect(m.lines.err).toEqual(['error: the router closed the session (com.example.kicked: go away)']);
  });

  test('shows sync progress on a large set, then every session of the first sync', async () => {
    const { router, proxy } = await realm();
    await Promise.all(Array.from({ length: 120 }, (_, i) => connect(router, { authid: `user-${i}`, authrole: 'user' })));
    const m = start(['watch', '--url', proxy.url]);
    await m.lines.waitFor(/^= live · 121 sessions · anonymous 1, user 120$/, { timeoutMs: 8000 });
    const progress = m.lines.out.filter((l) => l.startsWith('= syncing ·'));
    expect(progress.length).toBeGreaterThanOrEqual(2);
    for (const line of progress) expect(line).toMatch(/^= syncing · \d+\/12[12] sessions fetched$/);
    expect(m.lines.out.filter((l) => l.startsWith('+ joined '))).toHaveLength(121);
    expect(await m.stop()).toBe(0);
  });

  test('a denied subscription ends watch with one NotAuthorizedError line, exit 1', async () => {
    const router = await scriptedRouter((frame, send) => {
      if (frame[0] === HELLO) send(WELCOME);
      if (frame[0] === SUBSCRIBE) send([ERROR, SUBSCRIBE, frame[1], {}, 'wamp.error.not_authorized', ['no meta events for you']]);
    });
    const m = start(['watch', '--url', router.url]);
    expect(await m.done).toBe(1);
    expect(m.lines.err).toEqual([expect.stringMatching(/^error: not authorized to use wamp\.session\.on_(join|leave) \(no meta events for you\)$/)]);
  });
});

describe('watch --json: NDJSON', () => {
  test('connected, then every change and each new status or size, one JSON object per line', async () => {
    const { router, proxy } = await realm();
    const m = start(['watch', '--json', '--url', proxy.url]);
    await m.lines.waitFor(/"type":"status","status":"live","size":1/);
    const alice = await connect(router, { authid: 'alice', authrole: 'user' });
    const aliceId = alice.session.id;
    await m.lines.waitFor(/"size":2/);
    await alice.close();
    await m.lines.waitFor(/"type":"left"/);
    expect(await m.stop()).toBe(0);

    const records = m.lines.out.map((line) => JSON.parse(line) as { type: string; session?: unknown });
    const self = (records[0] as { session: number }).session;
    expect(records).toEqual([
      { type: 'connected', url: proxy.url, realm: 'realm1', session: self },
      { type: 'status', status: 'syncing', size: 0 },
      { type: 'joined', session: { session: self, authrole: 'anonymous', authmethod: 'anonymous' } },
      { type: 'status', status: 'live', size: 1 },
      { type: 'joined', session: { session: aliceId, authid: 'alice', authrole: 'user', authmethod: 'anonymous', transport: { protocol: 'wamp.2.json' } } },
      { type: 'status', status: 'live', size: 2 },
      { type: 'left', session: { session: aliceId, authid: 'alice', authrole: 'user', authmethod: 'anonymous', transport: { protocol: 'wamp.2.json' } } },
      { type: 'status', status: 'live', size: 1 },
    ]);
  });
});

describe('watch on a terminal: a live table', () => {
  test('draws the table on the alternate screen, redraws on changes, and restores the screen at the end', async () => {
    const { router, proxy } = await realm();
    let screen = '';
    const stdout = { isTTY: true, columns: 100, rows: 30, write: (text: string) => void (screen += text) };
    const m = start(['watch', '--url', proxy.url], { stdout });
    const until = async (pattern: RegExp) => {
      while (!pattern.test(screen)) await new Promise((resolve) => setTimeout(resolve, 20));
    };
    await until(/LIVE · 1 session/);
    expect(screen.startsWith('\x1b[?1049h')).toBe(true);
    await connect(router, { authid: 'alice', authrole: 'user' });
    await until(/LIVE · 2 sessions/);
    const frame = screen.slice(screen.lastIndexOf('\x1b[H'));
    expect(frame).toContain('by authrole: anonymous 1 · user 1');
    expect(frame).toMatch(/\n\d+ +alice +user +anonymous/);
    expect(frame).toMatch(/\d\d:\d\d:\d\d \+ \d+ alice\/user/);
    expect(await m.stop()).toBe(0);
    expect(screen.endsWith('\x1b[?25h\x1b[?1049l')).toBe(true);
  });
});

describe('one-line errors', () => {
  test('an unreachable router', async () => {
    const url = `ws://127.0.0.1:${await closedPort()}`;
    const unreachable = `error: cannot reach a WAMP router at ${url} (connection refused or not a WAMP WebSocket endpoint)`;
    expect(await command(['count', '--url', url])).toEqual({ code: 1, out: [], err: [unreachable] });
    // watch too: it fails at once instead of retrying a router that was never there.
    expect(await command(['watch', '--url', url])).toEqual({ code: 1, out: [], err: [unreachable] });
  });

  test('a realm name that is not a WAMP URI is refused before connecting (fox-wamp would crash on it)', async () => {
    const { router, proxy } = await realm();
    expect(await command(['count', '--url', proxy.url, '--realm', 'Bad Realm!'])).toEqual({
      code: 2,
      out: [],
      err: ['error: invalid realm "Bad Realm!": a realm is a WAMP URI such as realm1 (lowercase letters, digits, _ and dots) (see wamp-sessions --help)'],
    });
    expect(router.sessionIds()).toEqual([]);
  });

  test('a realm the router does not have (wamp.error.no_such_realm)', async () => {
    // fox-wamp creates any realm on demand, so this is Crossbar's answer (an ABORT to HELLO).
    const router = await scriptedRouter((frame, send) => {
      if (frame[0] === HELLO) send([3, { message: `no realm "${String(frame[1])}"` }, 'wamp.error.no_such_realm']);
    });
    expect((await command(['count', '--url', router.url, '--realm', 'realm9'])).err).toEqual([
      `error: realm "realm9" does not exist on the router at ${router.url}: no realm "realm9"`,
    ]);
  });

  test('a denied call (NotAuthorizedError)', async () => {
    const router = await scriptedRouter((frame, send) => {
      if (frame[0] === HELLO) send(WELCOME);
      if (frame[0] === CALL) send([ERROR, CALL, frame[1], {}, 'wamp.error.not_authorized', ['role "guest" may not call it']]);
    });
    expect(await command(['count', '--url', router.url])).toEqual({
      code: 1,
      out: [],
      err: ['error: not authorized to use wamp.session.count (role "guest" may not call it)'],
    });
  });

  describe('tickets', () => {
    const ticket = 's3cret-T1cket';
    /** Challenges for a ticket and refuses it, echoing it back (as a careless router might). */
    const refusingRouter = () =>
      scriptedRouter((frame, send) => {
        if (frame[0] === HELLO) send([4, 'ticket', {}]); // CHALLENGE
        if (frame[0] === AUTHENTICATE) send([3, { message: `invalid ticket ${String(frame[1])}` }, 'wamp.error.authentication_failed']);
      });
    const refused = { code: 1, out: [], err: ['error: authentication failed for realm "realm1" (wamp.error.authentication_failed: invalid ticket ***)'] };

    test('from WAMP_TICKET: sent, and never printed even when the router echoes it', async () => {
      const router = await refusingRouter();
      expect(await command(['count', '--url', router.url, '--authid', 'alice'], { env: { WAMP_TICKET: ticket } })).toEqual(refused);
      const [hello, authenticate] = router.received;
      expect(hello).toEqual([HELLO, 'realm1', expect.objectContaining({ authmethods: ['ticket'], authid: 'alice' })]);
      expect(authenticate).toEqual([AUTHENTICATE, ticket, {}]);
    });

    test('from --ticket-file (one trailing newline ignored)', async () => {
      const router = await refusingRouter();
      const dir = mkdtempSync(path.join(os.tmpdir(), 'wamp-sessions-'));
      defer(() => rmSync(dir, { recursive: true, force: true }));
      const file = path.join(dir, 'ticket');
      writeFileSync(file, `${ticket}\n`, { mode: 0o600 });
      expect(await command(['count', '--url', router.url, '--authid', 'alice', '--ticket-file', file])).toEqual(refused);
      expect(router.received[1]).toEqual([AUTHENTICATE, ticket, {}]);
    });

    test('never from the command line, and never without an authid', async () => {
      expect(await command(['count', `--ticket=${ticket}`])).toEqual({
        code: 2,
        out: [],
        err: ['error: --ticket is not accepted (other users can read command lines): set WAMP_TICKET or use --ticket-file (see wamp-sessions --help)'],
      });
      expect(await command(['count'], { env: { WAMP_TICKET: ticket } })).toEqual({
        code: 2,
        out: [],
        err: ['error: a ticket (WAMP_TICKET) needs --authid (see wamp-sessions --help)'],
      });
      expect(await command(['count', '--authid', 'a', '--ticket-file', '/nonexistent/ticket'])).toEqual({
        code: 1,
        out: [],
        err: ['error: cannot read the ticket file /nonexistent/ticket (ENOENT)'],
      });
    });
  });
});

describe('help and version', () => {
  test('--help prints the usage, --version the version; both exit 0', async () => {
    const help = await command(['--help']);
    expect(help.code).toBe(0);
    expect(help.out[0]).toBe('usage: wamp-sessions <command> [options]');
    expect(help.out.join('\n')).toContain('kill-authrole <role>');
    expect(await command(['list', '-V'])).toEqual({ code: 0, out: ['0.0.0-test'], err: [] });
  });
});
