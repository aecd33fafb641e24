/**
 * Per-test teardown, shared by the test files: import it and register steps with defer().
 *
 * Steps registered while a test runs are run last-in first-out right after it (pass or fail), in
 * an afterEach installed when this module is loaded (jest loads modules once per test file, so
 * once per file). Every step runs even when one throws or rejects; the first failure is rethrown
 * once all have run: a router left running would keep jest from exiting.
 *
 * startRouter() and connect() are startFoxRouter()/connectClient() (./fox-router) with their
 * stop()/close() deferred.
 */
import { connectClient, startFoxRouter } from './fox-router';
import type { ClientOptions, FoxRouterHandle, FoxRouterOptions, TestClient } from './fox-router';

let steps: Array<() => unknown> = [];

/** Runs `step` after the current test (LIFO with the others); it may return a promise. */
export function defer(step: () => unknown): void {
  steps.push(step);
}

afterEach(async () => {
  const pending = steps.reverse();
  steps = [];
  const failures: unknown[] = [];
  for (const step of pending) await Promise.resolve().then(step).catch((e: unknown) => failures.push(e));
  if (failures.length > 0) throw failures[0];
});

/** An in-process fox-wamp router, stopped after the test. */
export async function startRouter(opts?: FoxRouterOptions): Promise<FoxRouterHandle> {
  const router = await startFoxRouter(opts);
  defer(() => router.stop());
  return router;
}

/** An autobahn client of `target` (a ws:// URL or a router), closed after the test. */
export async function connect(target: string | Pick<FoxRouterHandle, 'url'>, opts?: ClientOptions): Promise<TestClient> {
  const client = await connectClient(typeof target === 'string' ? target : target.url, opts);
  defer(() => client.close());
  return client;
}
