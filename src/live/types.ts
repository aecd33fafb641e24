/** The public types of live sets and presence mirrors: the read interface they share. */
import type { Observable } from 'rxjs';
import type { MetaError } from '../errors';
import type { SessionDetails, SessionId } from '../types';

/**
 * Where a live set stands: `syncing` (waiting for its first session, or a sync or resync
 * running), `live` (in step with the router, verified), `stale` (disconnected, or the link went
 * silent, or a presence relay says its own sets are stale; the last known set is kept), `closed`
 * (disposed, or the router denied the meta API).
 *
 * @example
 * ```ts
 * live.status$.subscribe((status: LiveStatus) => console.log('status', status));
 * ```
 */
export type LiveStatus = 'syncing' | 'live' | 'stale' | 'closed';

/**
 * A change of the set, as `changes$` emits it.
 *
 * @example
 * ```ts
 * live.changes$.subscribe((change: SessionSetChange) => console.log(change.type, change.session.session));
 * ```
 */
export interface SessionSetChange {
  /** Whether the session came into the set or went out of it. */
  readonly type: 'joined' | 'left';
  /** The session (for `left`: its details as last known). */
  readonly session: SessionDetails;
}

/**
 * What `getSnapshot()` returns: the set and its status together, the same object until either
 * changes (React's `useSyncExternalStore` contract).
 *
 * @example
 * ```ts
 * const { status, sessions, error } = live.getSnapshot();
 * console.log(status, sessions.size, error?.code);
 * ```
 */
export interface LiveSnapshot {
  /** The status the set is in. */
  readonly status: LiveStatus;
  /** The sessions (empty until the first sync is done); immutable. */
  readonly sessions: ReadonlyMap<SessionId, SessionDetails>;
  /** The error that explains a status other than `live`, when there is one. */
  readonly error?: MetaError;
}

/**
 * The typed events of a live set or presence mirror (a typed-emitter `EventMap`).
 *
 * @example
 * ```ts
 * const onJoined: LiveSessionSetEvents['joined'] = (s) => console.log(s.authid);
 * ```
 */
export type LiveSessionSetEvents = {
  /** A session came into the set. */
  joined: (session: SessionDetails) => void;
  /** A session left the set (its details as last known). */
  left: (session: SessionDetails) => void;
  /** The status changed. */
  status: (status: LiveStatus) => void;
  /** Something went wrong that the set survived (or, with status `closed`, did not). */
  error: (error: MetaError) => void;
};

/**
 * The read interface shared by a {@link LiveSessionSet} (from the meta API) and a presence mirror
 * (from a relay): bind a UI to it once, feed it either.
 *
 * @example
 * ```ts
 * function show(view: LiveSessionView): void {
 *   view.subscribe(() => {
 *     const { status, sessions } = view.getSnapshot();
 *     console.log(status, sessions.size);
 *   });
 * }
 * ```
 */
export interface LiveSessionView {
  /** Resolves when the first sync is done; rejects if disposed first or refused for good. */
  readonly ready: Promise<void>;
  /** The current status. */
  readonly status: LiveStatus;
  /** How many sessions are in the set. */
  readonly size: number;
  /** Whether a session is in the set. */
  has(id: SessionId): boolean;
  /** One session's details, if it is in the set. */
  get(id: SessionId): SessionDetails | undefined;
  /** The sessions in the set (a copy: safe to iterate while events arrive). */
  values(): IterableIterator<SessionDetails>;
  /** The sessions grouped by authid, kept up to date as events arrive (a live view: copy to keep). */
  byAuthid(): ReadonlyMap<string, readonly SessionDetails[]>;
  /** The whole set: replays the current one, then one per change; never a half-synced set. */
  readonly sessions$: Observable<ReadonlyMap<SessionId, SessionDetails>>;
  /** Each change, in order. */
  readonly changes$: Observable<SessionSetChange>;
  /** The status; replays the current one. Set before the changes it explains are emitted. */
  readonly status$: Observable<LiveStatus>;
  /** A typed listener for code that does not use RxJS. */
  on<E extends keyof LiveSessionSetEvents>(event: E, listener: LiveSessionSetEvents[E]): this;
  /** Removes a listener added with `on` or `once`. */
  off<E extends keyof LiveSessionSetEvents>(event: E, listener: LiveSessionSetEvents[E]): this;
  /** A listener for the next such event only. */
  once<E extends keyof LiveSessionSetEvents>(event: E, listener: LiveSessionSetEvents[E]): this;
  /** Calls `onChange` after every change of the set or of its status; returns the unsubscribe function. */
  readonly subscribe: (onChange: () => void) => () => void;
  /** The set and its status; the same object until either changes. */
  readonly getSnapshot: () => LiveSnapshot;
  /** Stops following, silently (no `left` events); status `closed`. Idempotent. */
  dispose(): void;
}

/**
 * Options of {@link SessionMeta.liveSessions}.
 *
 * @example
 * ```ts
 * const live = meta.liveSessions({ authroles: ['user'], includeSelf: false, details: 'full', verifyIntervalMs: 30_000 });
 * ```
 */
export interface LiveSessionSetOptions {
  /** Only sessions with one of these authroles, in the snapshot and in events alike. `[]` matches none. */
  readonly authroles?: readonly string[];
  /** Include the session this SDK runs on. Default `true`, like the router's count. */
  readonly includeSelf?: boolean;
  /** `'full'` (default) fetches `get` for every listed session; `'id'` keeps only ids from `list`. */
  readonly details?: 'full' | 'id';
  /**
   * How many `get` calls a sync keeps in flight. Default 4096 (measured within 1.1× the same calls
   * made by hand, 1 000–10 000 sessions, on loopback and through a 2 ms link).
   */
  readonly syncConcurrency?: number;
  /**
   * Called when `get` is refused for a listed session (denied, a router error, malformed details);
   * the session stays in the set with its id only. Not called for `NoSuchSessionError` (the session
   * is absent) nor for a timeout or a close, which fail the whole sync (it is retried).
   */
  readonly onDetailsError?: (error: MetaError, sessionId: SessionId) => void;
  /**
   * How often a live set checks itself against the router (one `count` call), in ms. Default
   * 15 000; `0` turns verification off. A silent link makes the set `stale` within about two
   * intervals; lost events are repaired and reported as `DriftError`.
   */
  readonly verifyIntervalMs?: number;
}
