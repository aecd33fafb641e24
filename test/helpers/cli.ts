/** Runs the wamp-sessions command in-process (runCli from src/cli), for the CLI and demo tests. */
import { readFile } from 'node:fs/promises';
import { runCli, type CliIO } from '../../src/cli/run';
import { OutputLines } from './output-lines';
import { defer } from './teardown';

export interface CommandResult {
  code: number;
  out: string[];
  err: string[];
}

function io(lines: OutputLines, extra: Partial<CliIO>): CliIO {
  return { stdout: lines.stdout, stderr: lines.stderr, env: {}, version: '0.0.0-test', readFile: (path) => readFile(path, 'utf8'), ...extra };
}

/** Runs one command to its end. */
export async function command(argv: readonly string[], extra: Partial<CliIO> = {}): Promise<CommandResult> {
  const lines = new OutputLines();
  const code = await runCli(argv, io(lines, extra));
  return { code, out: lines.out, err: lines.err };
}

/** Starts a command that runs until stopped (watch); stop() ends it and resolves with its exit code. */
export function start(argv: readonly string[], extra: Partial<CliIO> = {}) {
  const lines = new OutputLines();
  const abort = new AbortController();
  const done = runCli(argv, io(lines, { signal: abort.signal, ...extra }));
  defer(() => (abort.abort(), done));
  return { lines, done, stop: () => (abort.abort(), done) };
}
