/** Renders the results of one bench run as bench/RESULTS.md: every figure with its spread. */
import type { BundleResult } from './bundle';
import type { CallsRow } from './calls';
import type { EventsResult, Pattern } from './events';
import type { MemoryResult } from './memory';
import type { PresenceResults, ViewsRow } from './presence';
import type { ScaleName } from './scale';
import type { Summary } from './stats';
import type { SweepRow, SyncRow, Variant } from './sync';

export interface NetworkResults {
  /** How long the fleet took to reach each size (fox's join rate). */
  growth: Array<{ open: number; ms: number }>;
  sync: SyncRow[];
  sweep: SweepRow[];
  calls: { realmSessions: number; batch: number; rows: CallsRow[] } | undefined;
  latency: { delayMs: number; rttUs: Summary; sync: SyncRow[]; sweep: SweepRow[] } | undefined;
}

export interface Results {
  scale: ScaleName;
  date: string;
  node: string;
  cpu: string;
  cores: number;
  memoryGiB: number;
  platform: string;
  durationS: number;
  /** Share of all cores busy with other processes, sampled just before and just after the run. */
  background: { before: number; after: number };
  bundle: BundleResult;
  events: EventsResult;
  memory: MemoryResult;
  network: NetworkResults;
  presence: PresenceResults;
}

const n = (x: number, digits: number) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** "12.3 (11.9–13.0)": median (min–max). */
const mm = (s: Summary, digits = 1) => `${n(s.median, digits)} (${n(s.min, digits)}–${n(s.max, digits)})`;
/** "12.3 (IQR 12.0–12.8)". */
const iqr = (s: Summary, digits = 1) => `${n(s.median, digits)} (IQR ${n(s.q1, digits)}–${n(s.q3, digits)})`;
const ratio = (s: Summary) => `${n(s.median, 2)}× (${n(s.min, 2)}–${n(s.max, 2)})`;
const kb = (bytes: number) => `${n(bytes / 1024, 1)} KiB`;
const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');
const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');

function syncTable(rows: SyncRow[]): string {
  const v: Variant[] = ['sdk', 'naive', 'unbounded'];
  return table(
    ['sessions (listed)', 'SDK liveSessions ms', 'naive loop ms', 'unbounded Promise.all ms', 'naive / SDK', 'SDK / unbounded', 'CPU µs/session here: SDK · naive · unbounded', 'router CPU µs/session: SDK · naive · unbounded'],
    rows.map((r) => [
      `${r.sessions} (${r.synced})`,
      mm(r.ms.sdk),
      mm(r.ms.naive),
      mm(r.ms.unbounded),
      ratio(r.speedupVsNaive),
      ratio(r.vsUnbounded),
      v.map((k) => n(r.cpuUs[k].client, 1)).join(' · '),
      v.map((k) => n(r.cpuUs[k].router, 1)).join(' · '),
    ]),
  );
}

function sweepTable(rows: SweepRow[]): string {
  const cs = Object.keys(rows[0]?.ms ?? {}).map(Number);
  return table(
    ['sessions', ...cs.map((c) => `c=${c} ms`), 'unbounded ms', 'best'],
    rows.map((r) => [String(r.sessions), ...cs.map((c) => mm(r.ms[c] as Summary)), mm(r.unboundedMs), `**${r.best}**`]),
  );
}

