/** Renders the results of one bench run as bench/RESULTS.md: every figure with its spread. */
import type { BundleResult, Size } from './bundle';
import type { CallsRow } from './calls';
import type { EventsResult, Pattern } from './events';
import type { MemoryResult } from './memory';
import { renderProfile, type ProfileResult } from './profile';
import type { PresenceResults, ViewsRow } from './presence';
import type { ScaleName } from './scale';
import type { SdkSyncResult, Way } from './sdk-sync';
import type { Summary } from './stats';
import { UNBOUNDED, worstRatios, type SyncRow } from './sync';

export interface NetworkResults {
  /** How long the fleet took to reach each size (fox's join rate). */
  growth: Array<{ open: number; ms: number }>;
  /** Milliseconds the latency proxy adds each way. */
  delayMs: number;
  /** Round trip of one raw call, on loopback and through the proxy. */
  rttUs: { loopback: Summary; delayed: Summary };
  /** Every size on both links. */
  sync: SyncRow[];
  calls: { realmSessions: number; batch: number; rows: CallsRow[] } | undefined;
  profile: ProfileResult | undefined;
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
  sdkSync: SdkSyncResult;
  network: NetworkResults;
  presence: PresenceResults;
}

/** What the SDK uses when syncConcurrency is not given (src/live/meta-source.ts). */
const DEFAULT_CONCURRENCY = 4096;

const n = (x: number, digits: number) => x.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
/** "12.3 (11.9–13.0)": median (min–max). */
const mm = (s: Summary, digits = 1) => `${n(s.median, digits)} (${n(s.min, digits)}–${n(s.max, digits)})`;
/** "12.3 (IQR 12.0–12.8)". */
const iqr = (s: Summary, digits = 1) => `${n(s.median, digits)} (IQR ${n(s.q1, digits)}–${n(s.q3, digits)})`;
const ratio = (s: Summary) => `${n(s.median, 2)}× (${n(s.min, 2)}–${n(s.max, 2)})`;
const kib = (bytes: number) => `${n(bytes / 1024, 1)} KiB`;
/** size-limit's unit: 1 kB = 1000 bytes. */
const kB = (bytes: number) => `${n(bytes / 1000, 2)} kB`;
const mib = (bytes: number) => `${n(bytes / 2 ** 20, 1)} MiB`;
const verdict = (ok: boolean) => (ok ? '**met**' : '**missed**');
const table = (head: string[], rows: string[][]) =>
  [`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
const concurrencyName = (c: number) => (c === UNBOUNDED ? 'unbounded' : String(c));
const linkName = (delayMs: number) => (delayMs === 0 ? 'loopback' : `+${delayMs} ms each way`);

/** The fixed syncConcurrency whose worst median ratio to raw, over every size and link, is lowest. */
function bestFixed(rows: readonly SyncRow[]): { concurrency: number; worst: number } | undefined {
  const worst = [...worstRatios(rows)].sort((a, b) => a[1] - b[1])[0];
  return worst && { concurrency: worst[0], worst: worst[1] };
}

function syncTable(rows: SyncRow[]): string {
  const cs = rows[0]?.sdk.map((v) => v.concurrency) ?? [];
  return table(
    ['sessions (listed)', 'link', 'raw ms', ...cs.map((c) => `c=${concurrencyName(c)}: ms · SDK/raw`), 'best'],
    rows.map((r) => {
      const best = [...r.sdk].sort((a, b) => a.vsRaw.median - b.vsRaw.median)[0]!;
      return [
        `${n(r.sessions, 0)} (${n(r.synced, 0)})`,
        linkName(r.delayMs),
        mm(r.raw.ms),
        ...r.sdk.map((v) => `${mm(v.ms)} · ${ratio(v.vsRaw)}`),
        `**${concurrencyName(best.concurrency)}**`,
      ];
    }),
  );
}

function cpuTable(rows: SyncRow[]): string {
  const cs = rows[0]?.sdk.map((v) => v.concurrency) ?? [];
  return table(
    ['sessions', 'link', 'raw', ...cs.map((c) => `c=${concurrencyName(c)}`)],
    rows.map((r) => [n(r.sessions, 0), linkName(r.delayMs), ...[r.raw, ...r.sdk].map((v) => `${n(v.cpuUs.client, 1)} · ${n(v.cpuUs.router, 1)}`)]),
  );
}

/** How many ns per event the largest set costs more than the smallest, the SDK's and the floor's. */
function growth(ev: EventsResult): string {
  const [a, z] = [ev.rows[0], ev.rows[ev.rows.length - 1]];
  const [ba, bz] = [ev.byAuthid.rows[0], ev.byAuthid.rows[ev.byAuthid.rows.length - 1]];
  if (!a || !z || !ba || !bz) return 'not measured';
  const plus = (ns: number) => `${ns >= 0 ? '+' : '−'}${n(Math.abs(ns), 0)} ns`;
  const pattern = (p: Pattern) => `${p} ${plus(z.nsPerEvent[p].median - a.nsPerEvent[p].median)} (Map ${plus(z.floorNsPerEvent[p].median - a.floorNsPerEvent[p].median)})`;
  return `${pattern('pair')}; ${pattern('churn')}; with \`byAuthid()\` ${plus(bz.nsPerEvent.median - ba.nsPerEvent.median)} (indexed Map ${plus(bz.floorNsPerEvent.median - ba.floorNsPerEvent.median)})`;
}

