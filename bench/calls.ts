/**
 * Benchmark 3: call overhead on one connection. `meta.count()` / `meta.get(id)` against the raw
 * `session.call(...)` they wrap: sequential calls (each awaited: the latency a caller sees), in
 * small batches that alternate the variants, rotating who goes first, so drift (JIT, GC, router
 * warm-up) hits all alike; ratios are taken per group of batches. A third variant, a SessionMeta
 * with `callTimeoutMs: 0`, shows what the per-call timeout timer costs.
 */
import { performance } from 'node:perf_hooks';
import { SessionMeta, type WampSessionLike } from '../dist/index.mjs';
import { ratios, rotate, summarize, type Summary } from './stats';

export interface CallsRow {
  readonly procedure: string;
  readonly calls: number;
  readonly sdkUs: Summary;
  readonly rawUs: Summary;
  /** SDK without the call timeout (`callTimeoutMs: 0`). */
  readonly untimedUs: Summary;
  /** Per group of batches: SDK µs / raw µs. */
  readonly ratio: Summary;
  /** Per group of batches: untimed SDK µs / raw µs. */
  readonly untimedRatio: Summary;
  /** Per group of batches: SDK µs - raw µs (the overhead itself, whatever the round trip). */
  readonly overheadUs: Summary;
  readonly untimedOverheadUs: Summary;
}

type Call = () => PromiseLike<unknown>;

/** µs per call over `n` sequential calls. */
async function batch(call: Call, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await call();
  return ((performance.now() - t0) * 1000) / n;
}

async function compare(procedure: string, variants: { sdk: Call; raw: Call; untimed: Call }, calls: number, size: number, warmup: number): Promise<CallsRow> {
  const names = ['sdk', 'raw', 'untimed'] as const;
  const us: Record<(typeof names)[number], number[]> = { sdk: [], raw: [], untimed: [] };
  for (const name of names) await batch(variants[name], warmup);
  for (let group = 0; group < calls / size; group++) {
    for (const name of rotate(names, group)) us[name].push(await batch(variants[name], size));
  }
  return {
    procedure,
    calls,
    sdkUs: summarize(us.sdk),
    rawUs: summarize(us.raw),
    untimedUs: summarize(us.untimed),
    ratio: summarize(ratios(us.sdk, us.raw)),
    untimedRatio: summarize(ratios(us.untimed, us.raw)),
    overheadUs: summarize(us.sdk.map((x, i) => x - (us.raw[i] as number))),
    untimedOverheadUs: summarize(us.untimed.map((x, i) => x - (us.raw[i] as number))),
  };
}

export async function benchCalls(
  meta: SessionMeta,
  session: WampSessionLike,
  id: number,
  opts: { calls: number; batch: number; warmup: number },
): Promise<CallsRow[]> {
  const { calls, batch: size, warmup } = opts;
  const untimed = new SessionMeta(session, { callTimeoutMs: 0 });
  try {
    return [
      await compare(
        'wamp.session.count',
        { sdk: () => meta.count(), raw: () => session.call('wamp.session.count'), untimed: () => untimed.count() },
        calls,
        size,
        warmup,
      ),
      await compare(
        'wamp.session.get',
        { sdk: () => meta.get(id), raw: () => session.call('wamp.session.get', [id]), untimed: () => untimed.get(id) },
        calls,
        size,
        warmup,
      ),
    ];
  } finally {
    untimed.dispose();
  }
}

/** Round trip of one raw call (µs), `n` sequential samples after as many unrecorded ones (JIT warm-up). */
export async function roundTrip(session: WampSessionLike, n: number): Promise<Summary> {
  await batch(() => session.call('wamp.session.count'), n);
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await batch(() => session.call('wamp.session.count'), 1));
  return summarize(samples);
}
