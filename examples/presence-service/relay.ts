/**
 * The presence relay in a service: a small Node process with meta rights that tells everybody
 * else who is online, without giving them the Session Meta API (which shows every session's
 * details, peer address included, and can kill sessions).
 *
 *   npx tsx examples/presence-service/relay.ts --url ws://127.0.0.1:8080/ws [--realm realm1] [--prefix com.example.presence]
 *
 * What it does: follows the realm with `meta.liveSessions()` (always right, also across
 * reconnects) and republishes it with `publishPresence()`: `<prefix>.get_state` for a newcomer,
 * numbered `<prefix>.on_change` publications and `<prefix>.on_heartbeat` for everyone after.
 * Pages mirror it with `mirrorPresence()` (examples/browser-presence/).
 *
 * What the router must allow (e.g. Crossbar roles, see the README's "Presence for your users"):
 * - this service: call `wamp.session.list`, `wamp.session.get`, `wamp.session.count`; subscribe to
 *   `wamp.session.on_join`, `wamp.session.on_leave`; register `<prefix>.get_state`; publish on
 *   `<prefix>.on_change` and `<prefix>.on_heartbeat`;
 * - everybody else: call `<prefix>.get_state`, subscribe to `<prefix>.on_change` and
 *   `<prefix>.on_heartbeat`; nobody else may publish there (whoever can, can forge presence).
 */
import '../../test/helpers/websocket-global'; // before autobahn: a global WebSocket on Node 20
import autobahn from 'autobahn';
import { SessionMeta, publishPresence, type LiveSessionSet, type PresenceRelay } from '../../src';

export interface PresenceServiceOptions {
  /** Router WebSocket URL. */
  readonly url: string;
  /** Default `realm1`. */
  readonly realm?: string;
  /** The URIs' prefix. Default `com.example.presence`. */
  readonly prefix?: string;
  /** Who this service is (HELLO authid), for the router's permissions. Default `presence-service`. */
  readonly authid?: string;
  /** Receives one line per event worth telling (errors, reconnects). Default: stderr. */
  readonly log?: (line: string) => void;
}

export interface PresenceService {
  readonly relay: PresenceRelay;
  /** What the relay republishes (the whole realm, with every detail: it stays in this process). */
  readonly live: LiveSessionSet;
  /** Publishes a last `stale` heartbeat, unregisters, leaves. */
  stop(): Promise<void>;
}

export const DEFAULT_PREFIX = 'com.example.presence';

/** Connects, starts the relay and resolves once `<prefix>.get_state` answers with the whole realm. */
export async function startPresenceService(options: PresenceServiceOptions): Promise<PresenceService> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const connection = new autobahn.Connection({
    url: options.url,
    realm: options.realm ?? 'realm1',
    authid: options.authid ?? 'presence-service',
    // The test router (test/helpers/fox-router.ts) takes the role from here; a real router gives
    // it from its own configuration once the service authenticates (ticket, WAMP-CRA, cryptosign).
    authextra: { role: 'presence-service' },
    use_es6_promises: true,
    max_retries: -1, // a service rides out router restarts: mirrors see `stale`, then catch up
    initial_retry_delay: 0.5,
    max_retry_delay: 5,
  });
  let stopping = false;
  let closed: () => void = () => undefined;
  connection.onclose = (reason, details) => {
    if (stopping) closed();
    else log(`presence-service: connection lost (${reason})${details.will_retry ? `, retrying in ${(details.retry_delay ?? 0).toFixed(1)} s` : ''}`);
    return stopping;
  };

  const meta = SessionMeta.fromConnection(connection); // follows every reconnect
  const live = meta.liveSessions({ includeSelf: false }); // this service is nobody users look for
  // The default projection sends { session, authid, authrole } only: no peer address, no authextra.
  const relay = publishPresence(live, { prefix: options.prefix ?? DEFAULT_PREFIX });
  relay.errors$.subscribe((error) => log(`presence-service: ${error.message}`));
  live.on('error', (error) => log(`presence-service: live set: ${error.message}`));
  connection.open();
  await Promise.all([live.ready, relay.ready]);

  return {
    relay,
    live,
    async stop() {
      stopping = true;
      relay.dispose();
      meta.dispose();
      const gone = new Promise<void>((resolve) => (closed = resolve));
      try {
        connection.close();
      } catch {
        return; // autobahn throws when the connection is already closed
      }
      await gone;
    },
  };
}

function option(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

async function main(argv: readonly string[]): Promise<void> {
  const url = option(argv, '--url');
  if (!url) {
    process.stderr.write('usage: relay.ts --url ws://HOST:PORT/PATH [--realm realm1] [--prefix com.example.presence]\n');
    process.exitCode = 2;
    return;
  }
  autobahn.log.warn = () => undefined; // it console.warn()s every close; the service says what matters
  const service = await startPresenceService({ url, realm: option(argv, '--realm'), prefix: option(argv, '--prefix') });
  process.stdout.write(`presence relay up: ${service.live.size} sessions online (Ctrl-C to stop)\n`);
  const stop = (): void => void service.stop();
  process.once('SIGINT', stop).once('SIGTERM', stop);
}

// Run as a script only (see examples/node-monitor/monitor.ts for why this test).
if (/examples[\\/]presence-service[\\/]relay\.ts$/.test(process.argv[1] ?? '')) void main(process.argv.slice(2));
