/**
 * Benchmark 2: per-event cost of the live set, in-process (no router). Sets of each size are
 * built from Crossbar-shaped on_join events, then timed under steady-state traffic:
 * - `pair`: a new session joins and leaves again (the set stays at N, N+1),
 * - `churn`: a new session joins and the oldest one leaves (every entry rotates, as in a real
 *   realm; it touches old entries, so it also shows the cache misses of a big Map).
 * - `byAuthid` (issue 13, goal 3): `pair` traffic with `live.byAuthid()` called after every event,
 *   as a presence UI would; only the public method is used, so the figure holds whether it scans
 *   the set (O(N)) or reads an index. Its repetitions hold as many pairs as fit in about
 *   `repMs` (measured in a warm-up), since a scan at 100 000 sessions takes milliseconds.
 * Sessions have authids `user<k>`, two sessions per user.
 * The same traffic also goes to a bare `Map<id, details>` (set on join, get + delete on leave) of
 * the same size: the floor any id-keyed set pays, whose growth with size is the CPU caches', not
 * the SDK's; for `byAuthid` it also keeps a `Map<authid, Set<id>>` index up to date (the floor of
 * an indexed byAuthid). All sets live in one heap and are timed round-robin (rotating who goes
 * first), so the large/small ratios are measured side by side.
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

/** `pair` traffic with `byAuthid()` after every event, at one size. */
export interface ByAuthidRow {
  readonly sessions: number;
  /** Pairs per timed repetition (fitted to about `repMs`). */
  readonly pairs: number;
  readonly nsPerEvent: Summary;
  /** The bare Map with an authid index kept up to date. */
  readonly floorNsPerEvent: Summary;
}

export interface EventsResult {
  readonly pairs: number;
  readonly reps: number;
  readonly rows: EventsRow[];
  /** Per round: ns/event at the largest size / at the smallest. */
  readonly ratio: Record<Pattern, Summary>;
  readonly floorRatio: Record<Pattern, Summary>;
  readonly byAuthid: { readonly reps: number; readonly rows: ByAuthidRow[]; readonly ratio: Summary; readonly floorRatio: Summary };
}

/** Where events go: the SDK's live set or the bare Map. */
interface Target {
  join(details: Details): void;
  leave(id: number): void;
  size(): number;
  /** Sessions grouped by authid (the SDK: `live.byAuthid()`); returns the number of authids. */
  byAuthid(): number;
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
/** Two sessions per user. */
const authidOf = (index: number): string => `user${index >> 1}`;
const fresh = (): Details => {
  const index = nextIndex++;
  return crossbarDetails(sessionId(index), authidOf(index));
};
const timedPayload = (): Details => {
  const index = nextIndex++;
  return shallowDetails(sessionId(index), authidOf(index));
};

async function sdkTarget(): Promise<Target & { dispose(): void }> {
  const set = await fakeLive();
  let last = set.seen();
  return {
    join: set.join,
    leave: set.leave,
    size: () => set.live.size,
    byAuthid: () => set.live.byAuthid().size,
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
  const map = new Map<number, Details>();
  const index = new Map<unknown, Set<number>>();
  return {
    join(details) {
      map.set(details.session, details);
      const group = index.get(details.authid);
      if (group) group.add(details.session);
      else index.set(details.authid, new Set([details.session]));
    },
    leave(id) {
      const details = map.get(id);
      if (!details) return;
      map.delete(id);
      const group = index.get(details.authid)!;
      group.delete(id);
      if (group.size === 0) index.delete(details.authid);
    },
    size: () => map.size,
    byAuthid: () => index.size,
    check: () => undefined,
  };
}

/** Base set: the SDK gets real details; the floor small ones (its cost is in the keys). */
function fill(target: Target, size: number, floor: boolean): Bench {
  const ids: number[] = [];
  for (let i = 0; i < size; i++) {
    const index = nextIndex++;
    const details = floor ? { session: sessionId(index), authid: authidOf(index) } : fresh();
    target.join(details);
    ids.push(details.session);
  }
  target.check(size);
  if (target.size() !== size) throw new Error(`base set has ${target.size()} sessions, expected ${size}`);
  return { size, target, ids, head: 0 };
}

/**
 * Payloads are made this many pairs at a time, untimed, just before they are sent: as autobahn
 * parses each message on arrival, they die young. Made for a whole repetition at once (5 000
 * pairs, ~2.3 MB), they outlived two young-generation collections and were promoted, and copying
 * and promoting them cost more than everything the SDK does per event, at every size.
 */
const CHUNK = 100;

/** ns per event for `pairs` join+leave pairs (payloads parsed before the clock starts). */
function time(bench: Bench, pattern: Pattern | 'byAuthid', pairs: number): number {
  const { target, ids } = bench;
  // Timed payloads share their nested dicts (the SDK reads only top-level fields), so the garbage
  // and GC pauses they cause are the SDK's rather than the harness's. No forced GC before the
  // clock: a full GC shrinks the young generation and the next rep pays for it (+30-60%
  // measured); GC is part of the steady-state cost, and the median over many short reps keeps
  // a major GC landing in one rep from deciding the figure.
  let groups = 0;
  let ms = 0;
  for (let done = 0; done < pairs; done += CHUNK) {
    const payloads = Array.from({ length: Math.min(CHUNK, pairs - done) }, timedPayload);
    const t0 = performance.now();
    if (pattern === 'byAuthid') {
      for (const details of payloads) {
        target.join(details);
        groups += target.byAuthid();
        target.leave(details.session);
        groups += target.byAuthid();
      }
    } else if (pattern === 'pair') {
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
    ms += performance.now() - t0;
  }
  if (pattern === 'byAuthid' && groups < pairs) throw new Error('events bench: byAuthid() returned no groups');
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
  const byAuthid = timeByAuthid(sdk, floor, scale.events.byAuthid);
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
    byAuthid,
  };
}

/** `byAuthid` traffic: pairs per repetition fitted to about `repMs` per set, then round-robin. */
function timeByAuthid(sdk: Bench[], floor: Bench[], { reps, repMs }: Scale['events']['byAuthid']): EventsResult['byAuthid'] {
  const all = [...sdk, ...floor];
  const pairs = new Map<Bench, number>();
  for (const bench of all) {
    time(bench, 'byAuthid', 2); // warm-up
    const nsPerEvent = time(bench, 'byAuthid', 4);
    pairs.set(bench, Math.max(2, Math.min(5000, Math.round((repMs * 1e6) / (2 * nsPerEvent)))));
  }
  const samples = new Map<Bench, number[]>(all.map((b) => [b, []]));
  for (let round = 0; round < reps; round++) {
    for (const bench of rotate(all, round)) samples.get(bench)!.push(time(bench, 'byAuthid', pairs.get(bench)!));
  }
  const of = (bench: Bench) => samples.get(bench)!;
  const ratio = (benches: Bench[]) => summarize(ratios(of(benches[benches.length - 1] as Bench), of(benches[0] as Bench)));
  return {
    reps,
    rows: sdk.map((bench, i) => ({
      sessions: bench.size,
      pairs: pairs.get(bench)!,
      nsPerEvent: summarize(of(bench)),
      floorNsPerEvent: summarize(of(floor[i] as Bench)),
    })),
    ratio: ratio(sdk),
    floorRatio: ratio(floor),
  };
}
