/**
 * fox-wamp in a child process (see router-process-child.ts), for faults an in-process router
 * cannot fake: `kill('SIGKILL')` gives the abrupt death of a router process (no close frames, no
 * cleanup), and `start()` again brings up a fresh router on the same port (new session ids).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

export interface RouterProcess {
  readonly url: string;
  readonly port: number;
  /** The running child's pid, or undefined while it is down. */
  readonly pid: number | undefined;
  /** Kills the child with `signal` (default SIGKILL) and waits for it to exit. No-op when down. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts a new child on the same port (after `kill`). */
  start(): Promise<void>;
}

const CHILD = join(__dirname, 'router-process-child.ts');
const STARTUP_TIMEOUT_MS = 15_000;

function spawnRouter(port: number | undefined): Promise<{ child: ChildProcess; port: number }> {
  // tsx as an absolute file URL: resolves whatever the cwd of the test run is.
  const child = fork(CHILD, [], {
    execArgv: ['--import', pathToFileURL(require.resolve('tsx')).href],
    env: { ...process.env, FOX_ROUTER_PORT: port === undefined ? '' : String(port) },
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('fox router child did not start in time')), STARTUP_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${error.message}\n${stderr}`));
    };
    child.once('error', fail);
    child.once('exit', (code, signal) => fail(new Error(`fox router child exited early (${code ?? signal})`)));
    child.once('message', (message: { port: number }) => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      child.removeAllListeners('error');
      resolve({ child, port: message.port });
    });
  });
}

/** Starts fox-wamp (realm1, kill procedures installed) in a child process on a random or given port. */
export async function startRouterProcess(port?: number): Promise<RouterProcess> {
  let running: { child: ChildProcess; port: number } | undefined = await spawnRouter(port);
  const fixedPort = running.port;
  return {
    url: `ws://127.0.0.1:${fixedPort}`,
    port: fixedPort,
    get pid() {
      return running?.child.pid;
    },
    async kill(signal = 'SIGKILL') {
      const child = running?.child;
      running = undefined;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill(signal);
      await exited;
    },
    async start() {
      if (running) throw new Error('fox router child is already running');
      running = await spawnRouter(fixedPort);
    },
  };
}
