/**
 * Smoke test of the benchmark suite (bench/run.ts): every benchmark runs once at BENCH_SCALE=tiny
 * (~10 sessions, one or two iterations) in a child process, exactly as `npm run bench` starts it,
 * and must produce finite figures and a complete RESULTS.md. No timing assertions: on a shared
 * machine only the full run's spreads mean anything. Needs dist/ (npm test builds it first).
 * Takes ~15 s.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runTinyBench(out: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', 'bench/run.ts'], {
      cwd: ROOT,
      env: { ...process.env, BENCH_SCALE: 'tiny', BENCH_OUT: out },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Every number anywhere in the results, with its path. */
function numbers(value: unknown, path = '$'): Array<[string, number]> {
  if (typeof value === 'number') return [[path, value]];
  if (Array.isArray(value)) return value.flatMap((v, i) => numbers(v, `${path}[${i}]`));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => numbers(v, `${path}.${k}`));
  return [];
}

type Results = {
  events: { rows: unknown[]; byAuthid: { rows: unknown[] } };
  memory: Record<string, number>;
  sdkSync: { retainedPerSession: Record<string, number> };
  bundle: { rows: Array<{ gzipBytes: number }>; rxjsImports: unknown[] };
  network: {
    sync: Array<{ delayMs: number; sdk: unknown[] }>;
    calls: { rows: unknown[] };
    profile: { shares: Array<{ share: number }> };
  };
  presence: {
    members: number;
    mirrors: PresenceRow;
    live: PresenceRow;
  };
};

type PresenceRow = {
  clients: number;
  sizes: { min: number; max: number };
  calls: Record<string, { count: number; perSessionMin: number; perSessionMax: number }>;
  leaves: { lost: number };
};

describe('bench (BENCH_SCALE=tiny)', () => {
  let dir: string;
  let run: Run;
  let results: Results;

  beforeAll(async () => {
    if (!existsSync(join(ROOT, 'dist', 'index.mjs'))) throw new Error('dist/index.mjs missing: run `npm run build` first');
    dir = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
    run = await runTinyBench(join(dir, 'RESULTS.md'));
    const line = run.stdout.split('\n').find((l) => l.startsWith('@bench '));
    results = line ? (JSON.parse(line.slice('@bench '.length)) as Results) : (undefined as never);
  }, 60_000);

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('runs every benchmark to the end and exits 0', () => {
    expect({ code: run.code, stderr: run.code === 0 ? '' : run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(results).toBeDefined();
  });

  test('every benchmark produces finite figures', () => {
    expect(results.events.rows).toHaveLength(3);
    expect(results.events.byAuthid.rows).toHaveLength(3);
    // One size, on loopback and through the latency proxy, each with raw and two concurrencies.
    expect(results.network.sync.map((row) => [row.delayMs > 0, row.sdk.length])).toEqual([
      [false, 2],
      [true, 2],
    ]);
    expect(results.network.calls.rows).toHaveLength(2);
    expect(results.network.profile.shares.length).toBeGreaterThan(1);
    expect(results.bundle.rows.length).toBeGreaterThanOrEqual(3);
    expect(results.bundle.rxjsImports.length).toBeGreaterThan(0);
    expect(results.memory.rawBytesPerSession).toBeGreaterThan(0);
    expect(results.sdkSync.retainedPerSession.sdk).toBeGreaterThan(0);
    // Presence: every mirror made exactly one call, get_state, and the router answered them no meta call.
    const { presence } = results;
    expect(presence.members).toBeGreaterThan(0);
    expect(Object.keys(presence.mirrors.calls)).toEqual(['com.example.presence.get_state']);
    expect(presence.mirrors.calls['com.example.presence.get_state']).toMatchObject({ count: presence.mirrors.clients, perSessionMin: 1, perSessionMax: 1 });
    expect(presence.live.calls['wamp.session.get']!.perSessionMin).toBeGreaterThanOrEqual(presence.members);
    expect(presence.mirrors.sizes.min).toBeGreaterThan(presence.members);
    expect([presence.mirrors.leaves.lost, presence.live.leaves.lost]).toEqual([0, 0]);
    expect(results.bundle.rows[0]!.gzipBytes).toBeGreaterThan(0);
    const all = numbers(results);
    expect(all.length).toBeGreaterThan(100);
    expect(all.filter(([, n]) => !Number.isFinite(n))).toEqual([]);
  });

  test('writes RESULTS.md where BENCH_OUT says, with every section and no NaN', () => {
    const md = readFileSync(join(dir, 'RESULTS.md'), 'utf8');
    for (const heading of ['## Targets', '## 1. Initial sync', '### 1b.', '### 1c.', '### 1d.', '## 2. Per-event cost', '### With `live.byAuthid()`', '## 3. Call overhead', '## 4. Memory', '## 5. Bundle size', '## 6. Presence']) {
      expect(md).toContain(heading);
    }
    expect(md).toContain(`Node ${process.version}`);
    expect(md).not.toMatch(/NaN|undefined|Infinity/);
  });
});
