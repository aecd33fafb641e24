/**
 * Small, generic waiting utilities for async tests. Every wait is bounded and clears its own
 * timers, so a failing test fails with a message instead of hanging, and jest exits cleanly.
 */
import type { Observable } from 'rxjs';

/** Polling interval: short enough for fast tests, long enough to let sockets make progress. */
const POLL_MS = 10;

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Resolves once `predicate()` is true; rejects after `timeoutMs` naming `what`.
 * For state that settles a moment later (router-side bookkeeping, async unsubscribe, reconnects).
 *
 * @example
 * await waitFor(() => router.subscriptionCount('wamp.session.on_join') === 0, 2000, 'unsubscribed');
 */
export async function waitFor(predicate: () => boolean, timeoutMs = 2000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() >= deadline) throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms`);
    await sleep(POLL_MS);
  }
}

/**
 * `promise`, or a rejection once `ms` passed: proves a promise does not stay pending forever.
 *
 * @example
 * await expect(withTimeout(meta.killByAuthid('me'), 2000)).rejects.toBeInstanceOf(SessionClosedError);
 */
export function withTimeout<T>(promise: PromiseLike<T>, ms: number, what = 'promise'): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`withTimeout: ${what} still pending after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** What an observer saw so far; see {@link collect}. */
export interface Collected<T> {
  readonly values: readonly T[];
  /** The error the observable ended with, if any (`undefined` otherwise). */
  readonly error: unknown;
  readonly completed: boolean;
  /** The first value, already seen or still to come, that matches; rejects after `timeoutMs`. */
  find(match: (value: T) => boolean, timeoutMs?: number): Promise<T>;
  unsubscribe(): void;
}

/**
 * Subscribes to `source` and records everything it emits.
 *
 * @example
 * const joins = collect(meta.joins$);
 * const join = await joins.find((s) => s.session === id);
 * joins.unsubscribe();
 */
export function collect<T>(source: Observable<T>): Collected<T> {
  const values: T[] = [];
  let error: unknown;
  let completed = false;
  const subscription = source.subscribe({
    next: (value) => values.push(value),
    error: (e: unknown) => (error = e),
    complete: () => (completed = true),
  });
  return {
    values,
    get error() {
      return error;
    },
    get completed() {
      return completed;
    },
    async find(match, timeoutMs = 2000) {
      await waitFor(() => values.some(match), timeoutMs, 'a matching value');
      return values.find(match) as T;
    },
    unsubscribe: () => subscription.unsubscribe(),
  };
}
