/**
 * dist/cli.mjs as a process, with the autobahn of this repository (26) on this Node. On Node 20
 * there is no WebSocket global: the command must install one from `ws` and work, and must never
 * end with exit code 0 when it did not get its answer. (The package's tarball with autobahn 22,
 * through npx, is test/package/stranger.test.ts.)
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { defer, startRouter } from '../helpers/teardown';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.mjs');

beforeAll(async () => {
  // `npm test` builds first; a lone `npx jest test/cli` may not have.
  if (!existsSync(CLI)) await promisify(execFile)('npx', ['rollup', '-c'], { cwd: ROOT });
}, 120_000);

function cli(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('node', [CLI, ...args], { cwd: ROOT }, (error, stdout, stderr) => resolve({ code: error ? (error.code as number) : 0, stdout, stderr }));
  });
}

test('counts, and watches until SIGINT (exit 0), with autobahn 26 on a Node without a WebSocket global', async () => {
  const router = await startRouter();
  expect(await cli('count', '--url', router.url)).toEqual({ code: 0, stdout: '2\n', stderr: '' });

  const child = spawn('node', [CLI, 'watch', '--url', router.url], { cwd: ROOT });
  defer(() => child.kill('SIGKILL'));
  let stdout = '';
  const live = new Promise<void>((resolve) =>
    child.stdout.on('data', (data: Buffer) => {
      stdout += data;
      if (/^= live · 2 sessions/m.test(stdout)) resolve();
    }),
  );
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  await live;
  child.kill('SIGINT');
  expect(await exited).toBe(0);
});

test('an unreachable router is exit code 1 and one line, never a silent 0', async () => {
  expect(await cli('watch', '--url', 'ws://127.0.0.1:9')).toEqual({
    code: 1,
    stdout: '',
    stderr: 'error: cannot reach a WAMP router at ws://127.0.0.1:9 (connection refused or not a WAMP WebSocket endpoint)\n',
  });
});
