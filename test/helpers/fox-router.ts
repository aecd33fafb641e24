/**
 * Real-router test harness: an in-process fox-wamp router (the only router with a Session Meta API
 * that installs here, ROUTERS.md) plus autobahn clients.
 *
 * fox-wamp 0.7.28 has no `wamp.session.kill*`, so installKillProcedures() adds them through fox
 * internals. Pinned: fox-wamp 0.7.28 — uses
 *   - Router 'connection' event (fox Session) fired synchronously inside the ws server's
 *     'connection' handler of the server listenWAMP() returns: pairs each fox session with its
 *     socket (fox keeps no reference we could reach),
 *   - Session#sessionId and Session#secureDetails (the raw HELLO details; source of authid/authrole),
 *   - BaseRealm#getSessionIds, #getSession, #wampApi().register(uri, cb(qid, args, kwargs)),
 *   - BaseRealm#cmdYield(ctx, {qid, err, data}): WampApi#resrpc can only send
 *     `wamp.error.callee_failure`, cmdYield passes any error URI through,
 *   - realm.engine.qYield.defers (Map qid → ActorCall with getSid()): who called (self-kill),
 *   - realm.engine.matchTrace(uriParts) → subscription actors with getSid().
 * assertFoxInternals() throws a clear error when any of these is gone (version drift).
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import FoxRouter from 'fox-wamp';
import autobahn from 'autobahn';
import type { WebSocket, WebSocketServer } from 'ws';

// ---- the slice of fox-wamp internals we use (typed structurally, see the header) ----

interface HelloDetails {
  authid?: unknown;
  authrole?: unknown;
  authextra?: { role?: unknown };
}

interface FoxSession {
  sessionId: number;
  secureDetails?: HelloDetails;
}

interface FoxActor {
  getSid(): number;
}

interface FoxYieldCtx {
  session: FoxSession;
  getSession(): FoxSession;
}

type FoxInvocationHandler = (qid: number, args: unknown[] | null, kwargs: Record<string, unknown> | null | undefined) => void;

export interface FoxRealm {
  getSessionIds(): number[];
  getSession(id: number): FoxSession | undefined;
  wampApi(): FoxSession & { register(uri: string, cb: FoxInvocationHandler): Promise<unknown> };
  cmdYield(ctx: FoxYieldCtx, cmd: { qid: number; err?: string; data: unknown }): void;
  engine: {
    qYield: { defers: Map<number, FoxActor> };
    matchTrace(uri: string[]): Iterable<FoxActor>;
  };
}

interface FoxRouterInternals {
  getRealm(name: string): Promise<FoxRealm>;
  listenWAMP(options: { host: string; port: number }): WebSocketServer;
  on(event: 'connection', listener: (session: FoxSession) => void): unknown;
}

function assertFoxInternals(router: FoxRouterInternals, realm: FoxRealm, server: WebSocketServer): void {
  const checks: Array<[string, boolean]> = [
    ['Router#on', typeof router.on === 'function'],
    ['listenWAMP() → ws server with .clients', typeof server?.on === 'function' && server.clients instanceof Set],
    ['BaseRealm#getSessionIds/getSession', typeof realm.getSessionIds === 'function' && typeof realm.getSession === 'function'],
    ['BaseRealm#wampApi().register', typeof realm.wampApi === 'function' && typeof realm.wampApi().register === 'function'],
    ['BaseRealm#cmdYield', typeof realm.cmdYield === 'function'],
    ['engine.qYield.defers (Map)', realm.engine?.qYield?.defers instanceof Map],
    ['engine.matchTrace', typeof realm.engine?.matchTrace === 'function'],
  ];
  const missing = checks.filter(([, ok]) => !ok).map(([name]) => name);
  if (missing.length > 0) {
    throw new Error(
      `fox-router harness: fox-wamp internals missing (${missing.join(', ')}). ` +
        'test/helpers/fox-router.ts was written against fox-wamp 0.7.28; re-check it before bumping fox-wamp.',
    );
  }
}

// ---- client sessions: fox session id → socket, plus authid/authrole ----

/** The client (WebSocket) sessions of one router; excludes fox's internal meta session. */
export interface FoxClients {
  sessionIds(): number[];
  socket(sessionId: number): WebSocket | undefined;
  identity(sessionId: number): { authid: string | null; authrole: string };
}

