/**
 * Suite hygiene, for every test file: register in jest.config.cjs as
 *   setupFilesAfterEnv: ['<rootDir>/test/helpers/hygiene.ts'],
 * (importing it from a test file works too; the hooks are installed once per file).
 *
 * A test fails (in afterEach, with the reason) when, while it ran, the process saw
 * - an unhandled promise rejection (this module forgives one handled later, `rejectionHandled`;
 *   jest 30 itself does not),
 * - an uncaught exception (e.g. a listener error the SDK rethrows asynchronously),
 * - a MaxListenersExceededWarning (a listener leak, such as handlers chained on every reconnect).
 * afterAll checks once more after letting late callbacks run, so trouble from the last test is
 * not lost when jest tears the file down.
 *
 * Why not `process.on(...)` directly: inside a test file `process` is jest's copy of the real
 * process (jest-util createProcessObject) with its own listener table, which the real process
 * never emits on. The real process is reached through a function of the outer realm (core
 * modules are loaded outside the sandbox); jest-circus's own handlers stay in place, so jest 30
 * still reports these errors its way as well.
 *
 * Integration tests also get `expectNoLeftovers(router)`: no `wamp.session.on_join`/`on_leave`
 * subscription of ours remains on the router.
 */
import { inspect } from 'node:util';
import type { FoxRouterHandle } from './fox-router';

/** The loosest `process.on` overload: `(...args: any[]) => void`. */
type Listener = Parameters<NodeJS.Process['on']>[1];

const INSTALLED = Symbol.for('wamp-session-meta.test.hygiene');

function realProcess(): NodeJS.Process {
  // A Function made by the outer realm's Function constructor sees the outer global `process`.
  const OuterFunction = inspect.constructor as FunctionConstructor;
  return new OuterFunction('return process')() as NodeJS.Process;
}

function show(value: unknown): string {
  if (value instanceof Error || (typeof value === 'object' && value !== null && 'stack' in value)) {
    return String((value as Error).stack ?? value);
  }
  return inspect(value, { depth: 3 });
}

function install(): void {
  const proc = realProcess();
  const rejections = new Map<Promise<unknown>, string>();
  const problems: string[] = [];
  const listeners: Record<string, Listener> = {
    unhandledRejection: (reason: unknown, promise: Promise<unknown>) => rejections.set(promise, `unhandled rejection: ${show(reason)}`),
    rejectionHandled: (promise: Promise<unknown>) => rejections.delete(promise),
    uncaughtException: (error: unknown) => problems.push(`uncaught exception: ${show(error)}`),
    warning: (warning: Error) => {
      if (warning.name === 'MaxListenersExceededWarning') problems.push(`listener leak: ${warning.message}`);
    },
  };

  /** Lets pending callbacks and the unhandled-rejection check (end of a tick) run first. */
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  const check = (): void => {
    const found = [...problems, ...rejections.values()];
    problems.length = 0;
    rejections.clear();
    if (found.length > 0) throw new Error(`test hygiene: ${found.length} problem(s)\n\n${found.join('\n\n')}`);
  };

  // Added in beforeAll, i.e. after jest-circus swapped in its handlers at run start (it removes
  // the listeners present then and puts them back at run end).
  beforeAll(() => {
    for (const [event, listener] of Object.entries(listeners)) proc.on(event, listener);
  });
  afterEach(async () => {
    await settle();
    check();
  });
  afterAll(async () => {
    await settle();
    for (const [event, listener] of Object.entries(listeners)) proc.off(event, listener);
    check();
  });
}

const registry = globalThis as { [INSTALLED]?: boolean };
if (!registry[INSTALLED]) {
  registry[INSTALLED] = true;
  install();
}

/** The topics the SDK subscribes to. */
const META_TOPICS = ['wamp.session.on_join', 'wamp.session.on_leave'] as const;

/**
 * Asserts that no client holds a subscription to the meta topics on `router` any more (waits up
 * to `timeoutMs` for UNSUBSCRIBEs and socket closes to reach it). Call it after disposing the SDK
 * objects under test, with every other subscriber gone.
 */
export async function expectNoLeftovers(router: Pick<FoxRouterHandle, 'subscriptionCount'>, timeoutMs = 3000): Promise<void> {
  const counts = (): Record<string, number> => Object.fromEntries(META_TOPICS.map((t) => [t, router.subscriptionCount(t)]));
  const end = Date.now() + timeoutMs;
  while (Object.values(counts()).some((n) => n > 0) && Date.now() < end) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(counts()).toEqual(Object.fromEntries(META_TOPICS.map((t) => [t, 0])));
}
