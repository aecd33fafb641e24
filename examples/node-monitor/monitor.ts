/**
 * A live session monitor for any WAMP router with the Session Meta API, built on wamp-session-meta.
 *
 *   npm run monitor -- [command] [--url ws://127.0.0.1:8080/ws] [--realm realm1] [--ticket T --authid ID]
 *
 * Commands: `watch` (default: the live set as it changes), `list`, `count`, `get <id>`,
 * `kill <id> [--reason uri] [--message text]`. Anonymous unless `--ticket` is given (then WAMP
 * ticket auth as `--authid`). Every failure is one line on stderr; the ticket is never printed.
 *
 * `runMonitor()` is exported for the demo (demo.ts) and the tests; output goes to injectable writers.
 */
import '../../test/helpers/websocket-global'; // autobahn needs a global WebSocket on Node 20
import autobahn from 'autobahn';
import { Subject, Subscription, type Observable } from 'rxjs';
import {
  InvalidArgumentError,
  NoSuchSessionError,
  NotAuthorizedError,
  ProcedureUnavailableError,
  SessionClosedError,
  SessionMeta,
  type LiveSessionSet,
  type LiveStatus,
  type SessionDetails,
  type SessionSetChange,
  type WampSessionLike,
} from '../../src';

/** How autobahn reports a close (ABORT/GOODBYE reason and message, whether it will retry). */
type CloseDetails = autobahn.CloseDetails;

export type MonitorCommand =
  | { readonly name: 'watch' }
  | { readonly name: 'list' }
  | { readonly name: 'count' }
  | { readonly name: 'get'; readonly id: number }
  | { readonly name: 'kill'; readonly id: number; readonly reason?: string; readonly message?: string };

export interface MonitorOptions {
  /** Router WebSocket URL. Default `ws://127.0.0.1:8080/ws`. */
  readonly url?: string;
  /** Default `realm1`. */
  readonly realm?: string;
  /** HELLO authid (required with `ticket`). */
  readonly authid?: string;
  /** Ticket for WAMP ticket auth; never printed. */
  readonly ticket?: string;
  /** Default `watch`. */
  readonly command?: MonitorCommand;
  /** Receives each output line (no trailing newline). Default: stdout. */
  readonly out?: (line: string) => void;
  /** Receives each error line. Default: stderr. */
  readonly err?: (line: string) => void;
  /** Ends `watch` (and aborts any command) cleanly; runMonitor then resolves 0. */
  readonly signal?: AbortSignal;
  /** Per-call timeout. Default 10 000 ms. */
  readonly callTimeoutMs?: number;
}

/** Bad command line or options: exit code 2, message printed as one line. */
export class UsageError extends Error {}

export const USAGE = `usage: monitor [watch | list | count | get <id> | kill <id> [--reason uri] [--message text]]
               [--url ws://127.0.0.1:8080/ws] [--realm realm1] [--ticket <ticket> --authid <id>]`;

const DEFAULT_URL = 'ws://127.0.0.1:8080/ws';
const DEFAULT_REALM = 'realm1';
/** WAMP strict URI rule (spec, "URIs"): what a realm name may be. Rejecting anything else also keeps
 *  us from crashing fox-wamp, which dies on realm names outside [a-z0-9_] (ROUTERS.md). */
const STRICT_URI = /^([0-9a-z_]+\.)*[0-9a-z_]+$/;
/** Above this many changes in one batch (e.g. the first sync) the log summarizes the rest. */
const MAX_CHANGE_LINES = 20;
/** Sync progress is shown for sets at least this large. */
const PROGRESS_MIN = 100;

// ---- command line ----

const COMMANDS = new Set(['watch', 'list', 'count', 'get', 'kill']);
const FLAGS = new Set(['--url', '--realm', '--ticket', '--authid', '--reason', '--message']);

/**
 * Parses `monitor` arguments. Ids are handed to the SDK as numbers unchecked: its
 * InvalidArgumentError is what the user sees for a bad one.
 */