/**
 * fox-wamp only gives authid/authrole to sessions that pass its auth handler, and an auth handler
 * makes every client authenticate. Instead the harness reads them from anonymous HELLO details:
 * `authid` (standard HELLO field) and `authextra.role` (harness convention; a HELLO `authrole`
 * is accepted too). Defaults mirror Crossbar anonymous: role `anonymous`; no authid (Crossbar
 * makes up a random one, which can never match a kill_by_authid anyway).
 */
function identityOf(session: FoxSession | undefined): { authid: string | null; authrole: string } {
  const hello = session?.secureDetails ?? {};
  const role = hello.authextra?.role ?? hello.authrole;
  return {
    authid: typeof hello.authid === 'string' ? hello.authid : null,
    authrole: typeof role === 'string' ? role : 'anonymous',
  };
}

function trackClients(router: FoxRouterInternals, realm: FoxRealm, server: WebSocketServer): FoxClients {
  const sockets = new Map<number, WebSocket>();
  let justCreated: FoxSession | undefined;
  router.on('connection', (session) => {
    if (!('secureDetails' in session)) {
      throw new Error('fox-router harness: fox Session#secureDetails missing (fox-wamp internals changed)');
    }
    justCreated = session;
  });
  // Registered after fox's own listener (added in WampServer's constructor), so fox has just
  // created the session for this socket and announced it through Router 'connection'.
  server.on('connection', (ws: WebSocket) => {
    const session = justCreated;
    justCreated = undefined;
    if (!session) throw new Error('fox-router harness: no fox session for a new socket (fox-wamp internals changed)');
    sockets.set(session.sessionId, ws);
    ws.on('close', () => sockets.delete(session.sessionId));
  });
  return {
    sessionIds: () => realm.getSessionIds().filter((id) => sockets.has(id)),
    socket: (id) => sockets.get(id),
    identity: (id) => identityOf(realm.getSession(id)),
  };
}

// ---- wamp.session.kill* (Crossbar 22.6.1 behaviour, fixtures/crossbar/06..08) ----

const NORMAL = 'wamp.close.normal';

/**
 * Registers `wamp.session.kill`, `kill_by_authid`, `kill_by_authrole` on a fox realm, behaving like
 * Crossbar 22.6.1: RESULT `[null]` / `[[killed ids]]` reaches the caller before the victims'
 * GOODBYE `[6, {message?}, reason || 'wamp.close.normal']`, then the victims' sockets are closed;
 * the caller is not excluded, and a caller that kills itself gets GOODBYE and never a RESULT.
 * Known deviation: Crossbar's argument-type assertion errors (`wamp.error.runtime_error`) carry no
 * args element; fox always sends one, so here they carry a message.
 */
