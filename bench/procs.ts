/**
 * Child processes of the bench, speaking JSON lines: a child prints `@bench {json}` lines on
 * stdout (anything else is passed through as log), reads commands as JSON lines on stdin, and
 * exits when stdin closes, so a crashed or interrupted parent never leaves a router behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const MARK = '@bench ';
const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface Child {
  readonly process: ChildProcess;
  /** The next message the child emits; rejects if it exits first. */
  next<T>(): Promise<T>;
  /** Sends a command and waits for its answer. */
  ask<T>(command: unknown): Promise<T>;
  /** Closes stdin (the child exits by itself) and waits for the exit; kills it after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/** Starts `node --expose-gc ...nodeArgs --import tsx <script> ...args` in the repo root. */
export function spawnTs(script: string, args: readonly string[] = [], nodeArgs: readonly string[] = []): Child {
  const child = spawn(process.execPath, ['--expose-gc', ...nodeArgs, '--import', 'tsx', script, ...args], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const queue: unknown[] = [];
  const waiters: Array<{ resolve: (v: unknown) => void; reject: (e: Error) => void }> = [];
  let exit: Error | undefined;

  createInterface({ input: child.stdout! }).on('line', (line) => {
    if (!line.startsWith(MARK)) return void process.stderr.write(`  [${script}] ${line}\n`);
    const message = JSON.parse(line.slice(MARK.length)) as unknown;
    const waiter = waiters.shift();
    if (waiter) waiter.resolve(message);
    else queue.push(message);
  });
  const exited = new Promise<void>((resolve) => {
    child.on('exit', (code, signal) => {
      exit = new Error(`${script} exited (code ${code}, signal ${signal}) before answering`);
      for (const waiter of waiters.splice(0)) waiter.reject(exit);
      resolve();
    });
  });

  const next = <T>(): Promise<T> => {
    if (queue.length > 0) return Promise.resolve(queue.shift() as T);
    if (exit) return Promise.reject(exit);
    return new Promise<T>((resolve, reject) => waiters.push({ resolve: resolve as (v: unknown) => void, reject }));
  };
  return {
    process: child,
    next,
    ask<T>(command: unknown): Promise<T> {
      child.stdin!.write(`${JSON.stringify(command)}\n`);
      return next<T>();
    },
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.stdin!.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

// ---- the child side ----

/** Sends one message to the parent. */
export function emit(message: unknown): void {
  process.stdout.write(`${MARK}${JSON.stringify(message)}\n`);
}

/** Answers each command from the parent; `onEnd` runs when the parent closes stdin (or dies). */
export function serve(handle: (command: unknown) => Promise<unknown>, onEnd: () => Promise<void> | void): void {
  let chain = Promise.resolve();
  const lines = createInterface({ input: process.stdin });
  lines.on('line', (line) => {
    chain = chain.then(async () => emit(await handle(JSON.parse(line))));
  });
  lines.on('close', () => {
    void chain.then(onEnd).finally(() => process.exit(0));
  });
}