const sizeCells = (s: Size) => [kib(s.minBytes), kB(s.gzipBytes), kB(s.brotliBytes)];

function bundleTargets(b: BundleResult): string[][] {
  const gz = (entry: string) => b.rows.find((row) => row.entry.includes(entry))?.gzipBytes;
  const target = (name: string, entry: string, limit: number): string[] => {
    const bytes = gz(entry);
    return [`4 · ${name} ≤ ${limit / 1000} kB min+gz`, 'esbuild, rxjs/autobahn external', bytes === undefined ? 'not exported yet' : kB(bytes), bytes === undefined ? '**missed**' : verdict(bytes <= limit)];
  };
  return [target('whole package', 'export *', 9000), target('`SessionMeta` (with live sets)', '{ SessionMeta }', 6000), target('`mirrorPresence` alone', '{ mirrorPresence }', 3500)];
}

export function render(r: Results): string {
  const net = r.network;
  const ev = r.events;
  const m = r.memory;
  const s = r.sdkSync;
  const b = r.bundle;
  const first = ev.rows[0];
  const last = ev.rows[ev.rows.length - 1];
  const fixed = bestFixed(net.sync);
  const way: Record<Way, string> = {
    sdk: 'SDK `liveSessions()` until `ready`',
    byHand: 'by hand: `list`, every `get` at once into a Map',
    viaGet: 'by hand through `meta.list()` / `meta.get(id)` (normalized `SessionDetails`) into a Map',
    floor: 'bare Map fill (floor)',
  };
  const shares = net.profile?.shares.map((x) => `${x.category} ${n(x.share * 100, 0)}%`).join(', ') ?? '?';

  const targets: string[][] = [
    ...net.sync.map((row) => {
      const v = row.sdk.find((x) => x.concurrency === DEFAULT_CONCURRENCY);
      return [
        `1 · sync ≤ 1.1× the fair raw equivalent (default syncConcurrency ${DEFAULT_CONCURRENCY})`,
        `N=${n(row.sessions, 0)}, ${linkName(row.delayMs)}`,
        v ? ratio(v.vsRaw) : 'not measured',
        v ? verdict(v.vsRaw.median <= 1.1) : '**missed**',
      ];
    }),
    [
      '1 · one fixed syncConcurrency ≤ 1.1× raw at every N and link',
      `best of ${net.sync[0]?.sdk.map((v) => concurrencyName(v.concurrency)).join(', ')}`,
      fixed ? `c=${concurrencyName(fixed.concurrency)}: worst median ${n(fixed.worst, 2)}×` : '?',
      verdict(fixed !== undefined && fixed.worst <= 1.1),
    ],
    [`2 · SDK-only sync ≤ 1.5× by hand`, `${n(s.sessions, 0)} sessions, in memory`, ratio(s.sdkVsByHand), verdict(s.sdkVsByHand.median <= 1.5)],
    [`2 · retained ≤ 120 bytes/session beyond the details`, `${n(s.sessions, 0)} sessions, after full GC`, `${n(s.retainedPerSession.sdk, 0)} B (by hand ${n(s.retainedPerSession.byHand, 0)} B)`, verdict(s.retainedPerSession.sdk <= 120)],
    [
      '2 · floor: the API\'s `SessionDetails` kept by id (reported)',
      'by hand through `meta.get` into a Map',
      `${n(s.retainedPerSession.viaGet, 0)} B; the SDK adds ${n(s.retainedPerSession.sdk - s.retainedPerSession.viaGet, 0)} B to it`,
      '—',
    ],
    [`2 · peak heap during sync (reported)`, `${n(s.sessions, 0)} sessions`, `+${mib(s.peakHeap.sdk)} (by hand +${mib(s.peakHeap.byHand)})`, '—'],
    [
      `3 · per-event cost ${last?.sessions} / ${first?.sessions} ≤ 1.3, \`byAuthid()\` after every event`,
      'join+leave of a new session',
      ratio(ev.byAuthid.ratio),
      verdict(ev.byAuthid.ratio.median <= 1.3),
    ],
    ...(['pair', 'churn'] as Pattern[]).map((p) => [
      `3 · per-event cost ${last?.sessions} / ${first?.sessions} ≤ 1.3 (kept)`,
      p === 'pair' ? 'join+leave of a new session' : 'join new + leave oldest',
      ratio(ev.ratio[p]),
      verdict(ev.ratio[p].median <= 1.3),
    ]),
    [
      `3 · what grows with the set: ns/event at ${last?.sessions} minus at ${first?.sessions} (reported)`,
      'medians; beside it a bare Map doing the same',
      growth(ev),
      '—',
    ],
    ...bundleTargets(b),
    ['5 · where the time goes (profile)', `${n(net.profile?.sessions ?? 0, 0)}-session sync`, shares, '§1c'],
    ...(net.calls?.rows ?? []).map((c) => [
      `call overhead ≤ 1.05`,
      c.procedure,
      `${ratio(c.ratio)}; ${c.overheadUs.median >= 0 ? '+' : '−'}${n(Math.abs(c.overheadUs.median), 2)} µs/call`,
      verdict(c.ratio.median <= 1.05),
    ]),
    ...presenceTargets(r.presence),
    ['heap back within 5% after join/leave cycles', `${m.cycles.toLocaleString('en-US')} cycles`, `${n(m.cycleGrowth * 100, 2)}%`, verdict(Math.abs(m.cycleGrowth) <= 0.05)],
  ];

  const worst = [...worstRatios(net.sync)].map(([c, w]) => `c=${concurrencyName(c)} ${n(w, 2)}×`).join(', ');

  return `# Benchmark results

Generated by \`npm run bench\` (bench/run.ts${r.scale === 'full' ? '' : `, scale **${r.scale}**`}); method and analysis in [README.md](README.md).

- Date: ${r.date}
- Node ${r.node} on ${r.platform}
- CPU: ${r.cpu} × ${r.cores} cores, ${n(r.memoryGiB, 0)} GiB RAM
- Whole run: ${n(r.durationS, 0)} s
- Other processes' CPU use, sampled while the bench was idle just before and after it: ${n(r.background.before * 100, 0)}% / ${n(r.background.after * 100, 0)}% of all cores${
    Math.max(r.background.before, r.background.after) > 0.1 ? ' — **the machine was shared; expect wider spreads**' : ''
  }
- Router: fox-wamp 0.7.28 in its own process (test/helpers/fox-router.ts), on 127.0.0.1; idle autobahn sessions from another process; round trip of one raw call: ${iqr(net.rttUs.loopback, 0)} µs on loopback, ${iqr(net.rttUs.delayed, 0)} µs through the proxy (+${net.delayMs} ms each way)

Figures are medians with (min–max) or (IQR) over the repetitions; every ratio is taken between
measurements made side by side in this run (per round, or per pair of batches).

## Targets (issue 13)

${table(['target', 'where', 'measured', 'verdict'], targets)}

## 1. Initial sync with details vs the fair raw equivalent (real router)

Time from nothing to every session's details in hand, on the same autobahn session. *Raw*: by
hand, subscribe \`on_join\` and \`on_leave\` and await both, \`list\`, then every \`get\` at once into a
\`Map\` (what the SDK's guarantees need, without the SDK). *c=K*: \`meta.liveSessions({ syncConcurrency: K })\`
until \`ready\`; *unbounded* = every \`get\` at once. fox lists its own internal session and the two
measuring ones too, hence N+3. ${net.sync[0]?.rounds ?? '?'}–${net.sync[net.sync.length - 1]?.rounds ?? '?'} rounds per size, variants rotated; SDK/raw per round.

${syncTable(net.sync)}

Fleet growth (fox join rate, autobahn clients from one process): ${net.growth.map((g) => `${n(g.open, 0)} open after ${n(g.ms / 1000, 1)} s more`).join('; ')}.

Worst median SDK/raw over every size and link, per concurrency: ${worst}.
Best fixed value: **${fixed ? concurrencyName(fixed.concurrency) : '?'}**.

### 1b. CPU per synced session (µs, median): this process · router

${cpuTable(net.sync)}

### 1c. Where the time goes: CPU profile of the SDK's sync (goal 5)

${net.profile ? renderProfile(net.profile) : 'not run'}

### 1d. SDK-only sync (in memory, no router; goal 2)

${n(s.sessions, 0)} sessions whose \`get\` answers are Crossbar's (05_session_get.json, ~1.1 KB of JSON
each, parsed before timing); an in-memory session answers every call with a resolved promise.
${s.rounds} rounds, the four ways rotated. Memory: a full GC before, heap sampled every 1024 calls
and at the end (peak), then held minus released after full GCs (retained, beyond the details,
which the session holds).

${table(
  ['way', 'ms', 'µs/session', 'peak heap above baseline', 'retained bytes/session'],
  (['sdk', 'byHand', 'viaGet', 'floor'] as Way[]).map((w) => [way[w], mm(s.ms[w]), n((s.ms[w].median * 1000) / s.sessions, 2), `+${mib(s.peakHeap[w])}`, n(s.retainedPerSession[w], 0)]),
)}

SDK / by hand, per round: ${ratio(s.sdkVsByHand)}; SDK / floor: ${ratio(s.sdkVsFloor)}.

## 2. Per-event cost of the live set (in-process, no router)

A live set over test/helpers/fake-session.ts with one \`sessions$\` and one \`changes$\` subscriber,
base set built from Crossbar-shaped \`on_join\` details (02_on_join.json, ids varied, two sessions
per authid); then ${ev.pairs.toLocaleString('en-US')} join+leave pairs per repetition, ${ev.reps} repetitions, all sizes
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

### With \`live.byAuthid()\` after every event (goal 3)

*pair* traffic, and \`live.byAuthid()\` called after each join and each leave (a presence UI
re-reading its users). Repetitions hold as many pairs as fit in about a fixed time, ${ev.byAuthid.reps}
repetitions round-robin. Floor: the bare Map keeping a \`Map<authid, Set<id>>\` index up to date.

${table(
  ['sessions', 'pairs per repetition', 'ns/event', 'events/s', 'floor ns/event (indexed Map)'],
  ev.byAuthid.rows.map((row) => [row.sessions.toLocaleString('en-US'), n(row.pairs, 0), mm(row.nsPerEvent, 0), n(1e9 / row.nsPerEvent.median, 0), mm(row.floorNsPerEvent, 0)]),
)}

Ratio ${last?.sessions} / ${first?.sessions}, per round: ${ratio(ev.byAuthid.ratio)}; indexed floor: ${ratio(ev.byAuthid.floorRatio)}.

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

## 4. Memory of the live set fed by events (in-process, --expose-gc, heap after full GC)

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

## 5. Bundle size (goal 4)

esbuild ${b.esbuild}, ESM, minified, platform browser; gzip level 9, brotli quality 11; kB = 1000 bytes (size-limit's unit). dist/index.mjs unminified: ${kib(b.distBytes)}.

Entry points, rxjs and autobahn external:

${table(['entry', 'min', 'min+gz', 'min+br'], b.rows.map((row) => [`\`${row.entry}\``, ...sizeCells(row)]))}

What rxjs adds in a real bundle: a small app (below) bundled with rxjs is ${kB(b.app.withRxjs.gzipBytes)} min+gz, with rxjs
external ${kB(b.app.withoutRxjs.gzipBytes)}: rxjs adds **${kB(b.app.withRxjs.gzipBytes - b.app.withoutRxjs.gzipBytes)}**.

\`\`\`js
${b.app.source}
\`\`\`

Every rxjs value src/ imports, together: ${kB(b.rxjsAll.gzipBytes)} min+gz; its classes alone (${b.rxjsClasses.names.map((x) => `\`${x}\``).join(', ')}), the floor
with no rxjs operator at all: ${kB(b.rxjsClasses.size.gzipBytes)}. Each import alone, and what the set saves without it:

${table(
  ['import', 'alone, min+gz', 'saved if not used'],
  b.rxjsImports.map((x) => [`\`${x.name}\``, kB(x.aloneGzip), kB(x.savedGzip)]),
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
