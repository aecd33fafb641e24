/**
 * Benchmark 2: per-event cost of the live set, in-process (no router). Sets of each size are
 * built from Crossbar-shaped on_join events, then timed under steady-state traffic:
 * - `pair`: a new session joins and leaves again (the set stays at N, N+1),
 * - `churn`: a new session joins and the oldest one leaves (every entry rotates, as in a real
 *   realm; it touches old entries, so it also shows the cache misses of a big Map).
 * The same traffic also goes to a bare `Map<id, details>` (set on join, get + delete on leave) of
 * the same size: the floor any id-keyed set pays, whose growth with size is the CPU caches', not
 * the SDK's. All sets live in one heap and are timed round-robin (rotating who goes first), so
 * the large/small ratios are measured side by side.
 */
import { performance } from 'node:perf_hooks';
import { crossbarDetails, sessionId, shallowDetails, type Details } from './crossbar-details';
import { fakeLive } from './fake-live';
import type { Scale } from './scale';
import { ratios, rotate, summarize, type Summary } from './stats';

export type Pattern = 'pair' | 'churn';
const PATTERNS: readonly Pattern[] = ['pair', 'churn'];

export interface EventsRow {
  readonly sessions: number;
  readonly nsPerEvent: Record<Pattern, Summary>;
  readonly eventsPerSecond: Record<Pattern, Summary>;
  /** The bare-Map floor under the same traffic. */
  readonly floorNsPerEvent: Record<Pattern, Summary>;
}

export interface EventsResult {
  readonly pairs: number;
  readonly reps: number;
  readonly rows: EventsRow[];
  /** Per round: ns/event at the largest size / at the smallest. */
  readonly ratio: Record<Pattern, Summary>;
  readonly floorRatio: Record<Pattern, Summary>;
}

/** Where events go: the SDK's live set or the bare Map. */
interface Target {
  join(details: Details): void;
  leave(id: number): void;
  size(): number;
  /** Throws unless the target saw `events` more changes since the last call (SDK: both subscribers). */
  check(events: number): void;
}

interface Bench {
  readonly size: number;
  readonly target: Target;
  /** Ids in the set, oldest first from `head` (the churn queue). */
  readonly ids: number[];
  head: number;
}

let nextIndex = 0;
const fresh = (): Details => crossbarDetails(sessionId(nextIndex++));

async function sdkTarget(): Promise<Target & { dispose(): void }> {
  const set = await fakeLive();
  let last = set.seen();
  return {
    join: set.join,
    leave: set.leave,
    size: () => set.live.size,
    check(events) {
      const now = set.seen();
      if (now.changes - last.changes !== events || now.maps - last.maps !== events || now.size !== set.live.size) {
        throw new Error('events bench: a subscriber missed changes');
      }
      last = now;
    },
    dispose: () => set.dispose(),
  };
}

function floorTarget(): Target {
  const map = new Map<number, object>();
  return {
    join: (details) => void map.set(details.session, details),
    leave: (id) => void (map.get(id) && map.delete(id)),
    size: () => map.size,
    check: () => undefined,
  };
}

/** Base set: the SDK gets real details; the floor a shared value (its cost is in the keys). */
function fill(target: Target, size: number, floor: boolean): Bench {
  const ids: number[] = [];
  const shared = { session: 0 } as Details;
  for (let i = 0; i < size; i++) {
    const details = floor ? { ...shared, session: sessionId(nextIndex++) } : fresh();
    target.join(details);
    ids.push(details.session);
  }
  target.check(size);
  if (target.size() !== size) throw new Error(`base set has ${target.size()} sessions, expected ${size}`);
  return { size, target, ids, head: 0 };
}

/** ns per event for `pairs` join+leave pairs (payloads parsed before the clock starts). */
function time(bench: Bench, pattern: Pattern, pairs: number): number {
  const { target, ids } = bench;
  // Timed payloads share their nested dicts (the SDK reads only top-level fields), so the garbage
  // and GC pauses they cause are the SDK's rather than the harness's. No forced GC before the
  // clock: a full GC shrinks the young generation and the next rep pays for it (+30-60%
  // measured); GC is part of the steady-state cost, and the median over many short reps keeps
  // a major GC landing in one rep from deciding the figure.
  const payloads = Array.from({ length: pairs }, () => shallowDetails(sessionId(nextIndex++)));
  const t0 = performance.now();
  if (pattern === 'pair') {
    for (const details of payloads) {
      target.join(details);
      target.leave(details.session);
    }
  } else {
    for (const details of payloads) {
      target.join(details);
      target.leave(ids[bench.head++] as number);
      ids.push(details.session);
    }
  }
  const ms = performance.now() - t0;
  target.check(2 * pairs);
  if (target.size() !== bench.size) throw new Error(`events bench (${pattern}, ${bench.size}): the size drifted`);
  return (ms * 1e6) / (2 * pairs);
}

export async function run(scale: Scale): Promise<EventsResult> {
  const { sizes, pairs, reps } = scale.events;
  const sdk: Bench[] = [];
  const floor: Bench[] = [];
  const disposers: Array<() => void> = [];
  for (const size of sizes) {
    const target = await sdkTarget();
    disposers.push(target.dispose);
    sdk.push(fill(target, size, false));
    floor.push(fill(floorTarget(), size, true));
  }
  const all = [...sdk, ...floor];
  const samples = new Map<Bench, Record<Pattern, number[]>>(all.map((b) => [b, { pair: [], churn: [] }]));
  for (const bench of all) for (const pattern of PATTERNS) time(bench, pattern, pairs); // warm-up
  for (let round = 0; round < reps; round++) {
    for (const bench of rotate(all, round)) {
      for (const pattern of rotate(PATTERNS, round)) samples.get(bench)![pattern].push(time(bench, pattern, pairs));
    }
  }
  for (const dispose of disposers) dispose();

  const of = (bench: Bench, pattern: Pattern) => samples.get(bench)![pattern];
  const each = <T>(f: (pattern: Pattern) => T): Record<Pattern, T> => ({ pair: f('pair'), churn: f('churn') });
  const ratio = (benches: Bench[]) =>
    each((p) => summarize(ratios(of(benches[benches.length - 1] as Bench, p), of(benches[0] as Bench, p))));
  return {
    pairs,
    reps,
    rows: sdk.map((bench, i) => ({
      sessions: bench.size,
      nsPerEvent: each((p) => summarize(of(bench, p))),
      eventsPerSecond: each((p) => summarize(of(bench, p).map((ns) => 1e9 / ns))),
      floorNsPerEvent: each((p) => summarize(of(floor[i] as Bench, p))),
    })),
    ratio: ratio(sdk),
    floorRatio: ratio(floor),
  };
}