export async function installKillProcedures(realm: FoxRealm, clients: FoxClients): Promise<void> {
  const api = realm.wampApi();
  const ctx: FoxYieldCtx = { session: api, getSession: () => api };

  // fox unwraps a single array argument (ROUTERS.md), so the wire args are wrapped once more.
  const reply = (qid: number, wireArgs: unknown[]) => realm.cmdYield(ctx, { qid, data: { args: [wireArgs] } });
  const fail = (qid: number, uri: string, message: string) => realm.cmdYield(ctx, { qid, err: uri, data: message });

  const goodbye = (sessionId: number, reason: unknown, message: unknown) => {
    const ws = clients.socket(sessionId);
    if (!ws) return;
    const details = typeof message === 'string' ? { message } : {};
    ws.send(JSON.stringify([6, details, typeof reason === 'string' ? reason : NORMAL]));
    // Queued after the GOODBYE frame. Closing now (not after the client's GOODBYE reply) also makes
    // fox drop any later write to this socket, which the self-kill case below relies on.
    ws.close(1000, 'killed');
  };

  const kill = (qid: number, victims: number[], result: unknown[], reason: unknown, message: unknown) => {
    const caller = realm.engine.qYield.defers.get(qid)?.getSid();
    const callerIsVictim = caller !== undefined && victims.includes(caller);
    if (!callerIsVictim) reply(qid, result);
    for (const id of victims) goodbye(id, reason, message);
    // The caller's socket is closing, so this RESULT is dropped (Crossbar sends none); it still has
    // to be yielded: fox runs one invocation at a time per registration and would hang otherwise.
    if (callerIsVictim) reply(qid, result);
  };

  type Params = { first: unknown; reason: unknown; message: unknown; given: boolean };
  const params = (args: unknown[] | null, kwargs: Record<string, unknown> | null | undefined, name: string): Params => {
    const a = Array.isArray(args) ? args : [];
    const kw = kwargs ?? {};
    return {
      first: a[0] ?? kw[name],
      reason: a[1] ?? kw.reason ?? null,
      message: a[2] ?? kw.message ?? null,
      given: a.length > 0 || name in kw,
    };
  };
  const optionalString = (v: unknown) => v === null || typeof v === 'string';
  const missing = (fn: string, name: string) => `RouterServiceAgent.${fn}() missing 1 required positional argument: '${name}'`;

  await api.register('wamp.session.kill', (qid, args, kwargs) => {
    const p = params(args, kwargs, 'session_id');
    if (!p.given) return fail(qid, 'wamp.error.runtime_error', missing('session_kill', 'session_id'));
    if (!Number.isInteger(p.first) || !optionalString(p.reason) || !optionalString(p.message)) {
      return fail(qid, 'wamp.error.runtime_error', 'invalid argument type');
    }
    const id = p.first as number;
    if (!clients.sessionIds().includes(id)) {
      return fail(qid, 'wamp.error.no_such_session', `no session with ID ${id} exists on this router`);
    }
    kill(qid, [id], [null], p.reason, p.message);
  });

  const killBy = (uri: string, fn: string, field: 'authid' | 'authrole') =>
    api.register(uri, (qid, args, kwargs) => {
      const p = params(args, kwargs, field);
      if (!p.given) return fail(qid, 'wamp.error.runtime_error', missing(fn, field));
      if (typeof p.first !== 'string' || !optionalString(p.reason) || !optionalString(p.message)) {
        return fail(qid, 'wamp.error.runtime_error', 'invalid argument type');
      }
      const victims = clients.sessionIds().filter((id) => clients.identity(id)[field] === p.first);
      kill(qid, victims, [victims], p.reason, p.message);
    });
  await killBy('wamp.session.kill_by_authid', 'session_kill_by_authid', 'authid');
  await killBy('wamp.session.kill_by_authrole', 'session_kill_by_authrole', 'authrole');
}

// ---- router lifecycle ----

export interface FoxRouterOptions {
  port?: number;
  realm?: string;
  host?: string;
}

export interface FoxRouterHandle {
  /** ws://HOST:PORT */
  readonly url: string;
  readonly port: number;
  readonly realm: string;
  /** Closes the listener and terminates every client socket (clients see a lost connection). */
  stop(): Promise<void>;
  /** stop(), then a fresh router on the same port: all sessions gone, new ids. */
  restart(): Promise<void>;
  /** Ids of the client sessions in the realm (fox's internal meta session excluded). */
  sessionIds(): number[];
  /**
   * Router-side subscriptions held by client sessions whose topic matches `topic`. fox creates one
   * per SUBSCRIBE (it does not merge a session's duplicates), so a double subscribe counts twice.
   */
  subscriptionCount(topic: string): number;
  /** authid/authrole the harness (and the kill procedures) attribute to a client session. */
  identity(sessionId: number): { authid: string | null; authrole: string };
}

interface RunningRouter {
  server: WebSocketServer;
  realm: FoxRealm;
  clients: FoxClients;
}

const REALM_NAME = /^[a-z0-9_]+$/;