export function parseMonitorArgs(argv: readonly string[]): MonitorOptions {
  const flags = new Map<string, string>();
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('--')) {
      words.push(arg);
      continue;
    }
    // The ticket's value is never echoed, also not in a usage error.
    if (!FLAGS.has(arg)) throw new UsageError(`unknown option ${arg}`);
    const value = argv[++i];
    if (value === undefined) throw new UsageError(`${arg} needs a value`);
    flags.set(arg, value);
  }
  const [name = 'watch', idText, ...extra] = words;
  if (!COMMANDS.has(name)) throw new UsageError(`unknown command "${name}"`);
  const needsId = name === 'get' || name === 'kill';
  if (needsId && idText === undefined) throw new UsageError(`${name} needs a session id`);
  if (extra.length > 0 || (!needsId && idText !== undefined)) throw new UsageError(`unexpected argument "${needsId ? extra[0] : idText}"`);
  if ((flags.has('--reason') || flags.has('--message')) && name !== 'kill') throw new UsageError('--reason/--message only go with kill');

  const id = Number(idText);
  const reason = flags.get('--reason');
  const message = flags.get('--message');
  const command: MonitorCommand =
    name === 'get'
      ? { name, id }
      : name === 'kill'
        ? { name, id, ...(reason !== undefined && { reason }), ...(message !== undefined && { message }) }
        : ({ name } as MonitorCommand);
  const url = flags.get('--url');
  const realm = flags.get('--realm');
  const authid = flags.get('--authid');
  const ticket = flags.get('--ticket');
  return {
    command,
    ...(url !== undefined && { url }),
    ...(realm !== undefined && { realm }),
    ...(authid !== undefined && { authid }),
    ...(ticket !== undefined && { ticket }),
  };
}

function checkOptions(url: string, realm: string, authid: string | undefined, ticket: string | undefined): void {
  if (!/^wss?:\/\/[^\s/]+/.test(url)) throw new UsageError(`--url must be a ws:// or wss:// URL, got "${url}"`);
  if (!STRICT_URI.test(realm)) {
    throw new UsageError(`invalid realm "${realm}": a realm is a WAMP URI such as realm1 (lowercase letters, digits, _ and dots)`);
  }
  if (ticket !== undefined && !authid) throw new UsageError('--ticket needs --authid');
}

// ---- output ----

/**
 * Every line passes here: router-controlled text (authid, close messages) cannot inject control
 * characters or line breaks into the terminal, and the ticket is masked wherever it would appear.
 */
function writer(write: (line: string) => void, ticket: string | undefined): (line: string) => void {
  return (line) => {
    // eslint-disable-next-line no-control-regex
    let text = line.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
    if (ticket) text = text.split(ticket).join('***');
    write(text);
  };
}

const who = (s: { authid?: string | undefined; authrole?: string | undefined }): string => `${s.authid ?? '?'}/${s.authrole ?? '?'}`;

function describeSession(s: SessionDetails, self?: number | null): string {
  return `${s.session} ${who(s)}${s.session === self ? ' (this monitor)' : ''}`;
}

function countsByRole(sessions: Iterable<SessionDetails>): string {
  const counts = new Map<string, number>();
  for (const s of sessions) counts.set(s.authrole ?? '?', (counts.get(s.authrole ?? '?') ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b)).map(([role, n]) => `${role} ${n}`).join(', ');
}

/** Why the connection closed, as one line (ABORT/GOODBYE reasons from the router, or autobahn's). */
export function describeClose(reason: string, details: Pick<CloseDetails, 'reason' | 'message'>, url: string, realm: string): string {
  const uri = details.reason ?? undefined;
  const said = details.message ? `: ${details.message}` : '';
  if (reason === 'unreachable') return `error: cannot reach a WAMP router at ${url} (connection refused or not a WAMP WebSocket endpoint)`;
  if (reason === 'unsupported') return `error: cannot open a WebSocket to ${url}`;
  if (uri === 'wamp.error.no_such_realm') return `error: realm "${realm}" does not exist on the router at ${url}${said}`;
  if (uri === 'wamp.error.authentication_failed' || uri === 'wamp.error.no_auth_method') {
    return `error: authentication failed for realm "${realm}" (${uri}${said})`;
  }
  if (uri === 'wamp.error.not_authorized' || uri === 'wamp.error.authorization_failed') {
    return `error: not allowed to join realm "${realm}" (${uri}${said})`;
  }
  if (uri) return `error: the router closed the session (${uri}${said})`;
  return `error: connection to ${url} ${reason}`;
}

