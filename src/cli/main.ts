/**
 * The `wamp-sessions` process (built to dist/cli.mjs, the package's `bin`). Everything it does is
 * in runCli(); this file only connects it to the process: arguments, streams, signals, exit code.
 */
import { readFile } from 'node:fs/promises';
import { EXIT } from './exit';
import { runCli } from './run';

/** How long a finished command waits for the event loop to drain before exiting anyway. */
const EXIT_GRACE_MS = 1000;

async function main(): Promise<void> {
  // Until runCli answers, the exit code is "failed": a process that ends without an answer (the
  // event loop ran dry) must never look like a success.
  process.exitCode = EXIT.failed;
  let answered = false;
  process.once('beforeExit', () => {
    if (!answered) process.stderr.write('error: wamp-sessions stopped before it had an answer\n');
  });
  // dist/cli.mjs → the package's own package.json.
  const { version } = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

  const stop = new AbortController();
  const onSignal = (): void => {
    stop.abort();
    // A second Ctrl-C does not wait for a clean close.
    process.once('SIGINT', () => process.exit(EXIT.failed));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  const code = await runCli(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    signal: stop.signal,
    version,
    readFile: (path) => readFile(path, 'utf8'),
  });
  answered = true;
  process.exitCode = code;
  process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  // Output is flushed by the natural exit; this only ends a process something still holds open.
  setTimeout(() => process.exit(code), EXIT_GRACE_MS).unref();
}

void main();
