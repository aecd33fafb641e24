/**
 * Time and chance behind one tiny interface (the TanStack `timeoutManager` idea), so that
 * intervals, deadlines and backoff are driven by fake timers in tests instead of real waiting.
 * The globals are looked up at each call, so a test's fake timers apply.
 */
export type TimerHandle = ReturnType<typeof setTimeout>;

export interface Clock {
  setTimeout(run: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
  /** Monotonic milliseconds. */
  now(): number;
  /** In [0, 1), for jitter. */
  random(): number;
}

/**
 * The runtime's timers. Unref'd where the runtime can (Node): a pending socket keeps a process
 * alive, a deadline or a retry of this SDK need not.
 */
export const systemClock: Clock = {
  setTimeout(run, ms) {
    const handle = setTimeout(run, ms);
    (handle as { unref?: () => void }).unref?.();
    return handle;
  },
  clearTimeout(handle) {
    if (handle !== undefined) clearTimeout(handle);
  },
  now: () => performance.now(),
  random: () => Math.random(),
};