export function render(r: Results): string {
  const net = r.network;
  const ev = r.events;
  const m = r.memory;
  const first = ev.rows[0];
  const last = ev.rows[ev.rows.length - 1];
  const sdkRows = r.bundle.rows;
  const targets: string[][] = [
    ...net.sync.map((s) => ['1 · sync ≥ 10× faster than naive loop', `N=${s.sessions}, loopback`, ratio(s.speedupVsNaive), verdict(s.speedupVsNaive.median >= 10)]),
    ...(net.latency?.sync ?? []).map((s) => [
      '1 · sync ≥ 10× faster than naive loop',
      `N=${s.sessions}, +${net.latency!.delayMs} ms each way (RTT ${n(net.latency!.rttUs.median / 1000, 2)} ms)`,
      ratio(s.speedupVsNaive),
      verdict(s.speedupVsNaive.median >= 10),
    ]),
    ...net.sync.map((s) => ['1 · sync within 1.2× of unbounded Promise.all', `N=${s.sessions}, loopback`, ratio(s.vsUnbounded), verdict(s.vsUnbounded.median <= 1.2)]),
    ...(net.latency?.sync ?? []).map((s) => [
      '1 · sync within 1.2× of unbounded Promise.all',
      `N=${s.sessions}, +${net.latency!.delayMs} ms each way`,
      ratio(s.vsUnbounded),
      verdict(s.vsUnbounded.median <= 1.2),
    ]),
    ...[...net.sweep, ...(net.latency?.sweep ?? [])].map((s, i) => [
      '1 · best syncConcurrency (default 256)',
      `N=${s.sessions}${i >= net.sweep.length ? ', with latency' : ', loopback'}`,
      `${s.best} (${n((s.ms[s.best] as Summary).median, 1)} ms vs ${n((s.ms[256] as Summary | undefined)?.median ?? NaN, 1)} ms at the default 256); ${ratio(s.bestVsUnbounded)} unbounded`,
      s.bestVsUnbounded.median <= 1.2 ? 'within 1.2× of unbounded' : 'still > 1.2× unbounded',
    ]),
    ...(['pair', 'churn'] as Pattern[]).map((p) => [
      `2 · per-event cost ${last?.sessions} / ${first?.sessions} ≤ 1.3`,
      p === 'pair' ? 'join+leave of a new session' : 'join new + leave oldest',
      ratio(ev.ratio[p]),
      verdict(ev.ratio[p].median <= 1.3),
    ]),
    ...(net.calls?.rows ?? []).map((c) => [
      `3 · call overhead ≤ 1.05`,
      c.procedure,
      `${ratio(c.ratio)}; ${c.overheadUs.median >= 0 ? '+' : '−'}${n(Math.abs(c.overheadUs.median), 2)} µs/call`,
      verdict(c.ratio.median <= 1.05),
    ]),
    ...presenceTargets(r.presence),
    ['4 · heap back within 5% after join/leave cycles', `${m.cycles.toLocaleString('en-US')} cycles`, `${n(m.cycleGrowth * 100, 2)}%`, verdict(Math.abs(m.cycleGrowth) <= 0.05)],
  ];

  return `# Benchmark results

Generated by \`npm run bench\` (bench/run.ts${r.scale === 'full' ? '' : `, scale **${r.scale}**`}); method and analysis in [README.md](README.md).

- Date: ${r.date}
- Node ${r.node} on ${r.platform}
- CPU: ${r.cpu} × ${r.cores} cores, ${n(r.memoryGiB, 0)} GiB RAM
- Whole run: ${n(r.durationS, 0)} s
- Other processes' CPU use, sampled while the bench was idle just before and after it: ${n(r.background.before * 100, 0)}% / ${n(r.background.after * 100, 0)}% of all cores${
    Math.max(r.background.before, r.background.after) > 0.1 ? ' — **the machine was shared; expect wider spreads**' : ''
  }
- Router: fox-wamp 0.7.28 in its own process (test/helpers/fox-router.ts), on 127.0.0.1; idle sessions from another process; loopback round trip of one raw call: ${net.calls ? iqr(net.calls.rows[0]!.rawUs, 1) : '?'} µs (§3)

Figures are medians with (min–max) or (IQR) over the repetitions; every ratio is taken between
measurements made side by side in this run (per round, or per pair of batches).

## Targets

${table(['target', 'where', 'measured', 'verdict'], targets)}

## 1. Initial sync with details (real router, loopback)

Time from nothing to every session's details in hand. SDK: \`meta.liveSessions()\` until \`ready\`
(subscribes both topics, \`list\`, \`get\` × N with the default syncConcurrency, 256). Naive: \`meta.list()\` then
\`await meta.get(id)\` one by one. Unbounded: raw \`session.call\` of \`list\`, then \`Promise.all\` of
N raw \`get\` calls. fox lists its own internal session and the measuring one too, hence N+2.
CPU columns: CPU time of the measuring process and of the router process per synced session (medians).

${syncTable(net.sync)}

Fleet growth (fox join rate): ${net.growth.map((g) => `${g.open} open after ${n(g.ms / 1000, 1)} s`).join('; ')}.

### syncConcurrency sweep (loopback)

${sweepTable(net.sweep)}
${
  net.latency
    ? `
## 1b. The same through a latency proxy (+${net.latency.delayMs} ms each way)

bench/latency-proxy.ts delays each chunk in each direction; measured round trip of one call:
${iqr(net.latency.rttUs, 0)} µs. Only the measuring connection goes through it.

${syncTable(net.latency.sync)}

### syncConcurrency sweep (with latency)

${sweepTable(net.latency.sweep)}
`
    : ''
}
## 2. Per-event cost of the live set (in-process, no router)

A live set over test/helpers/fake-session.ts with one \`sessions$\` and one \`changes$\` subscriber,
base set built from Crossbar-shaped \`on_join\` details (02_on_join.json, ids varied); then
${ev.pairs.toLocaleString('en-US')} join+leave pairs per repetition, ${ev.reps} repetitions, all sizes
round-robin in one heap. *pair*: a new session joins and leaves; *churn*: a new one joins and the
oldest leaves. *Map floor*: the same traffic on a bare \`Map<id, details>\`.

${table(
  ['sessions', 'pair ns/event', 'pair events/s', 'churn ns/event', 'churn events/s', 'Map floor ns/event (pair · churn)'],
  ev.rows.map((row) => [
    row.sessions.toLocaleString('en-US'),
    mm(row.nsPerEvent.pair, 0),
    `${n(row.eventsPerSecond.pair.median / 1000, 0)} k`,
    mm(row.nsPerEvent.churn, 0),
    `${n(row.eventsPerSecond.churn.median / 1000, 0)} k`,
    `${n(row.floorNsPerEvent.pair.median, 0)} · ${n(row.floorNsPerEvent.churn.median, 0)}`,
  ]),
)}

Ratio ${last?.sessions} / ${first?.sessions}, per round: pair ${ratio(ev.ratio.pair)}, churn ${ratio(ev.ratio.churn)};
bare Map floor: pair ${ratio(ev.floorRatio.pair)}, churn ${ratio(ev.floorRatio.churn)}.

## 3. Call overhead (real router, loopback, ${net.calls?.realmSessions ?? '?'} sessions in the realm)

Sequential awaited calls on one connection, ${net.calls?.rows[0]?.calls ?? '?'} per variant, in batches of ${net.calls?.batch ?? '?'} rotating the variants; ratios per group of batches. The third variant is a second SessionMeta on the same session with \`callTimeoutMs: 0\` (no timer per call).

${table(
  ['procedure', 'SDK µs/call', 'raw µs/call', 'SDK / raw', 'SDK − raw µs', 'SDK with callTimeoutMs: 0, µs/call', 'that / raw', 'that − raw µs'],
  (net.calls?.rows ?? []).map((c) => [
    c.procedure,
    iqr(c.sdkUs),
    iqr(c.rawUs),
    ratio(c.ratio),
    iqr(c.overheadUs, 2),
    iqr(c.untimedUs),
    ratio(c.untimedRatio),
    iqr(c.untimedOverheadUs, 2),
  ]),
)}

## 4. Memory (in-process, --expose-gc, heap after full GC)

${table(
  ['what', 'bytes per session'],
  [
    [`raw Crossbar-shaped details alone (${m.sessions.toLocaleString('en-US')} fresh JSON.parse copies)`, n(m.rawBytesPerSession, 0)],
    ['live set on top of those same objects (overhead)', n(m.overheadBytesPerSession, 0)],
    ['live set holding everything (raw array dropped)', `${n(m.trackedBytesPerSession, 0)} (${n(m.trackedBytesPerSession / m.rawBytesPerSession, 2)}× the details)`],
  ],
)}

Join/leave cycles: ${m.cycles.toLocaleString('en-US')} (fresh details each) after a warm-up; heap ${n(m.heapBeforeCycles / 2 ** 20, 2)} MiB →
${n(m.heapAfterCycles / 2 ** 20, 2)} MiB (${n(m.cycleGrowth * 100, 2)}%, ${n(m.bytesPerCycle, 1)} bytes per cycle).

## 5. Bundle size (peers excluded)

esbuild ${r.bundle.esbuild}, ESM, minified, rxjs external; gzip level 9, brotli quality 11. dist/index.mjs unminified: ${kb(r.bundle.distBytes)}.

${table(
  ['entry', 'min', 'min+gz', 'min+br'],
  sdkRows.map((row) => [`\`${row.entry}\``, kb(row.minBytes), kb(row.gzipBytes), kb(row.brotliBytes)]),
)}

