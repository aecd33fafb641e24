/**
 * Benchmark 1: initial sync with details against the real router. Three ways to get every
 * session's details, each starting from nothing and ending with all of them in hand:
 * - `sdk`: `meta.liveSessions()` until `ready` (subscribe to both topics, `list`, pipelined `get`s),
 * - `naive`: `meta.list()`, then `await meta.get(id)` one by one,
 * - `unbounded`: raw `session.call('wamp.session.list')`, then `Promise.all` of every raw
 *   `session.call('wamp.session.get', [id])` at once (the fastest a hand-written client gets).
 * Variants alternate within each round (rotating who goes first) and ratios are taken per round.
 */
import type { SessionMeta, WampSessionLike } from '../dist/index.mjs';
import { collect, ratios, rotate, summarize, timeMs, type Summary } from './stats';

export type Variant = 'sdk' | 'naive' | 'unbounded';

export interface SyncRow {
  readonly sessions: number;
  /** How many sessions each variant ended with (all equal, or the run is void). */
  readonly synced: number;
  readonly ms: Record<Variant, Summary>;
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
}

/** autobahn hands a single result arg as is, more than one as `Result { args }` (fox flattens the list). */
function rawIds(value: unknown): number[] {
  if (value && typeof value === 'object' && Array.isArray((value as { args?: unknown }).args)) return (value as { args: number[] }).args;
  return Array.isArray(value) ? (value as number[]) : [value as number];
}

export async function syncSdk(meta: SessionMeta, syncConcurrency?: number): Promise<number> {
  const live = meta.liveSessions(syncConcurrency === undefined ? undefined : { syncConcurrency });
  try {
    await live.ready;
    return live.size;
  } finally {
    live.dispose();
  }
}

export async function syncNaive(meta: SessionMeta): Promise<number> {
  const ids = await meta.list();
  const details = [];
  for (const id of ids) details.push(await meta.get(id));
  return details.length;
}

export async function syncUnbounded(session: WampSessionLike): Promise<number> {
  const ids = rawIds(await session.call('wamp.session.list'));
  const details = await Promise.all(ids.map((id) => session.call('wamp.session.get', [id])));
  return details.length;
}

/**
 * Times one sync. Before it: a GC, and a round trip that makes sure the router has processed
 * everything sent before (e.g. the UNSUBSCRIBEs of the previous live set's dispose).
 */
async function timed(session: WampSessionLike, run: () => Promise<number>): Promise<{ ms: number; synced: number }> {
  await session.call('wamp.session.count');
  collect();
  let synced = 0;
  const ms = await timeMs(async () => (synced = await run()));
  return { ms, synced };
}

export async function benchSync(meta: SessionMeta, session: WampSessionLike, sessions: number, reps: number): Promise<SyncRow> {
  const runs: Record<Variant, () => Promise<number>> = {
    sdk: () => syncSdk(meta),
    naive: () => syncNaive(meta),
    unbounded: () => syncUnbounded(session),
  };
  const ms: Record<Variant, number[]> = { sdk: [], naive: [], unbounded: [] };
  const synced = new Set<number>();
  for (const variant of Object.keys(runs) as Variant[]) await runs[variant](); // warm-up, untimed
  for (let round = 0; round < reps; round++) {
    for (const variant of rotate(Object.keys(runs) as Variant[], round)) {
      const result = await timed(session, runs[variant]);
      ms[variant].push(result.ms);
      synced.add(result.synced);
    }
  }
  if (synced.size !== 1) throw new Error(`variants disagree on the number of sessions: ${[...synced].join(', ')}`);
  return {
    sessions,
    synced: [...synced][0] as number,
    ms: { sdk: summarize(ms.sdk), naive: summarize(ms.naive), unbounded: summarize(ms.unbounded) },
    speedupVsNaive: summarize(ratios(ms.naive, ms.sdk)),
    vsUnbounded: summarize(ratios(ms.sdk, ms.unbounded)),
  };
}

export async function benchSweep(
  meta: SessionMeta,
  session: WampSessionLike,
  sessions: number,
  concurrency: readonly number[],
  reps: number,
): Promise<SweepRow> {
  const samples = new Map<number, number[]>(concurrency.map((c) => [c, []]));
  const unbounded: number[] = [];
  const variants = [...concurrency, 0]; // 0 = unbounded raw Promise.all, the reference
  for (let round = 0; round < reps; round++) {
    for (const c of rotate(variants, round)) {
      const { ms } = await timed(session, () => (c === 0 ? syncUnbounded(session) : syncSdk(meta, c)));
      (c === 0 ? unbounded : (samples.get(c) as number[])).push(ms);
    }
  }
  const ms: Record<number, Summary> = {};
  for (const [c, s] of samples) ms[c] = summarize(s);
  const best = [...concurrency].sort((a, b) => (ms[a] as Summary).median - (ms[b] as Summary).median)[0] as number;
  return { sessions, ms, unboundedMs: summarize(unbounded), best };
}
