/**
 * `npm run demo`: a self-contained tour of the `wamp-sessions` command.
 *
 * Starts an embedded fox-wamp router (the test harness, test/helpers/fox-router.ts), a handful of
 * simulated clients with different authroles that join, leave and get killed (by an `operator`
 * client using SessionMeta.kill / killByAuthrole), and `wamp-sessions watch` against it (the
 * command's own code, src/cli: a live table on a terminal, one line per change when piped). Runs
 * until Ctrl-C, or `--duration <seconds>` and then exits 0.
 *
 * Beside the admin's view, presence for ordinary users: the operator's service runs a presence
 * relay (publishPresence) and a `visitor` client, with no meta rights needed, mirrors it
 * (mirrorPresence); each time the mirror changes, a `◦ presence` line shows what a user's page
 * would show (when piped; on a terminal the table has the screen, and the last one is printed at
 * the end).
 *
 * fox-wamp does not report authid/authrole in its meta API, so the command and the relay connect
 * through the details proxy (test/helpers/details-proxy.ts), which adds what each client sent in
 * HELLO, as Crossbar reports it. The simulated clients connect to the router directly.
 */
import '../../test/helpers/websocket-global'; // before autobahn: a global WebSocket on Node 20
import { readFile } from 'node:fs/promises';
import autobahn from 'autobahn';
import { SessionMeta, mirrorPresence, publishPresence, type PresenceMirror } from '../../src';
import { runCli, type CliOutput } from '../../src/cli/run';
import { connectClient, startFoxRouter, type TestClient } from '../../test/helpers/fox-router';
import { startDetailsProxy } from '../../test/helpers/details-proxy';

export interface DemoOptions {
  /** Stop after this many seconds (default: run until `signal` aborts). */
  readonly durationSec?: number;
  readonly signal?: AbortSignal;
  /** Where the command and the narration write. Default: process.stdout / process.stderr. */
  readonly stdout?: CliOutput;
  readonly stderr?: Pick<CliOutput, 'write'>;
  /** Time between two simulated events. Default 700 ms. */
  readonly tickMs?: number;
}

/** Who the simulated clients are: [authid, authrole]. */
const PEOPLE: ReadonlyArray<readonly [string, string]> = [
  ['alice', 'user'],
  ['bob', 'user'],
  ['carol', 'admin'],
  ['sensor-1', 'device'],
  ['sensor-2', 'device'],
  ['visitor', 'guest'],
  ['dave', 'user'],
];
/**
 * A fixed script, so every run shows each kind of event within a few seconds (joins, a normal
 * leave, a kill by id, a kill by authrole) and the same story every time.
 */
const SCRIPT = ['join', 'join', 'leave', 'join', 'kill', 'join', 'join', 'killRole', 'leave', 'join'] as const;
const MAX_CLIENTS = 6;

const PRESENCE_PREFIX = 'com.example.demo.presence';

/** What a user's "who is online" page would show: `◦ presence live · 3 online: alice bob carol`. */
function presenceLine(mirror: PresenceMirror): string {
  const { status, sessions } = mirror.getSnapshot();
  const names = [...sessions.values()].map((s) => s.authid ?? `#${s.session}`).sort();
  return `◦ presence ${status} · ${names.length} online: ${names.join(' ')}`;
}

/** The simulated clients and the operator who kills them. */
class Simulation {
  readonly #clients = new Map<number, { client: TestClient; authid: string; authrole: string }>();
  readonly #say: (line: string) => void;
  #step = 0;
  #next = 0;

  constructor(
    private readonly url: string,
    private readonly operator: SessionMeta,
    say: (line: string) => void,
  ) {
    this.#say = (line) => say(`  · sim: ${line}`);
  }