async function freePort(host: string): Promise<number> {
  const probe = net.createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, host, resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

async function launch(host: string, port: number, realmName: string): Promise<RunningRouter> {
  const router = new FoxRouter() as unknown as FoxRouterInternals;
  // Pre-create the realm before any client joins (ROUTERS.md); this also registers fox's meta API.
  const realm = await router.getRealm(realmName);
  const server = router.listenWAMP({ host, port });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  assertFoxInternals(router, realm, server);
  const clients = trackClients(router, realm, server);
  await installKillProcedures(realm, clients);
  return { server, realm, clients };
}

async function shutdown({ server }: RunningRouter): Promise<void> {
  // ws 8's close() leaves accepted sockets open; terminate them so clients see the drop.
  for (const ws of server.clients) ws.terminate();
  await new Promise<void>((resolve, reject) => server.close((err?: Error) => (err ? reject(err) : resolve())));
}

export async function startFoxRouter(opts: FoxRouterOptions = {}): Promise<FoxRouterHandle> {
  const host = opts.host ?? '127.0.0.1';
  const realm = opts.realm ?? 'realm1';
  // fox crashes the process on a realm name outside [a-z0-9_]+ (ROUTERS.md): refuse it up front.
  if (!REALM_NAME.test(realm)) throw new Error(`fox-wamp realm names must match [a-z0-9_]+, got "${realm}"`);
  const port = opts.port ?? (await freePort(host));
  let running: RunningRouter | undefined = await launch(host, port, realm);

  const current = (): RunningRouter => {
    if (!running) throw new Error('fox router is stopped');
    return running;
  };
  const stop = async () => {
    const r = running;
    running = undefined;
    if (r) await shutdown(r);
  };

  return {
    url: `ws://${host}:${port}`,
    port,
    realm,
    stop,
    async restart() {
      await stop();
      running = await launch(host, port, realm);
    },
    sessionIds: () => current().clients.sessionIds(),
    subscriptionCount(topic) {
      const { realm: r, clients } = current();
      const ids = new Set(clients.sessionIds());
      return [...r.engine.matchTrace(topic.split('.'))].filter((sub) => ids.has(sub.getSid())).length;
    },
    identity: (id) => current().clients.identity(id),
  };
}

// ---- autobahn clients ----

export interface ClientOptions {
  realm?: string;
  /** Sent as HELLO `authid` (the fox harness reports it as the session's authid). */
  authid?: string;
  /** Sent as HELLO `authextra.role` (the fox harness reports it as the session's authrole). */
  authrole?: string;
  /** Auto-reconnect quickly (0.1 s first delay, at most 0.5 s) instead of giving up on the first close. */
  retry?: boolean;
}

export interface CloseEvent {
  reason: string;
  details: autobahn.CloseDetails;
}

export interface TestClient {
  connection: autobahn.Connection;
  /** The session of the first open; after a reconnect use nextOpen() or connection.session. */
  session: autobahn.Session;
  /** Resolves on the next onopen (e.g. after a reconnect). */
  nextOpen(): Promise<autobahn.Session>;
  /** Resolves on the next onclose; connectClient owns connection.onclose, so observe it here. */
  nextClose(): Promise<CloseEvent>;
  /** Leaves (or stops reconnecting) and resolves once onclose fired; no-op when already closed. */
  close(): Promise<void>;
}

export async function connectClient(url: string, opts: ClientOptions = {}): Promise<TestClient> {
  const realm = opts.realm ?? 'realm1';
  if (!REALM_NAME.test(realm)) throw new Error(`fox-wamp realm names must match [a-z0-9_]+, got "${realm}"`);
  const connection = new autobahn.Connection({
    url,
    realm,
    ...(opts.authid !== undefined && { authid: opts.authid }),
    ...(opts.authrole !== undefined && { authextra: { role: opts.authrole } }),
    use_es6_promises: true,
    ...(opts.retry
      ? { max_retries: -1, initial_retry_delay: 0.1, max_retry_delay: 0.5, retry_delay_jitter: 0 }
      : { max_retries: 0 }),
  });

  let openWaiters: Array<(s: autobahn.Session) => void> = [];
  let closeWaiters: Array<(e: CloseEvent) => void> = [];
  let closing = false;
  let done = false; // closed and not going to reconnect

  connection.onopen = (session) => {
    done = false;
    // close() was called while a reconnect was pending: autobahn still runs that attempt.
    if (closing) return connection.close();
    const waiters = openWaiters;
    openWaiters = [];
    waiters.forEach((w) => w(session));
  };
  connection.onclose = (reason, details) => {
    done = closing || !details.will_retry;
    const waiters = closeWaiters;
    closeWaiters = [];
    waiters.forEach((w) => w({ reason, details }));
    return closing; // true cancels any further reconnect attempt
  };
  const nextOpen = () => new Promise<autobahn.Session>((resolve) => openWaiters.push(resolve));
  const nextClose = () => new Promise<CloseEvent>((resolve) => closeWaiters.push(resolve));

  const session = await new Promise<autobahn.Session>((resolve, reject) => {
    let pending = true;
    openWaiters.push((s) => {
      pending = false;
      resolve(s);
    });
    const onClose = (e: CloseEvent) => {
      if (!pending) return;
      if (e.details.will_retry) {
        closeWaiters.push(onClose); // retrying: keep waiting for an open
        return;
      }
      pending = false;
      reject(new Error(`connection to ${url} closed before open: ${e.reason}`));
    };
    closeWaiters.push(onClose);
    connection.open();
  });

  return {
    connection,
    session,
    nextOpen,
    nextClose,
    async close() {
      if (done) return;
      closing = true;
      const closed = nextClose();
      try {
        connection.close();
      } catch {
        return; // autobahn throws "connection already closed"
      }
      await closed;
    },
  };
}
