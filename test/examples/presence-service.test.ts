/**
 * The presence service example as scripts, under tsx (ES modules, Node's own loader), as users
 * run them: `npm run presence` (examples/presence-service/demo.ts) and the relay service on its
 * own (examples/presence-service/relay.ts). The page itself is tested in Chromium
 * (test/browser/presence.test.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import autobahn from 'autobahn';
import { mirrorPresence } from '../../src';
import { startDetailsProxy } from '../helpers/details-proxy';
import { startOrdinaryProxy } from '../helpers/ordinary-proxy';
import { OutputLines } from '../helpers/output-lines';
import { connect, defer, startRouter } from '../helpers/teardown';
import { waitFor } from '../helpers/wait';

autobahn.log.warn = () => {};

const ROOT = path.resolve(__dirname, '../..');

interface Script {
  readonly lines: OutputLines;
  readonly child: ChildProcess;
  /** Resolves with the exit code. */
  readonly exited: Promise<number | null>;
}

/**
 * Runs `node --import tsx <script> ...args` in the repo root (what `tsx <script>` runs, minus the
 * wrapper process, so that a signal reaches the script itself); killed after the test if still running.
 */
function run(script: string, args: readonly string[]): Script {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = new OutputLines();
  // Chunks may end mid-line: the streams keep what follows the last newline for the next chunk.
  const split = (stream: { write(text: string): void }) => {
    let rest = '';
    return (chunk: Buffer) => {
      const text = rest + chunk.toString();
      const end = text.lastIndexOf('\n') + 1;
      rest = text.slice(end);
      if (end > 0) stream.write(text.slice(0, end));
    };
  };
  child.stdout!.on('data', split(lines.stdout));
  child.stderr!.on('data', split(lines.stderr));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  defer(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exited;
  });
  return { lines, child, exited };
}

test('npm run presence -- --duration 4 --port 0: prints the page, serves it, simulates users, exits 0', async () => {
  const { lines, exited } = run('examples/presence-service/demo.ts', ['--duration', '4', '--port', '0']);
  const line = await lines.waitFor(/^who is online: http:\/\/127\.0\.0\.1:\d+\/examples\/browser-presence\/\?/, { timeoutMs: 15_000 });
  const page = new URL(line.slice('who is online: '.length));
  expect(page.searchParams.get('url')).toMatch(/^ws:\/\/127\.0\.0\.1:\d+$/);
  expect(page.searchParams.get('prefix')).toBe('com.example.presence');

  const html = await fetch(page);
  expect(html.status).toBe(200);
  expect(await html.text()).toContain('<h1>Who is online</h1>');
  expect((await fetch(new URL('/examples/browser-setup.js', page))).status).toBe(200);
  expect((await fetch(new URL('/package.json', page))).status).toBe(404); // only what the page needs

  expect(lines.out).toContain('  · alice (user) comes online');
  await lines.waitFor(/^ {2}· erin \(support\) comes online$/, { timeoutMs: 8_000 }); // the first tick
  expect(await exited).toBe(0);
  expect(lines.err).toEqual([]);
}, 30_000);

test('relay.ts on its own: publishes the realm for a mirror without meta rights, stops on SIGTERM with exit 0', async () => {
  const router = await startRouter();
  const details = await startDetailsProxy(router);
  defer(() => details.close());
  await connect(router, { authid: 'alice', authrole: 'user' });
  const { lines, child, exited } = run('examples/presence-service/relay.ts', ['--url', details.url]);
  await lines.waitFor(/^presence relay up: 1 sessions online/, { timeoutMs: 15_000 });

  const ordinary = await startOrdinaryProxy(router.url);
  defer(() => ordinary.close());
  const visitor = await connect(ordinary.url, { authid: 'visitor', authrole: 'visitor' });
  const mirror = mirrorPresence(visitor.session, { prefix: 'com.example.presence' });
  defer(() => mirror.dispose());
  await mirror.ready;
  await waitFor(() => mirror.size === 2, 5000, 'alice and the visitor');
  expect([...mirror.values()].map((s) => `${s.authid}/${s.authrole}`).sort()).toEqual(['alice/user', 'visitor/visitor']);
  expect(ordinary.metaAttempts()).toBe(0);

  child.kill('SIGTERM');
  expect(await exited).toBe(0);
  await waitFor(() => mirror.status === 'stale', 5000, 'the relay said stale as it left');
  expect(lines.err).toEqual([]);
}, 30_000);

test('relay.ts without --url: a usage line on stderr, exit code 2', async () => {
  const { lines, exited } = run('examples/presence-service/relay.ts', []);
  expect(await exited).toBe(2);
  expect(lines.err).toEqual(['usage: relay.ts --url ws://HOST:PORT/PATH [--realm realm1] [--prefix com.example.presence]']);
}, 20_000);
