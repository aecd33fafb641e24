/**
 * Benchmark 4: memory (node --expose-gc), in-process with Crossbar-shaped details.
 * - Heap per tracked session: heap of just holding N raw details objects (fresh JSON.parse
 *   copies, as autobahn delivers them), then of a live set (with its sessions$ and changes$
 *   subscribers) tracking those same objects, then of the set alone once the raw array is dropped.
 * - Leak check: a live set goes through join/leave cycles (fresh details each, as on the wire);
 *   the heap after a full GC is compared with the heap before, after a short warm-up that fills
 *   the bounded structures (tombstones) and the JIT.
 */
import { crossbarDetails, sessionId, type Details } from './crossbar-details';
import { fakeLive } from './fake-live';
import type { Scale } from './scale';
import { collect } from './stats';

export interface MemoryResult {
  readonly sessions: number;
  /** Bytes per session of the raw details objects alone. */
  readonly rawBytesPerSession: number;
  /** Bytes per session the live set adds on top of the details it references. */
  readonly overheadBytesPerSession: number;
  /** Bytes per session of the live set holding everything (details included), raw array gone. */
  readonly trackedBytesPerSession: number;
  readonly cycles: number;
  readonly heapBeforeCycles: number;
  readonly heapAfterCycles: number;
  /** (after - before) / before. */
  readonly cycleGrowth: number;
  readonly bytesPerCycle: number;
}

function heap(): number {
  collect();
  return process.memoryUsage().heapUsed;
}

async function perSession(n: number): Promise<Pick<MemoryResult, 'rawBytesPerSession' | 'overheadBytesPerSession' | 'trackedBytesPerSession'>> {
  const h0 = heap();
  let raw: Details[] | undefined = Array.from({ length: n }, (_, i) => crossbarDetails(sessionId(i)));
  const h1 = heap();
  const set = await fakeLive();
  for (const details of raw) set.join(details);
  const h2 = heap();
  if (set.live.size !== n || set.latest().size !== n) throw new Error(`memory bench: the set holds ${set.live.size}, expected ${n}`);
  raw = undefined;
  const h3 = heap();
  if (set.live.size !== n) throw new Error('memory bench: the set lost sessions');
  set.dispose();
  return { rawBytesPerSession: (h1 - h0) / n, overheadBytesPerSession: (h2 - h1) / n, trackedBytesPerSession: (h3 - h0) / n };
}

async function cycles(n: number): Promise<Pick<MemoryResult, 'cycles' | 'heapBeforeCycles' | 'heapAfterCycles' | 'cycleGrowth' | 'bytesPerCycle'>> {
  const set = await fakeLive();
  let next = 200_000; // ids apart from the ones above
  const cycle = (): void => {
    const details = crossbarDetails(sessionId(next++));
    set.join(details);
    set.leave(details.session);
  };
  for (let i = 0; i < Math.min(n, 5000); i++) cycle(); // warm-up: tombstones full, code compiled
  const before = heap();
  for (let i = 0; i < n; i++) cycle();
  const after = heap();
  if (set.live.size !== 0 || set.seen().changes !== 2 * (n + Math.min(n, 5000))) throw new Error('memory bench: cycles went wrong');
  set.dispose();
  return { cycles: n, heapBeforeCycles: before, heapAfterCycles: after, cycleGrowth: (after - before) / before, bytesPerCycle: (after - before) / n };
}

export async function run(scale: Scale): Promise<MemoryResult> {
  const { sessions, cycles: n } = scale.memory;
  return { sessions, ...(await perSession(sessions)), ...(await cycles(n)) };
}