${presenceSection(r.presence)}`;
}

// ---- 6. presence ----

const META = 'wamp.session.';
const metaCalls = (row: ViewsRow) => Object.entries(row.calls).reduce((total, [uri, c]) => total + (uri.startsWith(META) ? c.count : 0), 0);
/** "get_state 1" or "get 10,152–10,160": per client, fewest–most. */
const callsPerClient = (row: ViewsRow) =>
  Object.entries(row.calls)
    .map(([uri, c]) => `${uri.slice(uri.lastIndexOf('.') + 1)} ${n(c.perSessionMin, 0)}${c.perSessionMax === c.perSessionMin ? '' : `–${n(c.perSessionMax, 0)}`}${c.sessions === row.clients ? '' : ` (${c.sessions} clients)`}`)
    .join(', ') || 'none';
const counted = (record: Record<string, number>) => Object.entries(record).map(([k, v]) => `${k} ${v}`).join(', ') || 'none';

function presenceTargets(p: PresenceResults): string[][] {
  const m = p.mirrors;
  const state = m.calls[`${p.settings.prefix}.get_state`];
  const where = `${m.clients} mirrors of ${n(p.members, 0)} members`;
  return [
    ['6 · one call per mirror', where, state ? `${state.perSessionMin}–${state.perSessionMax} (${state.sessions} mirrors called)` : 'none', verdict(state?.perSessionMin === 1 && state.perSessionMax === 1 && state.sessions === m.clients)],
    ['6 · no meta call answered for mirrors', where, n(metaCalls(m), 0), verdict(metaCalls(m) === 0)],
    ['6 · leave → every mirror dropped it, p99 ≤ 250 ms', `${where}, ${m.leaves.allMs.n} leaves`, `${n(m.leaves.allP99Ms, 0)} ms`, verdict(m.leaves.allP99Ms <= 250 && m.leaves.lost === 0)],
  ];
}

function presenceSection(p: PresenceResults): string {
  const { mirrors: m, live: l } = p;
  const rows: Array<[string, (row: ViewsRow) => string]> = [
    ['clients (processes; views started per process at a time)', (row) => `${n(row.clients, 0)} (${row.processes}; ${row.wave})`],
    ['sessions each view held when ready', (row) => (row.sizes.min === row.sizes.max ? n(row.sizes.min, 0) : `${n(row.sizes.min, 0)}–${n(row.sizes.max, 0)}`)],
    ['opening the clients’ sessions', (row) => `${n(row.connectMs / 1000, 1)} s`],
    ['**until every view was ready**', (row) => `**${n(row.allReadyMs / 1000, 1)} s**`],
    ['one view until ready, median (min–max)', (row) => `${mm({ ...row.readyMs, median: row.readyMs.median / 1000, min: row.readyMs.min / 1000, max: row.readyMs.max / 1000 })} s`],
    ['calls per client (counted by the router)', callsPerClient],
    ['**`wamp.session.*` calls the router answered for them**', (row) => `**${n(metaCalls(row), 0)}**`],
    ['router CPU per view', (row) => `${n(row.cpuPerView.router, 1)} ms`],
    ['relay process CPU per view', (row) => `${n(row.cpuPerView.relay, 1)} ms`],
    ['clients’ CPU per view', (row) => `${n(row.cpuPerView.clients, 1)} ms`],
    ['heap per view (after GC)', (row) => `${n(row.heapPerViewMiB, 2)} MiB`],
    ['status once all were ready; relapses; errors', (row) => `${counted(row.statuses)}; ${row.relapses}; ${counted(row.errors)}`],
    ['leave → first view dropped it, median (min–max)', (row) => `${mm(row.leaves.firstMs)} ms`],
    ['**leave → every view dropped it, p50 / p99**', (row) => `**${n(row.leaves.allMs.median, 1)} / ${n(row.leaves.allP99Ms, 1)} ms** (max ${n(row.leaves.allMs.max, 1)}; ${row.leaves.allMs.n} leaves, ${row.leaves.lost} lost)`],
  ];
  const perView = (row: ViewsRow, cpu: number) => cpu * row.clients;
  return `## 6. Presence: ${n(m.clients, 0)} mirrors beside ${n(l.clients, 0)} own live sets (real router, loopback)