/** An SDK error as one line (the SDK's guards work on any copy of it, ESM or CJS). */
export function describeError(error: unknown): string {
  if (NotAuthorizedError.is(error)) return `error: not authorized to use ${error.procedure ?? 'the meta API'} (${error.message})`;
  if (InvalidArgumentError.is(error)) return `error: invalid argument: ${error.message}`;
  if (NoSuchSessionError.is(error)) return `error: no session ${error.sessionId ?? 'with that id'} on the router`;
  if (ProcedureUnavailableError.is(error)) {
    return `error: the router does not offer ${error.procedure ?? 'this procedure'} (no Session Meta API, or not this part of it)`;
  }
  if (SessionClosedError.is(error)) {
    const why = error.reason ? ` (${error.reason}${error.closeMessage ? `: ${error.closeMessage}` : ''})` : '';
    return `error: the session closed before ${error.procedure ?? 'the call'} was answered${why}`;
  }
  return `error: ${error instanceof Error ? error.message : String(error)}`; // CallTimeoutError, RouterError, ...
}

// ---- connection ----

/** A close before the first open: the router was unreachable, or refused the realm or our credentials. */
class JoinFailed extends Error {
  constructor(
    readonly reason: string,
    readonly details: CloseDetails,
  ) {
    super(reason);
  }
}

/**
 * Counts settled `wamp.session.get` calls, for the sync progress line. A structural wrapper is all
 * the SDK needs (WampSessionLike); onleave is forwarded so SessionMeta still hears GOODBYE/ABORT.
 */
function countingGets(session: autobahn.Session, onGet: () => void): WampSessionLike {
  return {
    get id() {
      return session.id;
    },
    get isOpen() {
      return session.isOpen;
    },
    get onleave() {
      return (session as unknown as WampSessionLike).onleave;
    },
    set onleave(handler) {
      (session as unknown as WampSessionLike).onleave = handler;
    },
    call(procedure, args, kwargs, options) {
      const result = session.call(procedure, args, kwargs as Record<string, unknown> | undefined, options);
      if (procedure === 'wamp.session.get') result.then(onGet, onGet);
      return result;
    },
    subscribe: (topic, handler, options) => session.subscribe(topic, handler, options),
    unsubscribe: (subscription) => session.unsubscribe(subscription as autobahn.Subscription),
  };
}

interface Link {
  meta: SessionMeta;
  /** Resolves on the first open; rejects with JoinFailed if the connection closes first. */
  opened: Promise<void>;
  /** Called on every close after the first open. */
  onClose(listener: (reason: string, details: CloseDetails) => void): void;
  /** Disposes the SDK, leaves and waits for the close. */
  close(): Promise<void>;
}

interface LinkOptions {
  url: string;
  realm: string;
  authid: string | undefined;
  ticket: string | undefined;
  /** Reconnect after a drop (watch) or give up at the first close (one-shot commands). */
  retry: boolean;
  callTimeoutMs: number;
  onGet: () => void;
}

function openLink({ url, realm, authid, ticket, retry, callTimeoutMs, onGet }: LinkOptions): Link {
  const connection = new autobahn.Connection({
    url,
    realm,
    use_es6_promises: true,
    // Fail fast when the router cannot be reached at first; once joined, `watch` rides out drops.
    retry_if_unreachable: false,
    max_retries: retry ? -1 : 0,
    initial_retry_delay: 0.5,
    max_retry_delay: 5,
    ...(authid !== undefined && { authid }),
    ...(ticket !== undefined && {
      authmethods: ['ticket'],
      onchallenge: (_session: autobahn.Session, method: string) => {
        if (method !== 'ticket') throw new Error(`the router asked for ${method} authentication`);
        return ticket;
      },
    }),
  });
  // Manual attach/detach (instead of SessionMeta.fromConnection) to hand the SDK the counting wrapper.
  const meta = new SessionMeta(null, { callTimeoutMs });
  let closeListener: ((reason: string, details: CloseDetails) => void) | undefined;
  let closing = false;
  let everOpened = false;
  let closed: () => void = () => undefined;
  const opened = new Promise<void>((resolve, reject) => {
    connection.onopen = (session) => {
      everOpened = true;
      if (closing) return connection.close(); // a reconnect that raced close()
      meta.attach(countingGets(session, onGet));
      resolve();
    };
    connection.onclose = (reason, details) => {
      if (!closing) meta.detach();
      if (!everOpened) reject(new JoinFailed(reason, details));
      else if (!closing) closeListener?.(reason, details);
      if (closing || !details.will_retry) closed();
      return closing; // true cancels a pending reconnect
    };
  });
  opened.catch(() => undefined); // observed by the caller; never an unhandled rejection
  connection.open();
  return {
    meta,
    opened,
    onClose: (listener) => (closeListener = listener),
    async close() {
      closing = true;
      meta.dispose();
      if (connection.isRetrying && !connection.isConnected) {
        // Between reconnect attempts autobahn's close() only flags "no more retries": the pending
        // attempt still runs after up to max_retry_delay, and only then does onclose fire. Cancel
        // it instead (autobahn 26 lib/connection.js has no public way to).
        const timer = connection as unknown as { _autoreconnect_reset_timer?: () => void };
        if (timer._autoreconnect_reset_timer) {
          timer._autoreconnect_reset_timer();
          return;
        }
      }
      const done = new Promise<void>((resolve) => (closed = resolve));
      try {
        connection.close();
      } catch {
        return; // autobahn throws "connection already closed"
      }
      await done;
    },
  };
}

