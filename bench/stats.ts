/** Small statistics and timing helpers: every figure is reported with its spread. */
import { performance } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

export interface Summary {
  readonly n: number;
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly q1: number;
  readonly q3: number;
}

function quantile(sorted: readonly number[], q: number): number {
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (at - lo);
}

export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    n: sorted.length,
    median: quantile(sorted, 0.5),
    min: sorted[0] as number,
    max: sorted[sorted.length - 1] as number,
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
  };
}

/** Paired ratios a[i] / b[i] (measured side by side in the same round). */
export function ratios(a: readonly number[], b: readonly number[]): number[] {
  return a.map((x, i) => x / (b[i] as number));
}

/** Milliseconds an async step took. */
export async function timeMs(step: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await step();
  return performance.now() - t0;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Full collection (node --expose-gc), twice so finalizers and weak refs settle. */
export function collect(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with node --expose-gc');
  gc();
  gc();
}

/**
 * Heap in use after a full GC, read on a fresh macrotask. Awaiting first matters: an async
 * function's frame keeps the value its last `await` resumed with (and any variable not yet
 * overwritten) reachable, so a result dropped just before would still be counted.
 */
export async function heapAfterGc(): Promise<number> {
  await new Promise<void>((resolve) => setImmediate(resolve));
  collect();
  return getHeapStatistics().used_heap_size;
}

/** Rotates `items` by `round`, so each variant runs first in turn (cancels warm-up and drift). */
export function rotate<T>(items: readonly T[], round: number): T[] {
  const k = round % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
