/**
 * Benchmark 1: initial sync with details against the real router. Three ways to get every
 * session's details, each starting from nothing and ending with all of them in hand:
 * - `sdk`: `meta.liveSessions()` until `ready` (subscribe to both topics, `list`, pipelined `get`s),
 * - `naive`: `meta.list()`, then `await meta.get(id)` one by one,
 * - `unbounded`: raw `session.call('wamp.session.list')`, then `Promise.all` of every raw
 *   `session.call('wamp.session.get', [id])` at once (the fastest a hand-written client gets).
 * Variants alternate within each round (rotating who goes first) and ratios are taken per round.
 * CPU time of this process and of the router process is recorded around each sync too, to tell
 * whose work bounds it.
 */
import type { SessionMeta, WampSessionLike } from '../dist/index.mjs';
import { ratios, rotate, summarize, timeMs, type Summary } from './stats';

export type Variant = 'sdk' | 'naive' | 'unbounded';
const VARIANTS: readonly Variant[] = ['sdk', 'naive', 'unbounded'];

/** What a sync runs against: a SessionMeta on a session, and the router process's CPU clock. */
export interface SyncTarget {
  readonly meta: SessionMeta;
  readonly session: WampSessionLike;
  routerCpuMs(): Promise<number>;
}

/** Median CPU µs per synced session, in this process and in the router's. */
export interface CpuPerSession {
  readonly client: number;
  readonly router: number;
}

export interface SyncRow {
  readonly sessions: number;
  /** How many sessions each variant ended with (all equal, or the run is void). */
  readonly synced: number;
  readonly ms: Record<Variant, Summary>;
  readonly cpuUs: Record<Variant, CpuPerSession>;
  /** Per round: naive / sdk (higher is better for the SDK). */
  readonly speedupVsNaive: Summary;
  /** Per round: sdk / unbounded (1 = as fast as unbounded Promise.all). */
  readonly vsUnbounded: Summary;
}

export interface SweepRow {
  readonly sessions: number;
  readonly ms: Record<number, Summary>;
  readonly unboundedMs: Summary;
  /** The concurrency with the lowest median time. */
  readonly best: number;
  /** Per round: time at `best` / unbounded time. */
  readonly bestVsUnbounded: Summary;
}

/** autobahn hands a single result arg as is, more than one as `Result { args }` (fox flattens the list). */
function rawIds(value: unknown): number[] {
  if (value && typeof value === 'object' && Array.isArray((value as { args?: unknown }).args)) return (value as { args: number[] }).args;
  return Array.isArray(value) ? (value as number[]) : [value as number];
}

async function syncSdk(meta: SessionMeta, syncConcurrency?: number): Promise<number> {
  const live = meta.liveSessions(syncConcurrency === undefined ? undefined : { syncConcurrency });
  try {
    await live.ready;
    return live.size;
  } finally {
    live.dispose();
  }
}

async function syncNaive(meta: SessionMeta): Promise<number> {
  const ids = await meta.list();
  const details = [];
  for (const id of ids) details.push(await meta.get(id));
  return details.length;
}

async function syncUnbounded(session: WampSessionLike): Promise<number> {
  const ids = rawIds(await session.call('wamp.session.list'));
  const details = await Promise.all(ids.map((id) => session.call('wamp.session.get', [id])));
  return details.length;
}

interface Sample {
  readonly ms: number;
  readonly synced: number;
  readonly clientCpuMs: number;
  readonly routerCpuMs: number;
}

/**
 * Times one sync. Before it, a round trip makes sure the router has processed everything sent
 * before (e.g. the UNSUBSCRIBEs of the previous live set's dispose). No forced GC: a full GC
 * shrinks the young generation, and the allocation burst that follows (above all unbounded
 * Promise.all) then pays for extra scavenges (+50% measured); the heap stays in its steady state.
 */
async function timed(target: SyncTarget, run: () => Promise<number>): Promise<Sample> {
  await target.session.call('wamp.session.count');
  const router0 = await target.routerCpuMs();
  const cpu0 = process.cpuUsage();
  let synced = 0;
  const ms = await timeMs(async () => (synced = await run()));
  const cpu = process.cpuUsage(cpu0);
  const routerCpuMs = (await target.routerCpuMs()) - router0;
  return { ms, synced, clientCpuMs: (cpu.user + cpu.system) / 1000, routerCpuMs };
}

export async function benchSync(target: SyncTarget, sessions: number, reps: number): Promise<SyncRow> {
  const { meta, session } = target;
  const runs: Record<Variant, () => Promise<number>> = {
    sdk: () => syncSdk(meta),
    naive: () => syncNaive(meta),
    unbounded: () => syncUnbounded(session),
  };
  const samples: Record<Variant, Sample[]> = { sdk: [], naive: [], unbounded: [] };
  for (const variant of VARIANTS) await runs[variant](); // warm-up, untimed
  for (let round = 0; round < reps; round++) {
    for (const variant of rotate(VARIANTS, round)) samples[variant].push(await timed(target, runs[variant]));
  }
  const synced = new Set(VARIANTS.flatMap((v) => samples[v].map((s) => s.synced)));
  if (synced.size !== 1) throw new Error(`variants disagree on the number of sessions: ${[...synced].join(', ')}`);
  const n = [...synced][0] as number;
  const ms = (v: Variant) => samples[v].map((s) => s.ms);
  const cpu = (v: Variant): CpuPerSession => ({
    client: (summarize(samples[v].map((s) => s.clientCpuMs)).median * 1000) / n,
    router: (summarize(samples[v].map((s) => s.routerCpuMs)).median * 1000) / n,
  });
  return {
    sessions,
    synced: n,
    ms: { sdk: summarize(ms('sdk')), naive: summarize(ms('naive')), unbounded: summarize(ms('unbounded')) },
    cpuUs: { sdk: cpu('sdk'), naive: cpu('naive'), unbounded: cpu('unbounded') },
    speedupVsNaive: summarize(ratios(ms('naive'), ms('sdk'))),
    vsUnbounded: summarize(ratios(ms('sdk'), ms('unbounded'))),
  };
}

export async function benchSweep(target: SyncTarget, sessions: number, concurrency: readonly number[], reps: number): Promise<SweepRow> {
  const { meta, session } = target;
  const samples = new Map<number, number[]>([...concurrency, 0].map((c) => [c, []]));
  const variants = [...concurrency, 0]; // 0 = unbounded raw Promise.all, the reference
  for (const c of variants) await (c === 0 ? syncUnbounded(session) : syncSdk(meta, c)); // warm-up
  for (let round = 0; round < reps; round++) {
    for (const c of rotate(variants, round)) {
      const { ms } = await timed(target, () => (c === 0 ? syncUnbounded(session) : syncSdk(meta, c)));
      (samples.get(c) as number[]).push(ms);
    }
  }
  const ms: Record<number, Summary> = {};
  for (const c of concurrency) ms[c] = summarize(samples.get(c) as number[]);
  const best = [...concurrency].sort((a, b) => (ms[a] as Summary).median - (ms[b] as Summary).median)[0] as number;
  const unbounded = samples.get(0) as number[];
  return { sessions, ms, unboundedMs: summarize(unbounded), best, bestVsUnbounded: summarize(ratios(samples.get(best) as number[], unbounded)) };
}