One fox-wamp router in its own process counts every CALL and PUBLISH by the caller's role
(call-counter.ts). The relay (\`publishPresence\` over \`liveSessions()\`, SDK defaults: heartbeat
${p.settings.heartbeatMs ?? 10_000} ms, \`get_state\` deadline ${p.settings.callTimeoutMs ?? 10_000} ms) runs in its own process; its projection gives every entry an authid and authrole
of the usual size (fox reports none). ${n(p.members, 0)} members joined as raw WebSocket sessions (raw-wamp.ts) from a fleet
process in **${n(p.population.ms / 1000, 1)} s** (${n(p.population.joinsPerS, 0)} joins/s; router CPU ${n((p.population.routerCpuMs / p.members) * 1000, 0)} µs per join); the relay
published them in ${n(p.relayChanges, 0)} \`on_change\` publications. Then each kind of client, in fresh processes of
${n(Math.max(m.clients / m.processes, l.clients / l.processes), 0)} autobahn sessions at most, starts its views; the clients' own sessions are members too.
Leaves: ${m.leaves.allMs.n} raw members in the first clients process leave one after the other (GOODBYE); the
drops are timed in every clients process on the machine's clock (\`performance.timeOrigin + now()\`).

${table(
  ['', '`mirrorPresence`', 'own `liveSessions()`'],
  rows.map(([label, cell]) => [label, cell(m), cell(l)]),
)}

Per view, own live set / mirror, this run: router CPU ${n(l.cpuPerView.router / m.cpuPerView.router, 1)}×, router + relay CPU
${n((l.cpuPerView.router + l.cpuPerView.relay) / (m.cpuPerView.router + m.cpuPerView.relay), 1)}×, time until all ready per view ${n(l.allReadyMs / l.clients / (m.allReadyMs / m.clients), 1)}×.
${n(m.clients, 0)} own live sets would cost the router ≈ ${n(perView(m, l.cpuPerView.router) / 1000, 0)} s of CPU and ${n((metaCalls(l) / l.clients) * m.clients / 1e6, 2)} M meta calls (this run's
per-client figures × ${n(m.clients, 0)}), so this run stops at ${n(l.clients, 0)}. Relay errors: ${counted(p.relayErrors)}.
`;
}
