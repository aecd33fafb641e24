/**
 * Goal 2 (issue 13): the SDK's own cost of a sync, with no router and no socket. An in-memory
 * session answers `list` and `get` at once (an already resolved promise) from 100 000 Crossbar
 * `get` answers (05_session_get.json, ~1.1 KB of JSON each, parsed once before timing, as
 * autobahn would hand them), so whatever is left is the caller's work:
 * - `sdk`: `meta.liveSessions()` (default syncConcurrency) until `ready`, then `dispose()`;
 * - `byHand`: the same calls by hand: `list`, then every `get` at once into a `Map`;
 * - `viaGet`: the same by hand through the SDK's typed calls (`meta.list()`, every `meta.get(id)`),
 *   so the Map holds the normalized `SessionDetails` the API defines (`{ session, authid?, …, raw }`):
 *   the floor of retained memory for any store of those objects keyed by id;
 * - `floor`: a bare `Map` fill from the answers (no calls, no promises).
 * Timed rounds alternate the three (rotating who goes first); ratios are per round. Then, untimed,
 * with a full GC before: peak heap during one sync (sampled every 1024 calls and at the end) and
 * the bytes each way retains per session after a full GC, beyond the details themselves (the
 * session holds those): heap while holding the result minus heap once it is released.
 */
import { getHeapStatistics } from 'node:v8';
import { SessionMeta, type SessionDetails, type WampSessionLike } from '../dist/index.mjs';
import { crossbarGetDetails, sessionId, type Details } from './crossbar-details';
import type { Scale } from './scale';
import { heapAfterGc, ratios, rotate, summarize, timeMs, type Summary } from './stats';

export type Way = 'sdk' | 'byHand' | 'viaGet' | 'floor';
const WAYS: readonly Way[] = ['sdk', 'byHand', 'viaGet', 'floor'];

export interface SdkSyncResult {
  readonly sessions: number;
  readonly rounds: number;
  readonly ms: Record<Way, Summary>;
  /** Per round: sdk / byHand and sdk / floor. */
  readonly sdkVsByHand: Summary;
  readonly sdkVsFloor: Summary;
  /** Heap above the pre-sync baseline at its sampled peak (bytes). */
  readonly peakHeap: Record<Way, number>;
  /** Bytes per session held after a full GC, beyond the details (which the session holds). */
  readonly retainedPerSession: Record<Way, number>;
}

const heapUsed = (): number => getHeapStatistics().used_heap_size;

/** Answers like Crossbar through autobahn: `list` -> `[ids]` (one arg), `get` -> the details dict. */
class InstantSession implements WampSessionLike {
  readonly id = 1;
  readonly isOpen = true;
  onleave = null;
  /** Called every 1024 calls while set (the peak-heap sampler). */
  sample: (() => void) | undefined;
  #calls = 0;

  constructor(
    readonly ids: readonly number[],
    readonly answers: ReadonlyMap<number, Details>,
  ) {}

  call(procedure: string, args?: unknown[]): Promise<unknown> {
    if (this.sample && (++this.#calls & 1023) === 0) this.sample();
    if (procedure === 'wamp.session.get') return Promise.resolve(this.answers.get(args?.[0] as number));
    if (procedure === 'wamp.session.list') return Promise.resolve(this.ids.slice());
    return Promise.reject(new Error(`InstantSession: ${procedure} not scripted`));
  }

  subscribe(): Promise<unknown> {
    return Promise.resolve({});
  }

  unsubscribe(): Promise<unknown> {
    return Promise.resolve(true);
  }
}

/** Each way of syncing, returning what it holds (so memory can be measured while it is held). */
function ways(session: InstantSession, meta: SessionMeta): Record<Way, () => Promise<{ size: number; release(): void }>> {
  return {
    async sdk() {
      const live = meta.liveSessions();
      await live.ready;
      return { size: live.size, release: () => live.dispose() };
    },
    async byHand() {
      const ids = (await session.call('wamp.session.list')) as number[];
      const sessions = new Map<number, unknown>();
      await Promise.all(ids.map((id) => session.call('wamp.session.get', [id]).then((details) => void sessions.set(id, details))));
      return { size: sessions.size, release: () => sessions.clear() };
    },
    async viaGet() {
      const ids = await meta.list();
      const sessions = new Map<number, SessionDetails>();
      await Promise.all(ids.map((id) => meta.get(id).then((details) => void sessions.set(id, details))));
      return { size: sessions.size, release: () => sessions.clear() };
    },
    async floor() {
      const sessions = new Map<number, unknown>();
      for (const [id, details] of session.answers) sessions.set(id, details);
      return { size: sessions.size, release: () => sessions.clear() };
    },
  };
}

export async function run(scale: Scale): Promise<SdkSyncResult> {
  const { sessions, rounds } = scale.sdkSync;
  const ids = Array.from({ length: sessions }, (_, i) => sessionId(i));
  const session = new InstantSession(ids, new Map(ids.map((id) => [id, crossbarGetDetails(id)])));
  const meta = new SessionMeta(session, { callTimeoutMs: 0 });
  const run = ways(session, meta);
  const check = (way: Way, size: number): void => {
    if (size !== sessions) throw new Error(`sdk-sync bench: ${way} ended with ${size} sessions, expected ${sessions}`);
  };

  // Every held result is dropped by assignment, and heaps are read on a fresh macrotask
  // (heapAfterGc): an async frame keeps what it last saw reachable, which would skew the readings.
  const samples: Record<Way, number[]> = { sdk: [], byHand: [], viaGet: [], floor: [] };
  let held: { size: number; release(): void } | undefined;
  const drop = (way: Way): void => {
    check(way, held!.size);
    held!.release();
    held = undefined;
  };
  for (const way of WAYS) {
    held = await run[way](); // warm-up
    drop(way);
  }
  for (let round = 0; round < rounds; round++) {
    for (const way of rotate(WAYS, round)) {
      samples[way].push(await timeMs(async () => (held = await run[way]())));
      drop(way);
    }
  }

  const peakHeap = {} as Record<Way, number>;
  const retainedPerSession = {} as Record<Way, number>;
  for (const way of WAYS) {
    const base = await heapAfterGc();
    let peak = base;
    session.sample = () => void (peak = Math.max(peak, heapUsed()));
    held = await run[way]();
    session.sample();
    session.sample = undefined;
    peakHeap[way] = peak - base;
    const holding = await heapAfterGc();
    drop(way);
    retainedPerSession[way] = (holding - (await heapAfterGc())) / sessions;
  }
  meta.dispose();

  return {
    sessions,
    rounds,
    ms: { sdk: summarize(samples.sdk), byHand: summarize(samples.byHand), viaGet: summarize(samples.viaGet), floor: summarize(samples.floor) },
    sdkVsByHand: summarize(ratios(samples.sdk, samples.byHand)),
    sdkVsFloor: summarize(ratios(samples.sdk, samples.floor)),
    peakHeap,
    retainedPerSession,
  };
}
