/**
 * One process of the presence benchmark (presence.ts), driven by JSON-line commands:
 *
 * - the **relay**: `{ relay: prefix }` connects an admin session, runs `meta.liveSessions()` and
 *   `publishPresence` over it, as a Node service would;
 * - the **fleet**: `{ members: n }` joins n raw members (raw-wamp.ts) and holds them;
 * - **clients**: `{ connect: { n, role } }` opens n autobahn sessions; `{ start: { kind, settings,
 *   wave } }` starts a `mirrorPresence` (kind `mirror`) or a `liveSessions()` of its own (kind
 *   `live`) on every one of them, `wave` at a time, and answers when all are ready. `{ leavers: n }` joins n raw members
 *   here; `{ leave: true }` makes the next one leave (GOODBYE) and answers when it was sent;
 *   `{ dropped: id }` answers once every view here dropped that session.
 *
 * Times that cross processes (a leave here, its drops in other clients processes) are absolute:
 * `performance.timeOrigin + performance.now()`, the same clock in every process of the machine.
 * `{ usage: true }` answers CPU time and memory (after a full GC). Exits, closing everything, when
 * stdin closes. Usage: presence-process.ts ws://127.0.0.1:PORT
 */
import '../test/helpers/websocket-global';
import autobahn from 'autobahn';
import { performance } from 'node:perf_hooks';
import { SessionMeta, mirrorPresence, publishPresence, type LiveSessionView, type PresenceRelay, type SessionDetails } from '../dist/index.mjs';
import { connectClient, type TestClient } from '../test/helpers/fox-router';
import { emit, serve } from './procs';
import { joinMany, type RawMember } from './raw-wamp';
import { collect } from './stats';

autobahn.log.warn = () => {}; // one warning per close otherwise

/** The kind of view the clients run. */
export type ViewKind = 'mirror' | 'live';

/** Options a Node service or a page would choose; `undefined`: the SDK's default. */
export interface PresenceSettings {
  readonly prefix: string;
  /** The relay's `heartbeatMs`. */
  readonly heartbeatMs: number | undefined;
  /** The mirrors' `callTimeoutMs`. */
  readonly callTimeoutMs: number | undefined;
}

export type PresenceCommand =
  | { relay: PresenceSettings }
  | { members: number }
  | { connect: { n: number; role: string } }
  | { start: { kind: ViewKind; settings: PresenceSettings; wave: number } }
  | { leavers: number }
  | { leave: true }
  | { dropped: number }
  | { usage: true };

export interface Usage {
  /** CPU time of this process so far (read before the GC below). */
  readonly cpuMs: number;
  /** After a full GC. */
  readonly heapMiB: number;
  readonly rssMiB: number;
  /** `error` events of the views here, or of the relay, so far: by error name. */
  readonly errors: Record<string, number>;
}

export interface Started {
  /** Each view's time until ready, from the command. */
  readonly readyMs: number[];
  readonly sizes: number[];
  /** How many views are in each status once all were ready (all `live` expected). */
  readonly statuses: Record<string, number>;
  /** Status changes the views went through after their first `live` (0 expected). */
  readonly relapses: number;
}

/** When every view here had dropped a session (absolute ms), or how many had after the deadline. */
export interface Dropped {
  readonly first: number | null;
  readonly last: number | null;
  readonly views: number;
  readonly dropped: number;
}

/** How long a leave may take to reach every view before the sample is given up. */
const LEAVE_DEADLINE_MS = 10_000;
/** autobahn joins in flight (fox answers ~900 autobahn joins/s). */
const OPENING = 32;
/** Raw joins in flight: enough to keep fox busy (measured 1.5× the rate of 64). */
const RAW_OPENING = 256;
/**
 * fox reports no authid/authrole (ROUTERS.md), so the relay's projection gives each entry an
 * authid and authrole of the usual size, as a real entry would carry: ~70 bytes on the wire.
 */
const project = (s: SessionDetails) => ({ session: s.session, authid: `user-${s.session % 1_000_000}`, authrole: 'user' });

const url = process.argv[2];
if (!url) throw new Error('usage: presence-process.ts ws://127.0.0.1:PORT');
const port = Number(new URL(url).port);
const now = (): number => performance.timeOrigin + performance.now();

const clients: TestClient[] = [];
const views: LiveSessionView[] = [];
const members: RawMember[] = [];
const leavers: RawMember[] = [];
const service: { client?: TestClient; meta?: SessionMeta; live?: LiveSessionView; relay?: PresenceRelay } = {};
/** Session id → when the views here dropped it: first, last, how many. */
const drops = new Map<number, { first: number; last: number; count: number }>();
const dropWaiters = new Set<() => void>();
const errors: Record<string, number> = {};
const countError = (error: Error): void => void (errors[error.name] = (errors[error.name] ?? 0) + 1);

