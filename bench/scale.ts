/**
 * Benchmark sizes. `BENCH_SCALE=tiny` (or `--scale=tiny`) runs every benchmark once at a tiny size
 * so the smoke test can prove the whole pipeline in seconds; the default `full` is what
 * RESULTS.md reports (budget: ~3 minutes on the 2-core bench machine).
 */
import { UNBOUNDED } from './sync';

export type ScaleName = 'full' | 'tiny';

export interface Scale {
  readonly name: ScaleName;
  /**
   * Benchmark 1: realm sizes; the SDK's syncConcurrency values swept against the fair raw
   * equivalent; rounds at each size, on loopback and through a proxy adding `delayMs` each way.
   */
  readonly sync: { readonly sizes: readonly number[]; readonly concurrency: readonly number[]; readonly delayMs: number; readonly rounds: (n: number) => number };
  /** Benchmark 1c: CPU profile of this many SDK syncs at the largest size. */
  readonly profile: { readonly syncs: number };
  /**
   * Benchmark 2: set sizes, join+leave pairs per timed repetition, repetitions; with `byAuthid()`
   * after every event, repetitions of about `repMs` each, at most `pairs` pairs (it was O(set
   * size) per call before its index; the cap keeps the fit for any future regression).
   */
  readonly events: { readonly sizes: readonly number[]; readonly pairs: number; readonly reps: number; readonly byAuthid: { readonly reps: number; readonly repMs: number } };
  /** Benchmark 3: calls per procedure and per side, batch size. */
  readonly calls: { readonly calls: number; readonly batch: number; readonly warmup: number };
  /** Benchmark 4: tracked sessions, join/leave cycles. */
  readonly memory: { readonly sessions: number; readonly cycles: number };
  /** Benchmark 1d: SDK-only sync through an in-memory session: sessions, timed rounds. */
  readonly sdkSync: { readonly sessions: number; readonly rounds: number };
  /** Benchmark 6: presence (presence.ts). */
  readonly presence: PresenceScale;
}

export interface PresenceScale {
  /** Members of the presence (raw sessions from the fleet process). */
  readonly members: number;
  /** Mirrors started at once, each on its own autobahn session. */
  readonly mirrors: number;
  /** Clients each running its own liveSessions(), started at once. */
  readonly liveClients: number;
  /** Sessions that leave one at a time, for the leave-to-drop delay. */
  readonly leaves: number;
  /** Clients (each with its view) per Node process. */
  readonly perProcess: number;
  /** Views a clients process starts together; the next ones start once those are ready. */
  readonly wave: number;
}

const FULL: Scale = {
  name: 'full',
  sync: { sizes: [1000, 5000, 10_000], concurrency: [64, 256, 1024, 4096, UNBOUNDED], delayMs: 2, rounds: (n) => (n <= 1000 ? 21 : n <= 5000 ? 9 : 5) },
  profile: { syncs: 5 },
  events: { sizes: [100, 10_000, 100_000], pairs: 5_000, reps: 25, byAuthid: { reps: 25, repMs: 60 } },
  calls: { calls: 2000, batch: 20, warmup: 1000 },
  memory: { sessions: 100_000, cycles: 100_000 },
  sdkSync: { sessions: 100_000, rounds: 7 },
  presence: { members: 10_000, mirrors: 1000, liveClients: 100, leaves: 50, perProcess: 250, wave: 25 },
};

const TINY: Scale = {
  name: 'tiny',
  sync: { sizes: [10], concurrency: [256, UNBOUNDED], delayMs: 1, rounds: () => 1 },
  profile: { syncs: 1 },
  events: { sizes: [10, 100, 1000], pairs: 100, reps: 1, byAuthid: { reps: 1, repMs: 2 } },
  calls: { calls: 20, batch: 5, warmup: 5 },
  memory: { sessions: 1000, cycles: 1000 },
  sdkSync: { sessions: 10_000, rounds: 1 }, // fewer: retained bytes drown in the heap's noise (1 000 once read -13 B)
  presence: { members: 20, mirrors: 5, liveClients: 3, leaves: 3, perProcess: 3, wave: 2 },
};

export function scaleFrom(argv: readonly string[] = process.argv, env: NodeJS.ProcessEnv = process.env): Scale {
  const arg = argv.find((a) => a.startsWith('--scale='))?.slice('--scale='.length);
  const name = arg ?? env.BENCH_SCALE ?? 'full';
  if (name === 'full') return FULL;
  if (name === 'tiny') return TINY;
  throw new Error(`unknown bench scale "${name}" (use full or tiny)`);
}
