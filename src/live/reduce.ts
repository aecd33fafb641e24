/**
 * The pure core of the live session set (the Phoenix Presence `syncState`/`syncDiff` idea):
 * deterministic functions over (state, event), no I/O, no timers. The sources (the meta API,
 * a presence relay) do the WAMP work and call these.
 *
 * Session ids are drawn at random from [1, 2^53] and never reused (WAMP spec, "IDs"), so a
 * session joins once and leaves once. The set is therefore a two-phase set: a session is alive
 * when it was listed or joined and no leave was seen for it, whatever order the list, the get
 * answers and the events arrived in. A leave is final: it leaves a tombstone, and nothing brings
 * that id back (no resurrection).
 */
import type { SessionDetails, SessionId, SessionLeft } from '../types';
import type { SessionSetChange } from './types';

export type LiveEvent =
  | { readonly type: 'join'; readonly details: SessionDetails }
  | { readonly type: 'leave'; readonly left: SessionLeft };

/** Which sessions belong in the set (authrole filter, includeSelf). */
export type Accept = (details: SessionDetails) => boolean;

/** Where the set lives: a Map, or the SnapshotStore that wraps one. */
export interface SessionTable {
  get(id: SessionId): SessionDetails | undefined;
  set(id: SessionId, details: SessionDetails): void;
  delete(id: SessionId): void;
}

/**
 * Ids that left recently, bounded (oldest dropped first). They guard against an `on_join`
 * delivered after its `on_leave` (the WAMP spec orders events per topic only). During a sync the
 * buffered leaves themselves are the guard, so the bound never loses one that matters there.
 */
export class Tombstones {
  readonly #ids = new Set<SessionId>();
  /**
   * Insertion order as a ring, so evicting the oldest is O(1). `Set#values().next()` is not: V8
   * walks the deleted slots at the front of the table every time.
   */
  readonly #ring: SessionId[] = [];
  #next = 0;
  constructor(readonly capacity: number) {}

  add(id: SessionId): void {
    if (this.#ids.has(id)) return;
    const evicted = this.#ring[this.#next];
    if (evicted !== undefined) this.#ids.delete(evicted);
    this.#ring[this.#next] = id;
    this.#next = (this.#next + 1) % this.capacity;
    this.#ids.add(id);
  }

  has(id: SessionId): boolean {
    return this.#ids.has(id);
  }
}

/** What `applyJoin` checks for a leave already seen. */
export interface Gone {
  has(id: SessionId): boolean;
}

/** Details with only the id (`details: 'id'`, or when `get` could not tell more). */
export function idOnly(session: SessionId): SessionDetails {
  return { session, raw: null };
}

/** A join on a live set. Idempotent; richer details replace id-only ones silently. */
export function applyJoin(table: SessionTable, gone: Gone, details: SessionDetails, accept: Accept): SessionSetChange | undefined {
  if (gone.has(details.session) || !accept(details)) return undefined;
  const had = table.get(details.session);
  if (had) {
    if (had.raw === null && details.raw !== null) table.set(details.session, details);
    return undefined;
  }
  table.set(details.session, details);
  return { type: 'joined', session: details };
}

/** A leave on a live set. Unknown ids are a no-op (but still tombstoned). */
export function applyLeave(table: SessionTable, gone: Tombstones, id: SessionId): SessionSetChange | undefined {
  gone.add(id);
  const had = table.get(id);
  if (!had) return undefined;
  table.delete(id);
  return { type: 'left', session: had };
}

export function applyEvent(table: SessionTable, gone: Tombstones, event: LiveEvent, accept: Accept): SessionSetChange | undefined {
  return event.type === 'join'
    ? applyJoin(table, gone, event.details, accept)
    : applyLeave(table, gone, event.left.session);
}

/**
 * The set the realm has now, written into `next` (empty): the snapshot (`list` + `get` answers, in
 * any order) with the events buffered since both topics were subscribed applied on top. A leave seen during the sync wins
 * over the snapshot, also over a `get` answer that arrived after it.
 */
export function settle<T extends SessionTable>(snapshot: Iterable<SessionDetails>, buffered: readonly LiveEvent[], gone: Tombstones, accept: Accept, next: T): T {
  const left = new Set<SessionId>();
  for (const event of buffered) {
    if (event.type !== 'leave') continue;
    left.add(event.left.session);
    gone.add(event.left.session);
  }
  const isGone: Gone = { has: (id) => left.has(id) || gone.has(id) };
  for (const details of snapshot) applyJoin(next, isGone, details, accept);
  for (const event of buffered) if (event.type === 'join') applyJoin(next, isGone, event.details, accept);
  return next;
}

/**
 * Moves `table` from its current content `current` to `next` and returns the minimal difference:
 * `left` for those gone, `joined` for new ones. Sessions in both keep quiet (their details are
 * refreshed without a change).
 */
export function replace(
  table: SessionTable,
  current: ReadonlyMap<SessionId, SessionDetails>,
  next: ReadonlyMap<SessionId, SessionDetails>,
): SessionSetChange[] {
  const changes: SessionSetChange[] = [];
  const gone: SessionDetails[] = [];
  for (const [id, details] of current) if (!next.has(id)) gone.push(details);
  for (const details of gone) {
    table.delete(details.session);
    changes.push({ type: 'left', session: details });
  }
  for (const [id, details] of next) {
    const had = current.get(id);
    // Same session, same details, or a resync that only knows the id of one we know better.
    if (had === details || (had && had.raw !== null && details.raw === null)) continue;
    table.set(id, details);
    if (!had) changes.push({ type: 'joined', session: details });
  }
  return changes;
}