async function startRelay({ prefix, heartbeatMs }: PresenceSettings): Promise<{ ms: number; size: number }> {
  const t0 = performance.now();
  service.client = await connectClient(url as string, { authid: 'presence-service', authrole: 'relay' });
  service.meta = new SessionMeta(service.client.session);
  service.live = service.meta.liveSessions();
  service.live.on('error', countError);
  await service.live.ready;
  service.relay = publishPresence(service.live, { prefix, project, ...(heartbeatMs !== undefined && { heartbeatMs }) });
  service.relay.errors$.subscribe(countError);
  await service.relay.ready;
  return { ms: performance.now() - t0, size: service.live.size };
}

async function connect(n: number, role: string): Promise<{ open: number; ms: number }> {
  const t0 = performance.now();
  let wanted = n;
  const opener = async (): Promise<void> => {
    while (wanted > 0) {
      wanted--;
      clients.push(await connectClient(url as string, { authid: `${role}-${clients.length}`, authrole: role }));
    }
  };
  await Promise.all(Array.from({ length: OPENING }, opener));
  return { open: clients.length, ms: performance.now() - t0 };
}

function onLeft(session: SessionDetails): void {
  const at = now();
  const seen = drops.get(session.session);
  if (seen) {
    seen.last = at;
    seen.count++;
  } else drops.set(session.session, { first: at, last: at, count: 1 });
  dropWaiters.forEach((wake) => wake());
}

/** A view on every client here, `wave` at a time: the next ones start when those are ready. */
async function start(kind: ViewKind, { prefix, callTimeoutMs }: PresenceSettings, wave: number): Promise<Started> {
  const t0 = performance.now();
  const mirror = { prefix, ...(callTimeoutMs !== undefined && { callTimeoutMs }) };
  const started: LiveSessionView[] = [];
  const readyMs: number[] = [];
  let relapses = 0;
  for (let at = 0; at < clients.length; at += wave) {
    const batch = clients.slice(at, at + wave).map((client) => (kind === 'mirror' ? mirrorPresence(client.session, mirror) : new SessionMeta(client.session).liveSessions()));
    for (const view of batch) {
      let live = false;
      view.on('error', countError).on('left', onLeft);
      view.on('status', (status) => (live && status !== 'live' ? relapses++ : (live ||= status === 'live')));
    }
    views.push(...batch);
    started.push(...batch);
    readyMs.push(...(await Promise.all(batch.map((view) => view.ready.then(() => performance.now() - t0)))));
  }
  const statuses: Record<string, number> = {};
  for (const view of started) statuses[view.status] = (statuses[view.status] ?? 0) + 1;
  return { readyMs, sizes: started.map((view) => view.size), statuses, relapses };
}

async function leave(): Promise<{ id: number; at: number }> {
  const member = leavers.shift();
  if (!member) throw new Error('no leaver left');
  const at = now();
  void member.leave();
  return { id: member.id, at };
}

async function dropped(id: number): Promise<Dropped> {
  const all = (): boolean => (drops.get(id)?.count ?? 0) >= views.length;
  if (!all()) {
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, LEAVE_DEADLINE_MS);
      function done(): void {
        clearTimeout(timer);
        dropWaiters.delete(check);
        resolve();
      }
      function check(): void {
        if (all()) done();
      }
      dropWaiters.add(check);
    });
  }
  const seen = drops.get(id);
  return { first: seen?.first ?? null, last: all() ? (seen?.last ?? null) : null, views: views.length, dropped: seen?.count ?? 0 };
}

function usage(): Usage {
  const { user, system } = process.cpuUsage();
  collect();
  const memory = process.memoryUsage();
  return { cpuMs: (user + system) / 1000, heapMiB: memory.heapUsed / 2 ** 20, rssMiB: memory.rss / 2 ** 20, errors };
}

async function join(into: RawMember[], n: number, name: string): Promise<{ open: number; ms: number; ids: number[] }> {
  const t0 = performance.now();
  const joined = await joinMany(port, 'realm1', n, RAW_OPENING, (i) => ({ authid: `${name}-${into.length + i}`, authrole: 'member' }));
  into.push(...joined);
  return { open: into.length, ms: performance.now() - t0, ids: joined.map((m) => m.id) };
}

async function handle(command: PresenceCommand): Promise<unknown> {
  if ('relay' in command) return startRelay(command.relay);
  if ('members' in command) return join(members, command.members, 'member');
  if ('leavers' in command) return join(leavers, command.leavers, 'leaver');
  if ('connect' in command) return connect(command.connect.n, command.connect.role);
  if ('start' in command) return start(command.start.kind, command.start.settings, command.start.wave);
  if ('leave' in command) return leave();
  if ('dropped' in command) return dropped(command.dropped);
  return usage();
}

emit({ ready: true });
serve(
  (command) => handle(command as PresenceCommand),
  async () => {
    for (const view of views) view.dispose();
    service.relay?.dispose();
    service.live?.dispose();
    service.meta?.dispose();
    await Promise.all([...clients, ...(service.client ? [service.client] : [])].map((c) => c.close()));
  },
);