// ---- commands ----

async function oneShot(meta: SessionMeta, command: Exclude<MonitorCommand, { name: 'watch' }>, out: (line: string) => void): Promise<void> {
  switch (command.name) {
    case 'count':
      out(String(await meta.count()));
      return;
    case 'list': {
      const ids = await meta.list();
      const details = await Promise.all(ids.map((id) => meta.get(id).catch((e: unknown) => (NoSuchSessionError.is(e) ? null : Promise.reject(e)))));
      for (const s of details) if (s) out(`${describeSession(s, meta.session?.id)}${s.authmethod ? ` ${s.authmethod}` : ''}`);
      return;
    }
    case 'get': {
      const s = await meta.get(command.id);
      out(`session    ${s.session}`);
      for (const key of ['authid', 'authrole', 'authmethod', 'authprovider', 'realm'] as const) if (s[key] !== undefined) out(`${key.padEnd(10)} ${s[key]}`);
      if (s.transport) out(`transport  ${JSON.stringify(s.transport)}`);
      return;
    }
    case 'kill': {
      const { reason, message } = command;
      await meta.kill(command.id, { ...(reason !== undefined && { reason }), ...(message !== undefined && { message }) });
      out(`killed ${command.id}`);
      return;
    }
  }
}

interface WatchContext {
  link: Link;
  /** One emission per settled `wamp.session.get` (see countingGets). */
  gets: Observable<void>;
  out: (line: string) => void;
  err: (line: string) => void;
  signal: AbortSignal | undefined;
  describeClose: (reason: string, details: CloseDetails) => string;
}

