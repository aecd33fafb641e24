/**
 * Benchmark 1 (issue 13, goal 1): initial sync with details against the real router, the SDK
 * against the *fair raw equivalent*: the same work written by hand on the same autobahn session,
 * with nothing left out that the SDK's guarantees need:
 * - `raw`: subscribe `wamp.session.on_join` and `wamp.session.on_leave` and await both SUBSCRIBED,
 *   `list`, then every `get` at once (`Promise.all`), each answer into a `Map`; unsubscribe both.
 * - `c=K`: `meta.liveSessions({ syncConcurrency: K })` until `ready`, then `dispose()` (which
 *   unsubscribes too). K sweeps the values in scale.ts; `unbounded` is the largest safe integer
 *   (every `get` at once, as `raw` does).
 * Variants alternate within each round (rotating who goes first) and each SDK time is divided by
 * the raw time of the same round. CPU time of this process and of the router process is
 * recorded around each sync, to tell whose work bounds it.
 */
import type { SessionMeta, WampSessionLike } from '../dist/index.mjs';
import { ratios, rotate, summarize, timeMs, type Summary } from './stats';

/** `syncConcurrency` meaning "every get at once" (the option takes any positive safe integer). */
export const UNBOUNDED = Number.MAX_SAFE_INTEGER;

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

/** One variant at one size on one link. */
export interface VariantRow {
  /** `0` for raw, else the SDK's syncConcurrency. */
  readonly concurrency: number;
  readonly ms: Summary;
  readonly cpuUs: CpuPerSession;
  /** Per round: this time / raw time (1 for raw itself). */
  readonly vsRaw: Summary;
}

export interface SyncRow {
  readonly sessions: number;
  /** How many sessions each variant ended with (all equal, or the run is void). */
  readonly synced: number;
  /** Milliseconds added each way by the latency proxy (0: loopback). */
  readonly delayMs: number;
  readonly rounds: number;
  readonly raw: VariantRow;
  readonly sdk: VariantRow[];
}

/** autobahn hands a single result arg as is, more than one as `Result { args }` (fox flattens the list). */
function rawIds(value: unknown): number[] {
  if (value && typeof value === 'object' && Array.isArray((value as { args?: unknown }).args)) return (value as { args: number[] }).args;
  return Array.isArray(value) ? (value as number[]) : [value as number];
}

const ignore = (): void => undefined;

/** The fair raw equivalent, by hand on the session; returns how many sessions it holds. */
export async function syncRaw(session: WampSessionLike): Promise<number> {
  const subscriptions = await Promise.all([session.subscribe('wamp.session.on_join', ignore), session.subscribe('wamp.session.on_leave', ignore)]);
  try {
    const ids = rawIds(await session.call('wamp.session.list'));
    const sessions = new Map<number, unknown>();
    await Promise.all(ids.map((id) => Promise.resolve(session.call('wamp.session.get', [id])).then((details) => void sessions.set(id, details))));
    return sessions.size;
  } finally {
    for (const subscription of subscriptions) void session.unsubscribe(subscription as never);
  }
}

/** The SDK: a live set until `ready`; returns its size. */
export async function syncSdk(meta: SessionMeta, syncConcurrency?: number): Promise<number> {
  const live = meta.liveSessions(syncConcurrency === undefined ? undefined : { syncConcurrency });
  try {
    await live.ready;
    return live.size;
  } finally {
    live.dispose();
  }
}

interface Sample {
  readonly ms: number;
  readonly synced: number;
  readonly clientCpuMs: number;
  readonly routerCpuMs: number;
}

/**
 * Times one sync. Before it, a round trip makes sure the router has processed everything sent
 * before (e.g. the UNSUBSCRIBEs of the previous sync). No forced GC: a full GC shrinks the young
 * generation, and the allocation burst that follows (above all unbounded `Promise.all`) then pays
 * for extra scavenges (+50% measured); the heap stays in its steady state.
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

/** Raw and the SDK at each concurrency, `rounds` times each, interleaved. */
export async function benchSync(target: SyncTarget, sessions: number, delayMs: number, concurrency: readonly number[], rounds: number): Promise<SyncRow> {
  const variants = [0, ...concurrency]; // 0 = raw
  const run = (c: number) => (c === 0 ? syncRaw(target.session) : syncSdk(target.meta, c));
  const samples = new Map<number, Sample[]>(variants.map((c) => [c, []]));
  for (const c of variants) await run(c); // warm-up, untimed
  for (let round = 0; round < rounds; round++) {
    for (const c of rotate(variants, round)) samples.get(c)!.push(await timed(target, () => run(c)));
  }
  const synced = new Set([...samples.values()].flatMap((s) => s.map((x) => x.synced)));
  if (synced.size !== 1) throw new Error(`variants disagree on the number of sessions: ${[...synced].join(', ')}`);
  const n = [...synced][0] as number;
  const ms = (c: number) => samples.get(c)!.map((s) => s.ms);
  const row = (c: number): VariantRow => ({
    concurrency: c,
    ms: summarize(ms(c)),
    cpuUs: {
      client: (summarize(samples.get(c)!.map((s) => s.clientCpuMs)).median * 1000) / n,
      router: (summarize(samples.get(c)!.map((s) => s.routerCpuMs)).median * 1000) / n,
    },
    vsRaw: summarize(ratios(ms(c), ms(0))),
  });
  return { sessions, synced: n, delayMs, rounds, raw: row(0), sdk: concurrency.map(row) };
}

/** Per concurrency: the worst median ratio to raw over every size and link (lower is better). */
export function worstRatios(rows: readonly SyncRow[]): Map<number, number> {
  const worst = new Map<number, number>();
  for (const row of rows) {
    for (const v of row.sdk) worst.set(v.concurrency, Math.max(worst.get(v.concurrency) ?? 0, v.vsRaw.median));
  }
  return worst;
}
