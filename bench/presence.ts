/**
 * Benchmark 6: presence for everyone. On one fox-wamp router (its own process, counting every
 * CALL and PUBLISH by role: call-counter.ts), a relay (`publishPresence` over `liveSessions()`, in
 * its own process) republishes a presence of `members` sessions (raw WebSocket members from a
 * fleet process: raw-wamp.ts). Then, side by side on the same presence:
 * - `mirrors` autobahn sessions each start a `mirrorPresence`, all at once;
 * - `liveClients` autobahn sessions each start their own `liveSessions()`, all at once
 *   (list + one `get` per member each: what stops it far short of the mirrors' number).
 * Clients run `perProcess` to a process (presence-process.ts): one Node process holding all of
 * them is what breaks first (see bench/README.md). For each kind: time until every view is ready,
 * the calls each client made and the meta calls the router answered for them (counted in the
 * router), CPU per view in router, relay and clients, and for `leaves` sessions leaving one at a
 * time, the delay until the first and until every view dropped it.
 */
import { performance } from 'node:perf_hooks';
import type { CallCounts, UriCount } from './call-counter';
import type { Dropped, PresenceSettings, Started, Usage, ViewKind } from './presence-process';
import { spawnTs, type Child } from './procs';
import type { PresenceScale } from './scale';
import { sleep, summarize, type Summary } from './stats';

const PREFIX = 'com.example.presence';

/** The SDK's defaults (heartbeat 10 s, call timeout 10 s); `BENCH_PRESENCE_*` env overrides for experiments. */
const env = (name: string): number | undefined => (process.env[name] ? Number(process.env[name]) : undefined);
const SETTINGS: PresenceSettings = { prefix: PREFIX, heartbeatMs: env('BENCH_PRESENCE_HEARTBEAT_MS'), callTimeoutMs: env('BENCH_PRESENCE_CALL_TIMEOUT_MS') };
const ROLES: Record<ViewKind, string> = { mirror: 'mirror', live: 'live-client' };

/** One kind of view: everything measured for it. */
export interface ViewsRow {
  readonly kind: ViewKind;
  readonly clients: number;
  readonly processes: number;
  /** Views each clients process started together (the next ones once those were ready). */
  readonly wave: number;
  /** Opening the clients' autobahn sessions (before any view starts). */
  readonly connectMs: number;
  /** From the start until every view was ready. */
  readonly allReadyMs: number;
  /** Each view's time until ready. */
  readonly readyMs: Summary;
  /** How many sessions the views held when ready (every view the same: min = max). */
  readonly sizes: { readonly min: number; readonly max: number };
  /** Views in each status once all were ready, and status changes after their first `live`. */
  readonly statuses: Record<string, number>;
  readonly relapses: number;
  /** `error` events of the views, by error name. */
  readonly errors: Record<string, number>;
  /** CPU from the start until every view was ready, per view (ms). */
  readonly cpuPerView: { readonly router: number; readonly relay: number; readonly clients: number };
  /** What starting the views added to the clients processes' heap (after a full GC), per view (MiB). */
  readonly heapPerViewMiB: number;
  /** The clients' calls the router handled, by URI (per-session min/max). */
  readonly calls: Record<string, UriCount>;
  readonly leaves: {
    readonly firstMs: Summary;
    readonly allMs: Summary;
    /** 99th percentile of `allMs` (from 50 leaves: between the two slowest). */
    readonly allP99Ms: number;
    /** Leaves that some view had not dropped after 10 s. */
    readonly lost: number;
  };
}

export interface PresenceResults {
  readonly settings: PresenceSettings;
  readonly members: number;
  /** Joining the members, and the router's CPU for it. */
  readonly population: { readonly ms: number; readonly joinsPerS: number; readonly routerCpuMs: number };
  /** The relay's publications for those joins (coalesced: far fewer than joins). */
  readonly relayChanges: number;
  readonly relayStartMs: number;
  readonly relayErrors: Record<string, number>;
  readonly mirrors: ViewsRow;
  readonly live: ViewsRow;
  /** Every call and publication the router handled, by role and URI. */
  readonly counts: CallCounts;
}

function quantile(samples: readonly number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  return sorted[lo]! + (sorted[Math.ceil(at)]! - sorted[lo]!) * (at - lo);
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);
/** Adds up counts by name. */
function merge(records: ReadonlyArray<Record<string, number>>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const record of records) for (const [name, n] of Object.entries(record)) out[name] = (out[name] ?? 0) + n;
  return out;
}
const routerCpu = async (router: Child): Promise<number> => (await router.ask<{ cpuMs: number }>({ cpu: true })).cpuMs;
const usageOf = (child: Child): Promise<Usage> => child.ask<Usage>({ usage: true });
const changesOf = (counts: CallCounts): number => counts.publications.relay?.[`${PREFIX}.on_change`]?.count ?? 0;

/** `read()` once it gave the same value three times 100 ms apart (the relay may still be catching up). */
async function settled(read: () => Promise<number>): Promise<number> {
  const seen = [await read()];
  while (seen.length < 3 || new Set(seen.slice(-3)).size > 1) {
    await sleep(100);
    seen.push(await read());
  }
  return seen[seen.length - 1]!;
}

class Processes {
  readonly #children: Child[] = [];
  constructor(private readonly url: string) {}

  async start(): Promise<Child> {
    const child = spawnTs('bench/presence-process.ts', [this.url]);
    this.#children.push(child);
    await child.next();
    return child;
  }

