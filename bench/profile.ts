/**
 * Goal 5: where the time of a 10 000-session sync through the SDK goes. bench/profile-process.ts
 * runs the syncs under V8's CPU profiler; this file sorts the samples by who spent them:
 * - by the script a JS frame belongs to: the SDK (dist/index.mjs), autobahn, ws, rxjs, Node's own
 *   JS (node:*), the bench harness;
 * - V8's pseudo-frames: `(garbage collector)`, `(program)` (native code outside any JS frame:
 *   libuv, the socket syscalls' native half), `(idle)` (waiting for the network);
 * - builtins have no script: JSON.parse/stringify (and autobahn's serializer around them) are
 *   counted as JSON, the socket bindings (writev, ...) as system calls, any other builtin or
 *   native binding (Promise internals, Map, ...) goes to the JS frame that called it.
 * System (kernel) CPU time is not in the samples: it is reported from process.cpuUsage().
 *
 * `npm run bench:profile` runs it alone: router and 10 000 idle sessions, 5 profiled syncs, the
 * summary on stdout, the .cpuprofile in bench/.profiles/ (open it in Chrome DevTools).
 */
import { mkdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spawnTs, type Child } from './procs';
import { startRealm, stopAll } from './realm';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}

interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}

interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

export interface ProfileShare {
  readonly category: string;
  /** Share of the sampled time (0–1). */
  readonly share: number;
}

export interface ProfileResult {
  readonly sessions: number;
  readonly syncs: number;
  /** Wall time per sync. */
  readonly msPerSync: number;
  /** CPU time per sync of the profiled process: user, system (kernel). */
  readonly userMsPerSync: number;
  readonly systemMsPerSync: number;
  /** CPU of the router process per sync over the same window. */
  readonly routerMsPerSync: number;
  readonly shares: ProfileShare[];
  /** The SDK's own functions with the most self time (share of all samples). */
  readonly topSdk: ProfileShare[];
  /** Where the .cpuprofile was written. */
  readonly file: string;
}

/** JSON work: the builtins when they show as frames, and autobahn's serializer that wraps them. */
const JSON_FRAMES = new Set(['parse', 'stringify', 'JSONSerializer.serialize', 'JSONSerializer.unserialize']);
/** Native socket bindings: their self time is the system call (ws sends each frame with its own writev). */
const SOCKET_CALLS = new Set(['writev', 'writeBuffer', 'writeUtf8String', 'writeLatin1String', 'writeAsciiString', 'readStart', 'readStop']);
const SOCKET = 'socket system calls (writev, read)';

/** The category of a frame that has a script, or undefined for builtins and natives. */
function scriptCategory({ url, functionName }: CallFrame): string | undefined {
  if (functionName === '(garbage collector)') return 'GC';
  if (functionName === '(idle)') return 'idle (waiting for the network)';
  if (functionName === '(program)' || functionName === '(root)') return 'native, outside JS (libuv, socket I/O)';
  if (!url) return undefined;
  if (url.includes('/dist/index.')) return 'SDK (dist/index.mjs)';
  for (const lib of ['autobahn', 'ws', 'rxjs', 'tsx']) if (url.includes(`/node_modules/${lib}/`)) return lib === 'tsx' ? 'bench harness' : lib;
  if (url.startsWith('node:')) return 'Node JS (net, streams, timers)';
  return 'bench harness';
}

/** Sorts the sampled time by category (see the header); the SDK's hottest functions. */
export function summarize(profile: CpuProfile): { shares: ProfileShare[]; topSdk: ProfileShare[] } {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const categoryOf = new Map<number, string>();
  const category = (id: number): string => {
    const known = categoryOf.get(id);
    if (known) return known;
    const frame = byId.get(id)!.callFrame;
    let found = JSON_FRAMES.has(frame.functionName) ? 'JSON' : !frame.url && SOCKET_CALLS.has(frame.functionName) ? SOCKET : scriptCategory(frame);
    if (!found) {
      const up = parent.get(id);
      found = up === undefined ? 'native, outside JS (libuv, socket I/O)' : category(up);
    }
    categoryOf.set(id, found);
    return found;
  };
  const time = new Map<string, number>();
  const sdk = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i + 1] ?? 0; // a sample's time runs until the next one
    total += dt;
    const c = category(id);
    time.set(c, (time.get(c) ?? 0) + dt);
    if (c === 'SDK (dist/index.mjs)') {
      const name = byId.get(id)!.callFrame.functionName || '(anonymous)';
      sdk.set(name, (sdk.get(name) ?? 0) + dt);
    }
  });
  const sorted = (m: Map<string, number>) => [...m].map(([category, t]) => ({ category, share: t / total })).sort((a, b) => b.share - a.share);
  return { shares: sorted(time), topSdk: sorted(sdk).slice(0, 8) };
}

const PROFILES = fileURLToPath(new URL('.profiles/', import.meta.url));

/** Profiles `syncs` SDK syncs of the realm at `url` from a fresh process. */
export async function profileSync(url: string, sessions: number, syncs: number, routerCpuMs: () => Promise<number>): Promise<ProfileResult> {
  mkdirSync(PROFILES, { recursive: true });
  const file = `${PROFILES}sync-${sessions}.cpuprofile`;
  const router0 = await routerCpuMs();
  const child = spawnTs('bench/profile-process.ts', [url, String(syncs), file]);
  let run: { ms: number; userMs: number; systemMs: number; sessions: number };
  try {
    run = await child.next();
  } finally {
    await child.stop();
  }
  // The router's CPU over the child's whole life (connect, warm-up sync, syncs): scaled to one sync.
  const routerMs = ((await routerCpuMs()) - router0) / (syncs + 1);
  const { shares, topSdk } = summarize(JSON.parse(await readFile(file, 'utf8')) as CpuProfile);
  return {
    sessions: run.sessions,
    syncs,
    msPerSync: run.ms / syncs,
    userMsPerSync: run.userMs / syncs,
    systemMsPerSync: run.systemMs / syncs,
    routerMsPerSync: routerMs,
    shares,
    topSdk,
    file,
  };
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** The summary as Markdown (RESULTS.md and `npm run bench:profile`). */
export function renderProfile(p: ProfileResult): string {
  return [
    `${p.syncs} syncs of ${p.sessions.toLocaleString('en-US')} sessions (loopback), ${p.msPerSync.toFixed(0)} ms each; CPU per sync: ` +
      `this process ${p.userMsPerSync.toFixed(0)} ms user + ${p.systemMsPerSync.toFixed(0)} ms system (kernel), ` +
      `router ${p.routerMsPerSync.toFixed(0)} ms (one sync's share of its CPU over the run).`,
    '',
    '| where (self time, sampled) | share |',
    '|---|---|',
    ...p.shares.map((s) => `| ${s.category} | ${pct(s.share)} |`),
    '',
    `Hottest SDK functions: ${p.topSdk.map((s) => `\`${s.category}\` ${pct(s.share)}`).join(', ')}.`,
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const sessions = Number(process.env.PROFILE_SESSIONS ?? 10_000);
  const children: Child[] = [];
  try {
    const realm = await startRealm(children);
    process.stderr.write(`[profile] growing the realm to ${sessions} sessions\n`);
    await realm.grow(sessions);
    const result = await profileSync(realm.url, sessions, 5, realm.routerCpuMs);
    process.stdout.write(`${renderProfile(result)}\n\nProfile: ${result.file}\n`);
  } finally {
    await stopAll(children);
  }
}