  /** One scripted event. Victims are picked in order too: the oldest leaves, the newest gets killed. */
  async tick(): Promise<void> {
    const action = SCRIPT[this.#step++ % SCRIPT.length]!;
    const ids = [...this.#clients.keys()]; // in join order
    const oldest = ids[0];
    const newest = ids[ids.length - 1];
    if (oldest === undefined || newest === undefined) return this.#join();
    if (action === 'join') return this.#clients.size < MAX_CLIENTS ? this.#join() : this.#leave(oldest);
    if (action === 'leave') return this.#leave(oldest);
    if (action === 'kill') {
      this.#say(`operator kills ${this.#clients.get(newest)!.authid} (session ${newest}, com.example.demo.kicked)`);
      await this.operator.kill(newest, { reason: 'com.example.demo.kicked', message: 'kicked by the demo operator' });
      return;
    }
    const role = this.#clients.get(newest)!.authrole;
    const { count } = await this.operator.killByAuthrole(role, { message: 'role shut down' });
    this.#say(`operator kills every "${role}" session (${count} killed)`);
  }

  async #join(): Promise<void> {
    const [authid, authrole] = PEOPLE[this.#next++ % PEOPLE.length]!;
    this.#say(`${authid} (${authrole}) connects`);
    const client = await connectClient(this.url, { authid, authrole });
    const id = client.session.id!;
    this.#clients.set(id, { client, authid, authrole });
    void client.nextClose().then(() => this.#clients.delete(id)); // left or killed
  }

  async #leave(id: number): Promise<void> {
    const entry = this.#clients.get(id);
    if (!entry) return;
    this.#say(`${entry.authid} leaves`);
    await entry.client.close();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.#clients.values()].map(({ client }) => client.close()));
  }
}

/**
 * Runs the demo; resolves with the exit code once everything is shut down.
 *
 * @example
 * ```ts
 * const code = await runDemo({ durationSec: 3, out: (line) => lines.push(line) });
 * ```
 */
export async function runDemo(options: DemoOptions = {}): Promise<number> {
  const stdout = options.stdout ?? process.stdout;
  const stderr = options.stderr ?? process.stderr;
  const out = (line: string): void => void stdout.write(`${line}\n`);
  const err = (line: string): void => void stderr.write(`${line}\n`);
  const stop = new AbortController();
  const onAbort = (): void => stop.abort();
  options.signal?.addEventListener('abort', onAbort);
  const timer = options.durationSec === undefined ? undefined : setTimeout(onAbort, options.durationSec * 1000);

  // autobahn console.warn()s every close; in a demo full of kills that is noise.
  autobahn.log.warn = () => undefined;
  const router = await startFoxRouter();
  const proxy = await startDetailsProxy(router);
  const operator = await connectClient(router.url, { authid: 'ops', authrole: 'operator' });
  const meta = new SessionMeta(operator.session);
  // On a terminal the table is the show: narration would scroll it away.
  const sim = new Simulation(router.url, meta, stdout.isTTY ? () => undefined : out);
  out(`fox-wamp router on ${router.url} (realm1); wamp-sessions watches it through ${proxy.url}`);
  out(`  (in another terminal: npm run monitor -- --url ${proxy.url})`);

  // Presence: a relay in the operator's service, a mirror in an ordinary visitor's client.
  const service = await connectClient(proxy.url, { authid: 'presence', authrole: 'service' });
  const serviceMeta = new SessionMeta(service.session);
  const relay = publishPresence(serviceMeta.liveSessions(), { prefix: PRESENCE_PREFIX, heartbeatMs: 2000 });
  relay.errors$.subscribe((error) => err(`  · presence relay: ${error.message}`));
  const visitor = await connectClient(router.url, { authid: 'page-visitor', authrole: 'anonymous' });
  const mirror = mirrorPresence(visitor.session, { prefix: PRESENCE_PREFIX });
  let lastPresence = '';
  mirror.subscribe(() => {
    const line = presenceLine(mirror);
    if (line === lastPresence) return;
    lastPresence = line;
    if (!stdout.isTTY) out(line);
  });

  const monitor = runCli(['watch', '--url', proxy.url, '--realm', router.realm], {
    stdout,
    stderr,
    env: {},
    signal: stop.signal,
    version: 'demo',
    readFile: (path) => readFile(path, 'utf8'),
  });
  let code = 0;
  let ticking: Promise<void> = Promise.resolve();
  const ticks = setInterval(() => {
    // One event at a time; a slow one (e.g. a kill waiting for its RESULT) delays the next.
    ticking = ticking.then(() => sim.tick()).catch((error: unknown) => err(`  · sim: ${String((error as Error)?.message ?? error)}`));
  }, options.tickMs ?? 700);
  try {
    code = await monitor;
  } finally {
    clearInterval(ticks);
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    await ticking;
    await sim.stop();
    if (stdout.isTTY && lastPresence) out(`last seen by a visitor's mirror: ${lastPresence}`);
    mirror.dispose();
    relay.dispose();
    serviceMeta.dispose();
    await visitor.close();
    await service.close();
    meta.dispose();
    await operator.close();
    await proxy.close();
    await router.stop();
  }
  return code;
}

async function main(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf('--duration');
  const durationSec = at >= 0 ? Number(argv[at + 1]) : undefined;
  if (durationSec !== undefined && !(durationSec > 0)) {
    process.stderr.write('error: --duration needs a number of seconds\n');
    process.exitCode = 2;
    return;
  }
  const stop = new AbortController();
  const onSignal = (): void => stop.abort();
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  process.exitCode = await runDemo({ signal: stop.signal, ...(durationSec !== undefined && { durationSec }) });
  process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
}

// Run as a script only (tsx runs this file as ESM, jest as CommonJS, so neither import.meta nor
// require.main works in both; the entry path does).
if (/examples[\\/]node-monitor[\\/]demo\.ts$/.test(process.argv[1] ?? '')) void main(process.argv.slice(2));
