/**
 * The package as a stranger gets it: `npm pack`, then the tarball installed from scratch into a
 * temporary project next to what a user would install with it (rxjs, `autobahn` as npm resolves it
 * on this Node: 22.11.1 on Node 20, TypeScript, esbuild), with no @types/node and no WebSocket
 * global. From there: Node ESM and CommonJS programs talk to a fox-wamp router, TypeScript
 * projects type-check against the shipped declarations with `skipLibCheck: false`, esbuild bundles
 * it, and `npx wamp-sessions` lists, counts and watches the router.
 *
 * One pack and one install for the whole file (the npm cache makes the install quick).
 */
import { execFile, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectClient, startFoxRouter, type FoxRouterHandle, type TestClient } from '../helpers/fox-router';

const ROOT = path.resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { name: string; version: string };
const localVersion = (name: string): string => (JSON.parse(readFileSync(path.join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;

/** What `npm pack --json` says about the tarball. */
interface Packed {
  filename: string;
  size: number;
  unpackedSize: number;
  files: Array<{ path: string; size: number }>;
}

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of a user's shell: without the npm_* variables `npm test` sets for this repo. */
const userEnv = (): NodeJS.ProcessEnv => Object.fromEntries(Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key)));

/** Runs a program to its end; never rejects on a non-zero exit code. */
function run(file: string, args: readonly string[], cwd: string, timeout = 60_000): Promise<Ran> {
  return new Promise((resolve) => {
    execFile(file, args, { cwd, env: userEnv(), timeout, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** Like run(), but the program must succeed; its stdout. */
async function ok(file: string, args: readonly string[], cwd: string): Promise<string> {
  const result = await run(file, args, cwd);
  if (result.code !== 0) throw new Error(`${file} ${args.join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** Kills what a test left running, after it. */
const leftovers: Array<() => void> = [];
const stopAfterTest = (stop: () => void): void => void leftovers.push(stop);
afterEach(() => {
  for (const stop of leftovers.splice(0)) {
    try {
      stop();
    } catch {
      // already gone
    }
  }
});

let work: string;
let app: string;
let packed: Packed;
let router: FoxRouterHandle;
const clients: TestClient[] = [];

/** The user's files, written into the temporary project. */
const FILES: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'stranger-app', private: true, type: 'module' }),
  // Node, ES modules: count the sessions of the router given as argument.
  'esm.mjs': `
    import autobahn from 'autobahn';
    import { SessionMeta, isMetaError } from 'wamp-session-meta';
    const connection = new autobahn.Connection({ url: process.argv[2], realm: 'realm1', use_es6_promises: true, max_retries: 0 });
    connection.onopen = async (session) => {
      const meta = new SessionMeta(session);
      console.log('esm count', await meta.count(), typeof isMetaError);
      meta.dispose();
      connection.close();
    };
    connection.open();`,
  // Node, CommonJS: the same through require() and fromConnection.
  'cjs/package.json': JSON.stringify({ type: 'commonjs' }),
  'cjs/main.js': `
    const autobahn = require('autobahn');
    const { SessionMeta } = require('wamp-session-meta');
    const connection = new autobahn.Connection({ url: process.argv[2], realm: 'realm1', use_es6_promises: true, max_retries: 0 });
    const meta = SessionMeta.fromConnection(connection);
    connection.onopen = async () => {
      console.log('cjs count', await meta.count());
      meta.dispose();
      connection.close();
    };
    connection.open();`,
  // TypeScript: the README's setup (the reference line), a live set, errors, \`using\`.
  'ts/main.ts': `
    /// <reference types="wamp-session-meta/autobahn" />
    import autobahn from 'autobahn';
    import { NoSuchSessionError, SessionMeta, isMetaError, type LiveSessionSet, type SessionSetChange } from 'wamp-session-meta';

    const connection = new autobahn.Connection({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1' });
    const meta = SessionMeta.fromConnection(connection);
    const live: LiveSessionSet = meta.liveSessions({ authroles: ['user'] });
    live.changes$.subscribe(({ type, session }: SessionSetChange) => console.log(type, session.authid));
    connection.onopen = async (session) => {
      using once = new SessionMeta(session);
      try {
        console.log(await once.count(), (await meta.get(1)).authrole);
      } catch (e) {
        if (NoSuchSessionError.is(e)) console.log(e.sessionId);
        else if (isMetaError(e)) console.log(e.code);
      }
    };
    connection.open();`,
  'ts/browser.ts': `
    /// <reference types="wamp-session-meta/autobahn" />
    import autobahn from 'autobahn-browser';
    import { SessionMeta, type WampConnectionLike } from 'wamp-session-meta';
    const connection: WampConnectionLike<autobahn.Session> = new autobahn.Connection({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1' });
    SessionMeta.fromConnection(connection).liveSessions().status$.subscribe((status) => console.log(status));`,
  // Consumers' compiler settings: no @types/node ("types": []), skipLibCheck false, the default lib.
  'ts/esm/package.json': JSON.stringify({ type: 'module' }),
  'ts/esm/tsconfig.json': tsconfig({ module: 'nodenext' }),
  'ts/node10/package.json': JSON.stringify({ type: 'commonjs' }),
  'ts/node10/tsconfig.json': tsconfig({ module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true }),
  'ts/bundler/tsconfig.json': tsconfig({ module: 'esnext', moduleResolution: 'bundler' }),
  // A bundler: esbuild, for browsers.
  'bundle/entry.js': `
    import { SessionMeta, InvalidArgumentError } from 'wamp-session-meta';
    const session = { id: 1, isOpen: true, call: async () => 3, subscribe: async () => ({}), unsubscribe: async () => undefined };
    const meta = new SessionMeta(session);
    console.log('bundled count', await meta.count());
    await meta.get(-1).catch((e) => console.log(InvalidArgumentError.is(e) ? 'bundled guard' : e));
    meta.dispose();`,
};

function tsconfig(options: Record<string, unknown>): string {
  // skipDefaultLibCheck only skips TypeScript's own lib files (checking lib.dom.d.ts is most of the time).
  const compilerOptions = { target: 'es2022', strict: true, skipLibCheck: false, skipDefaultLibCheck: true, types: [], noEmit: true, ...options };
  return JSON.stringify({ compilerOptions, files: ['../main.ts', '../browser.ts'] });
}

beforeAll(async () => {
  // `npm test` builds first; a lone `npx jest test/package` may not have.
  if (!existsSync(path.join(ROOT, 'dist', 'cli.mjs'))) await ok('npx', ['rollup', '-c'], ROOT);
  work = mkdtempSync(path.join(os.tmpdir(), 'wamp-session-meta-stranger-'));
  packed = (JSON.parse(await ok('npm', ['pack', '--json', '--pack-destination', work], ROOT)) as Packed[])[0]!;
  app = path.join(work, 'app');
  for (const [name, text] of Object.entries(FILES)) {
    mkdirSync(path.dirname(path.join(app, name)), { recursive: true });
    writeFileSync(path.join(app, name), text);
  }
  await ok(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--prefer-offline',
      path.join(work, packed.filename),
      'rxjs@^7.8',
      'autobahn', // what a user gets on this Node (22.11.1 on Node 20)
      'autobahn-browser',
      `typescript@${localVersion('typescript')}`,
      'typescript-5.2@npm:typescript@~5.2.2', // the oldest TypeScript the declarations support
      `esbuild@${localVersion('esbuild')}`,
    ],
    app,
  );
  router = await startFoxRouter();
}, 180_000);

afterAll(async () => {
  for (const client of clients) await client.close();
  await router?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test('the tarball holds the builds, the declarations, the autobahn types, README, CHANGELOG and LICENSE, and nothing else', () => {
  expect(packed.files.map((f) => f.path).sort()).toEqual([
    'CHANGELOG.md',
    'LICENSE',
    'README.md',
    'autobahn/index.d.ts',
    'autobahn/package.json',
    'dist/browser/wamp-session-meta.js',
    'dist/cli.mjs',
    'dist/index.cjs',
    'dist/index.cjs.map',
    'dist/index.d.cts',
    'dist/index.d.mts',
    'dist/index.mjs',
    'dist/index.mjs.map',
    'package.json',
  ]);
  const report = [
    `${packed.filename}: ${packed.size} bytes packed, ${packed.unpackedSize} bytes unpacked`,
    ...packed.files.map((f) => `  ${String(f.size).padStart(7)}  ${f.path}`),
  ].join('\n');
  mkdirSync(path.join(ROOT, 'test', 'artifacts'), { recursive: true });
  writeFileSync(path.join(ROOT, 'test', 'artifacts', 'pack.txt'), `${report}\n`);
  console.log(report);
});

test('installed from the tarball: autobahn as npm resolves it, bin linked', () => {
  const installed = (name: string) => JSON.parse(readFileSync(path.join(app, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  expect(installed('wamp-session-meta').version).toBe(pkg.version);
  // On Node 20 npm picks autobahn 22 (26 declares Node >= 22): the one without a WebSocket global.
  if (Number(process.versions.node.split('.')[0]) < 22) expect(installed('autobahn').version).toMatch(/^22\./);
  expect(existsSync(path.join(app, 'node_modules', '.bin', 'wamp-sessions'))).toBe(true);
});

describe('Node programs', () => {
  test('an ES module imports it and counts the sessions of a router', async () => {
    // fox counts its internal session and the program's own.
    expect(await ok('node', ['esm.mjs', router.url], app)).toBe('esm count 2 function\n');
  });

  test('a CommonJS program requires it and counts the sessions of a router', async () => {
    expect(await ok('node', ['cjs/main.js', router.url], app)).toBe('cjs count 2\n');
  });
});

test('TypeScript projects type-check with skipLibCheck: false and no @types/node: nodenext ESM, CommonJS (node10), bundler; TypeScript 5.2 too', async () => {
  const checks: Array<[typescript: string, project: string]> = [
    ['typescript', 'esm'],
    ['typescript', 'node10'],
    ['typescript', 'bundler'],
    ['typescript-5.2', 'esm'],
  ];
  const results = await Promise.all(
    checks.map(async ([typescript, project]) => {
      const { code, stdout } = await run('node', [path.join('node_modules', typescript, 'bin', 'tsc'), '-p', `ts/${project}`], app);
      return [`${typescript} ${project}`, `exit ${code} ${stdout}`] as const;
    }),
  );
  expect(Object.fromEntries(results)).toEqual(Object.fromEntries(checks.map(([typescript, project]) => [`${typescript} ${project}`, 'exit 0 '])));
}, 60_000);

test('esbuild bundles it for the browser, rxjs inside, and the bundle runs', async () => {
  await ok('node', ['node_modules/esbuild/bin/esbuild', 'bundle/entry.js', '--bundle', '--format=esm', '--platform=browser', '--outfile=bundle/out.js'], app);
  expect(readFileSync(path.join(app, 'bundle', 'out.js'), 'utf8')).not.toMatch(/from ["']rxjs["']|require\(["']autobahn/);
  expect(await ok('node', ['bundle/out.js'], app)).toBe('bundled count 3\nbundled guard\n');
});

describe('npx wamp-sessions', () => {
  const npx = (...args: string[]) => run('npx', ['--no', 'wamp-sessions', '--', ...args], app);

  test('--version, count, list --json and get --json against the router', async () => {
    expect(await npx('--version')).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: '' });
    const client = await connectClient(router.url, { authid: 'alice' });
    clients.push(client);
    // fox counts its internal session and the command's own.
    expect(await npx('count', '--url', router.url)).toEqual({ code: 0, stdout: '3\n', stderr: '' });
    const list = await npx('list', '--json', '--url', router.url);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as Array<{ session: number }>).map((s) => s.session)).toContain(client.session.id);
    const get = await npx('get', String(client.session.id), '--json', '--url', router.url);
    expect(JSON.parse(get.stdout)).toEqual({ session: client.session.id });
  });

  test('watch --json: one JSON object per line, until Ctrl-C (exit 0)', async () => {
    // The installed bin itself, as npx runs it: npx dies of a Ctrl-C with the signal, whatever
    // the command's exit code; this checks the command's.
    const child = spawn(path.join(app, 'node_modules', '.bin', 'wamp-sessions'), ['watch', '--json', '--url', router.url], { cwd: app, env: userEnv() });
    stopAfterTest(() => child.kill('SIGKILL'));
    let stdout = '';
    let stderr = '';
    let waiter: (() => void) | undefined;
    child.stdout.on('data', (data: Buffer) => {
      stdout += data;
      waiter?.();
    });
    child.stderr.on('data', (data: Buffer) => (stderr += data));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const records = (): Array<{ type: string; status?: string; session?: { session: number } }> =>
      stdout.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { type: string });
    const until = (check: () => boolean) =>
      new Promise<void>((resolve, reject) => {
        waiter = () => check() && resolve();
        waiter();
        void exited.then(() => reject(new Error(`wamp-sessions exited early:\n${stderr}${stdout}`)));
      });

    await until(() => records().some((r) => r.type === 'status' && r.status === 'live'));
    const client = await connectClient(router.url, { authid: 'bob' });
    clients.push(client);
    await until(() => records().some((r) => r.type === 'joined' && r.session?.session === client.session.id));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(records()[0]).toMatchObject({ type: 'connected', url: router.url, realm: 'realm1' });
    expect(stderr).toBe('');
  });

  test('bad usage exits 2, an unreachable router 1, each with one line on stderr', async () => {
    expect(await npx('frob')).toEqual({ code: 2, stdout: '', stderr: 'error: unknown command "frob" (see wamp-sessions --help)\n' });
    const unreachable = await npx('count', '--url', 'ws://127.0.0.1:9');
    expect(unreachable).toMatchObject({ code: 1, stdout: '' });
    expect(unreachable.stderr).toMatch(/^error: cannot reach a WAMP router at ws:\/\/127\.0\.0\.1:9 .*\n$/);
  });

  test('without autobahn installed: what to install, exit 1', async () => {
    // The package alone (and rxjs), as if autobahn had never been installed.
    const bare = path.join(work, 'bare', 'node_modules');
    mkdirSync(bare, { recursive: true });
    cpSync(path.join(app, 'node_modules', 'wamp-session-meta'), path.join(bare, 'wamp-session-meta'), { recursive: true });
    symlinkSync(path.join(app, 'node_modules', 'rxjs'), path.join(bare, 'rxjs'));
    symlinkSync(path.join(app, 'node_modules', 'tslib'), path.join(bare, 'tslib'));
    expect(await run('node', [path.join(bare, 'wamp-session-meta', 'dist', 'cli.mjs'), 'count'], path.dirname(bare))).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: wamp-sessions needs autobahn, which is not installed: npm install autobahn\n',
    });
  });
});