  async stop(): Promise<void> {
    for (const child of this.#children.splice(0).reverse()) await child.stop(30_000);
  }
}

/** `n` views of one kind in `ceil(n / perProcess)` fresh clients processes, then `leaves` leaves. */
async function views(kind: ViewKind, n: number, scale: PresenceScale, router: Child, relay: Child, url: string, log: (m: string) => void): Promise<ViewsRow> {
  const processes = new Processes(url);
  try {
    const wave = env('BENCH_PRESENCE_WAVE') ?? scale.wave;
    const sizes = Array.from({ length: Math.ceil(n / scale.perProcess) }, (_, i) => Math.min(scale.perProcess, n - i * scale.perProcess));
    const clients = await Promise.all(sizes.map(() => processes.start()));
    const [first] = clients as [Child];
    await first.ask({ leavers: scale.leaves });
    log(`presence: connecting ${n} ${kind} clients (${clients.length} processes)`);
    const t0 = performance.now();
    await Promise.all(clients.map((c, i) => c.ask({ connect: { n: sizes[i], role: ROLES[kind] } })));
    const connectMs = performance.now() - t0;

    const usage = () => Promise.all(clients.map(usageOf));
    const idle = await usage();
    const before = { router: await routerCpu(router), relay: (await usageOf(relay)).cpuMs, clients: sum(idle.map((u) => u.cpuMs)), heapMiB: sum(idle.map((u) => u.heapMiB)) };
    log(`presence: starting ${n} ${kind === "mirror" ? "mirrors" : "liveSessions()"}, ${wave} at a time per process`);
    const t1 = performance.now();
    const started = await Promise.all(clients.map((c) => c.ask<Started>({ start: { kind, settings: SETTINGS, wave } })));
    const allReadyMs = performance.now() - t1;
    const after = { router: await routerCpu(router), relay: (await usageOf(relay)).cpuMs, usage: await usage() };
    const held = started.flatMap((s) => s.sizes);

    log(`presence: ${scale.leaves} leaves, one at a time`);
    const first$: number[] = [];
    const all$: number[] = [];
    for (let i = 0; i < scale.leaves; i++) {
      const { id, at } = await first.ask<{ id: number; at: number }>({ leave: true });
      const drops = await Promise.all(clients.map((c) => c.ask<Dropped>({ dropped: id })));
      const firsts = drops.flatMap((d) => (d.first === null ? [] : [d.first]));
      if (firsts.length > 0) first$.push(Math.min(...firsts) - at);
      if (drops.every((d) => d.last !== null)) all$.push(Math.max(...drops.map((d) => d.last as number)) - at);
    }
    const counts = await router.ask<CallCounts>({ calls: true });
    return {
      kind,
      clients: n,
      processes: clients.length,
      wave,
      connectMs,
      allReadyMs,
      readyMs: summarize(started.flatMap((s) => s.readyMs)),
      sizes: { min: Math.min(...held), max: Math.max(...held) },
      statuses: merge(started.map((s) => s.statuses)),
      relapses: sum(started.map((s) => s.relapses)),
      errors: merge(after.usage.map((u) => u.errors)),
      cpuPerView: {
        router: (after.router - before.router) / n,
        relay: (after.relay - before.relay) / n,
        clients: (sum(after.usage.map((u) => u.cpuMs)) - before.clients) / n,
      },
      heapPerViewMiB: (sum(after.usage.map((u) => u.heapMiB)) - before.heapMiB) / n,
      calls: counts.calls[ROLES[kind]] ?? {},
      leaves: {
        firstMs: summarize(first$.length > 0 ? first$ : [Number.NaN]),
        allMs: summarize(all$.length > 0 ? all$ : [Number.NaN]),
        allP99Ms: all$.length > 0 ? quantile(all$, 0.99) : Number.NaN,
        lost: scale.leaves - all$.length,
      },
    };
  } finally {
    await processes.stop();
  }
}

export async function benchPresence(scale: PresenceScale, log: (message: string) => void): Promise<PresenceResults> {
  const router = spawnTs('bench/router-process.ts', ['--count-calls']);
  try {
    const { url } = await router.next<{ url: string }>();
    const services = new Processes(url);
    try {
      const relay = await services.start();
      const { ms: relayStartMs } = await relay.ask<{ ms: number }>({ relay: SETTINGS });
      log(`presence: ${scale.members} raw members joining`);
      const fleet = await services.start();
      const router0 = await routerCpu(router);
      const changes0 = changesOf(await router.ask<CallCounts>({ calls: true }));
      const { open, ms } = await fleet.ask<{ open: number; ms: number }>({ members: scale.members });
      const routerCpuMs = (await routerCpu(router)) - router0;
      const relayChanges = (await settled(() => router.ask<CallCounts>({ calls: true }).then(changesOf))) - changes0;

      const mirrors = await views('mirror', scale.mirrors, scale, router, relay, url, log);
      const live = await views('live', scale.liveClients, scale, router, relay, url, log);
      const { errors: relayErrors } = await usageOf(relay);
      return {
        settings: SETTINGS,
        members: open,
        population: { ms, joinsPerS: (open / ms) * 1000, routerCpuMs },
        relayChanges,
        relayStartMs,
        relayErrors,
        mirrors,
        live,
        counts: await router.ask<CallCounts>({ calls: true }),
      };
    } finally {
      await services.stop();
    }
  } finally {
    await router.stop(30_000);
  }
}