/** `watch`: prints changes and a status line until the signal aborts or the session ends for good. */
function watch({ link, gets, out, err, signal, describeClose: describe }: WatchContext): Promise<number> {
  const live: LiveSessionSet = link.meta.liveSessions();
  const subscriptions = new Subscription();
  let pending: SessionSetChange[] = [];
  let scheduled = false;

  const statusLine = (status: LiveStatus): string => {
    if (status === 'syncing') return '= syncing…';
    const sessions = [...live.values()];
    const roles = countsByRole(sessions);
    const count = `${sessions.length} session${sessions.length === 1 ? '' : 's'}${status === 'stale' ? ' (last known)' : ''}`;
    return `= ${status} · ${count}${roles ? ` · ${roles}` : ''}`;
  };
  // Changes and status of one tick (a sync's whole result arrives in one) go out together.
  const flush = (): void => {
    scheduled = false;
    const changes = pending;
    pending = [];
    for (const { type, session } of changes.slice(0, MAX_CHANGE_LINES)) {
      out(`${type === 'joined' ? '+ joined' : '- left  '} ${describeSession(session, link.meta.session?.id)}`);
    }
    if (changes.length > MAX_CHANGE_LINES) out(`  … and ${changes.length - MAX_CHANGE_LINES} more changes`);
    if (live.status !== 'closed') out(statusLine(live.status));
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(flush);
  };

  // The SDK does not report sync progress: count its `get`s against a `list` of our own.
  const sync = { total: 0, done: 0, quarter: 0 };
  const onGet = (): void => {
    if (live.status !== 'syncing' || sync.total < PROGRESS_MIN) return;
    sync.done++;
    const quarter = Math.floor((4 * sync.done) / sync.total);
    if (quarter > sync.quarter && sync.done < sync.total) {
      sync.quarter = quarter;
      out(`= syncing · ${sync.done}/${sync.total} sessions fetched`);
    }
  };

  return new Promise<number>((resolve) => {
    let finished = false;
    const finish = (code: number, line?: string): void => {
      if (finished) return;
      finished = true;
      if (line) err(line);
      signal?.removeEventListener('abort', onAbort);
      subscriptions.unsubscribe();
      void link.close().then(() => resolve(code));
    };
    const onAbort = (): void => finish(0);
    signal?.addEventListener('abort', onAbort);

    subscriptions.add(gets.subscribe(onGet));
    subscriptions.add(
      live.changes$.subscribe((change) => {
        pending.push(change);
        schedule();
      }),
    );
    subscriptions.add(
      live.status$.subscribe((status) => {
        if (status === 'syncing') {
          Object.assign(sync, { total: 0, done: 0, quarter: 0 });
          link.meta.list().then((ids) => (sync.total = ids.length), () => undefined);
        }
        if (status !== 'closed') schedule();
      }),
    );
    live.ready.catch((error: unknown) => finish(1, describeError(error))); // e.g. meta API denied
    link.onClose((reason, details) => {
      if (!details.will_retry) finish(1, describe(reason, details));
    });
  });
}

// ---- entry ----

/**
 * Runs one monitor command and resolves with the process exit code: 0 done (or `watch` stopped
 * by `signal`), 1 failed (one line on `err`), 2 bad arguments.
 *
 * @example
 * ```ts
 * const stop = new AbortController();
 * const code = await runMonitor({ url: 'ws://127.0.0.1:8080/ws', out: console.log, signal: stop.signal });
 * ```
 */
export async function runMonitor(options: MonitorOptions = {}): Promise<number> {
  const { authid, ticket, signal, callTimeoutMs = 10_000 } = options;
  const url = options.url ?? DEFAULT_URL;
  const realm = options.realm ?? DEFAULT_REALM;
  const command = options.command ?? { name: 'watch' };
  const out = writer(options.out ?? ((line) => process.stdout.write(`${line}\n`)), ticket);
  const err = writer(options.err ?? ((line) => process.stderr.write(`${line}\n`)), ticket);
  try {
    checkOptions(url, realm, authid, ticket);
  } catch (error) {
    err(`error: ${(error as Error).message}`);
    return 2;
  }
  if (signal?.aborted) return 0;

  const gets = new Subject<void>();
  const link = openLink({ url, realm, authid, ticket, retry: command.name === 'watch', callTimeoutMs, onGet: () => gets.next() });
  const describe = (reason: string, details: CloseDetails): string => describeClose(reason, details, url, realm);
  try {
    await link.opened;
  } catch (error) {
    await link.close();
    err(error instanceof JoinFailed ? describe(error.reason, error.details) : describeError(error));
    return 1;
  }
  if (command.name === 'watch') {
    out(`connected to ${url}, realm ${realm}, as session ${link.meta.session?.id}${authid ? ` (${authid})` : ''}`);
    return watch({ link, gets, out, err, signal, describeClose: describe });
  }
  try {
    await oneShot(link.meta, command, out);
    return 0;
  } catch (error) {
    err(describeError(error));
    return 1;
  } finally {
    await link.close();
  }
}

/** CLI: `npm run monitor -- ...` (tsx). Not run when imported (demo, tests). */
async function main(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  // autobahn console.warn()s every close and reconnect; the monitor reports those itself.
  autobahn.log.warn = () => undefined;
  let options: MonitorOptions;
  try {
    options = parseMonitorArgs(argv);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message} (see --help)\n`);
    process.exitCode = 2;
    return;
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  process.exitCode = await runMonitor({ ...options, signal: stop.signal });
  process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
}

// Run as a script only (tsx runs this file as ESM, jest as CommonJS, so neither import.meta nor
// require.main works in both; the entry path does).
if (/examples[\\/]node-monitor[\\/]monitor\.ts$/.test(process.argv[1] ?? '')) void main(process.argv.slice(2));
