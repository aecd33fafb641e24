/**
 * `npm run demo` (examples/node-monitor/demo.ts, wamp-sessions watch against an embedded router):
 * in-process through runDemo() for the content, and once as the real script under tsx (ES modules,
 * Node's own loader) for the exit path.
 */
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import autobahn from 'autobahn';
import { runDemo } from '../../examples/node-monitor/demo';
import { OutputLines } from '../helpers/output-lines';

autobahn.log.warn = () => {};

const ROOT = path.resolve(__dirname, '../..');

test('the demo shows sessions joining, leaving and getting killed within seconds, then exits 0', async () => {
  const lines = new OutputLines();
  const code = await runDemo({ durationSec: 2, tickMs: 150, stdout: lines.stdout, stderr: lines.stderr });
  expect(code).toBe(0);
  expect(lines.err).toEqual([]);
  const out = lines.out;
  expect(out).toContainEqual(expect.stringMatching(/^connected to ws:\/\/127\.0\.0\.1:\d+, realm realm1, as session \d+$/));
  // Monitor lines carry the authid/authrole the simulated clients joined with.
  expect(out).toContainEqual(expect.stringMatching(/^\+ joined \d+ alice\/user$/));
  expect(out).toContainEqual(expect.stringMatching(/^\+ joined \d+ carol\/admin$/));
  // A normal leave and a kill (by id) both show up as leaves in the monitor.
  const leftAlice = out.findIndex((l) => /^- left {3}\d+ alice\/user$/.test(l));
  const killed = out.findIndex((l) => l.startsWith('  · sim: operator kills carol'));
  expect(leftAlice).toBeGreaterThan(0);
  expect(killed).toBeGreaterThan(0);
  expect(out.slice(killed)).toContainEqual(expect.stringMatching(/^- left {3}\d+ carol\/admin$/));
  expect(out).toContainEqual(expect.stringMatching(/^= live · \d+ sessions · .*operator 1/));
  // Beside it, what an ordinary user's mirror shows (no meta rights): alice appears there too.
  expect(out).toContainEqual(expect.stringMatching(/^◦ presence live · \d+ online: .*\balice\b/));
});

test('npm run demo -- --duration 2 runs as a script and exits 0', async () => {
  const { stdout, stderr } = await promisify(execFile)(path.join(ROOT, 'node_modules/.bin/tsx'), ['examples/node-monitor/demo.ts', '--duration', '2'], {
    cwd: ROOT,
    timeout: 20_000,
  });
  // execFile rejects on a non-zero exit code, so getting here means exit 0.
  expect(stdout).toMatch(/^connected to ws:\/\/127\.0\.0\.1:\d+, realm realm1/m);
  expect(stdout).toMatch(/^\+ joined \d+ alice\/user$/m);
  expect(stderr).toBe('');
});
