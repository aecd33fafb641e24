/**
 * `npm run presence`: "who is online" end to end, on this machine.
 *
 * Starts an embedded fox-wamp router (the test harness, test/helpers/fox-router.ts), the relay
 * service (relay.ts), a few simulated users who come and go, and a static server for the public
 * page (examples/browser-presence/), then prints the page's URL. Runs until Ctrl-C, or
 * `--duration <seconds>`; `--port <n>` for the page (default 8001).
 *
 * Who connects where:
 * - the relay, with meta rights, through the details proxy (test/helpers/details-proxy.ts): fox
 *   reports no authid/authrole, the proxy adds what each client sent in HELLO, as Crossbar would;
 * - the page, as an ordinary user, through the permissions proxy (test/helpers/ordinary-proxy.ts),
 *   which refuses every `wamp.session.*` call and subscription, as a router would refuse a role
 *   without meta rights: the page only ever gets presence through the relay;
 * - the simulated users, directly.
 */
import '../../test/helpers/websocket-global'; // before autobahn: a global WebSocket on Node 20
import autobahn from 'autobahn';
import { startDetailsProxy, type DetailsProxy } from '../../test/helpers/details-proxy';
import { connectClient, startFoxRouter, type FoxRouterHandle, type TestClient } from '../../test/helpers/fox-router';
import { startOrdinaryProxy, type OrdinaryProxy } from '../../test/helpers/ordinary-proxy';
import { portArgument, serveStatic, type StaticServer } from '../static-server';
import { DEFAULT_PREFIX, startPresenceService, type PresenceService } from './relay';

export interface PresenceDemoOptions {
  /** Port of the page's server; 0 (default) picks a free one. */
  readonly port?: number;
  /** Time between two simulated comings and goings; 0 = no simulated users. Default 1500 ms. */
  readonly tickMs?: number;
  /** Receives each line worth telling. Default: stdout. */
  readonly log?: (line: string) => void;
}

export interface PresenceDemo {
  /** The page, with its query string: open it in a browser. */
  readonly pageUrl: string;
  readonly router: FoxRouterHandle;
  /** Where a relay with meta rights connects (the details proxy). */
  readonly relayUrl: string;
  /** What the page connects through: counts what it was refused. */
  readonly ordinary: OrdinaryProxy;
  readonly service: PresenceService;
  stop(): Promise<void>;
}

/** The simulated users: [authid, authrole]. */
const CAST: ReadonlyArray<readonly [string, string]> = [
  ['alice', 'user'],
  ['bob', 'user'],
  ['carol', 'admin'],
  ['dave', 'user'],
  ['erin', 'support'],
  ['frank', 'guest'],
];
/** How many of them are online when the demo starts. */
const AT_START = 4;

/** Users who come and go: each tick the next one in the cast joins if offline, leaves if online. */
class Users {
  readonly #online = new Map<string, TestClient>();
  #turn = AT_START;

  constructor(
    private readonly url: string,
    private readonly log: (line: string) => void,
  ) {}

  async toggle(index: number): Promise<void> {
    const [authid, authrole] = CAST[index % CAST.length]!;
    const client = this.#online.get(authid);
    this.#online.delete(authid);
    if (client) {
      this.log(`  · ${authid} leaves`);
      return client.close();
    }
    this.log(`  · ${authid} (${authrole}) comes online`);
    this.#online.set(authid, await connectClient(this.url, { authid, authrole }));
  }

  tick(): Promise<void> {
    return this.toggle(this.#turn++);
  }

  async stop(): Promise<void> {
    const clients = [...this.#online.values()];
    this.#online.clear();
    await Promise.all(clients.map((client) => client.close()));
  }
}

/** Starts everything; `stop()` shuts it down in reverse. */
export async function startPresenceDemo(options: PresenceDemoOptions = {}): Promise<PresenceDemo> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  autobahn.log.warn = () => undefined; // autobahn console.warn()s every close: noise in a demo
  const stops: Array<() => Promise<void>> = [];
  const stop = async (): Promise<void> => {
    for (const step of stops.splice(0).reverse()) await step();
  };
  try {
    const router = await startFoxRouter();
    stops.push(() => router.stop());
    const details: DetailsProxy = await startDetailsProxy(router);
    stops.push(() => details.close());
    const ordinary = await startOrdinaryProxy(router.url);
    stops.push(() => ordinary.close());
    const service = await startPresenceService({ url: details.url, log });
    stops.push(() => service.stop());

    const users = new Users(router.url, log);
    stops.push(() => users.stop());
    for (let i = 0; i < AT_START; i++) await users.toggle(i);
    const tickMs = options.tickMs ?? 1500;
    if (tickMs > 0) {
      let ticking = Promise.resolve();
      const timer = setInterval(() => {
        ticking = ticking.then(() => users.tick()).catch((error: unknown) => log(`  · ${String((error as Error)?.message ?? error)}`));
      }, tickMs);
      stops.push(async () => {
        clearInterval(timer);
        await ticking;
      });
    }

    const server: StaticServer = await serveStatic({ page: '/examples/browser-presence/', port: options.port ?? 0 });
    stops.push(() => server.close());
    const pageUrl = `${server.url}?url=${ordinary.url}&realm=${router.realm}&prefix=${DEFAULT_PREFIX}`;
    log(`fox-wamp router on ${router.url}; the relay publishes on ${DEFAULT_PREFIX}.*`);
    log(`who is online: ${pageUrl}`);
    return { pageUrl, router, relayUrl: details.url, ordinary, service, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const port = portArgument(argv, 8001);
  const at = argv.indexOf('--duration');
  const durationSec = at >= 0 ? Number(argv[at + 1]) : undefined;
  if (port === undefined) return;
  if (durationSec !== undefined && !(durationSec > 0)) {
    process.stderr.write('error: --duration needs a number of seconds\n');
    process.exitCode = 2;
    return;
  }
  const demo = await startPresenceDemo({ port });
  await new Promise<void>((resolve) => {
    const timer = durationSec === undefined ? undefined : setTimeout(done, durationSec * 1000);
    function done(): void {
      clearTimeout(timer);
      process.off('SIGINT', done).off('SIGTERM', done);
      resolve();
    }
    process.once('SIGINT', done).once('SIGTERM', done);
  });
  await demo.stop();
}

// Run as a script only (see examples/node-monitor/monitor.ts for why this test).
if (/examples[\\/]presence-service[\\/]demo\.ts$/.test(process.argv[1] ?? '')) void main(process.argv.slice(2));
