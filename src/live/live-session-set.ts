import { BehaviorSubject, Subject, Subscription, combineLatest, defer, startWith, type Observable } from 'rxjs';
import { Emitter, callSafely } from '../emitter';
import {
  CallTimeoutError,
  InvalidArgumentError,
  NoSuchSessionError,
  NotAuthorizedError,
  ProcedureUnavailableError,
  SessionClosedError,
  type MetaError,
} from '../errors';
import type { LiveSource } from '../session-meta';
import type { SessionDetails, SessionId, WampSessionLike } from '../types';
import { ON_JOIN, ON_LEAVE } from '../uris';
import { checkFilter, checkPositiveInteger } from '../validate';
import { SnapshotStore } from './snapshot-store';
import { Tombstones, applyEvent, idOnly, replace, settle, type Accept, type LiveEvent, type SessionSetChange } from './reduce';

export type { SessionSetChange } from './reduce';

/**
 * Where a live set stands: `syncing` (waiting for its first session, or a sync or resync
 * running), `live` (in step with the router), `stale` (disconnected; the last known set is
 * kept), `closed` (disposed, or the router denied the meta API).
 *
 * @example
 * ```ts
 * live.status$.subscribe((status: LiveStatus) => badge.textContent = status);
 * ```
 */
export type LiveStatus = 'syncing' | 'live' | 'stale' | 'closed';

/**
 * Options of {@link SessionMeta.liveSessions}.
 *
 * @example
 * ```ts
 * const live = meta.liveSessions({ authroles: ['user'], includeSelf: false, details: 'full', syncConcurrency: 32 });
 * ```
 */
export interface LiveSessionSetOptions {
  /** Only sessions with one of these authroles, in the snapshot and in events alike. */
  readonly authroles?: readonly string[];
  /** Include the session this SDK runs on. Default `true`, like the router's count. */
  readonly includeSelf?: boolean;
  /** `'full'` (default) fetches `get` for every listed session; `'id'` keeps only ids from `list`. */
  readonly details?: 'full' | 'id';
  /**
   * How many `get` calls a sync keeps in flight. Default 256: bench/RESULTS.md found 256–512
   * fastest at 1000 and 3000 sessions (16, the contract's first default, was 1.3–9× slower than an
   * unbounded burst on loopback and on a 2.4 ms link).
   */
  readonly syncConcurrency?: number;
  /**
   * Called when `get` is refused for a listed session (denied, a router error, malformed details);
   * the session stays in the set with its id only. Not called for `NoSuchSessionError` (the session
   * is absent) nor for a timeout or a close, which fail the whole sync (it is retried).
   */
  readonly onDetailsError?: (error: MetaError, sessionId: SessionId) => void;
}

/**
 * The typed events of a {@link LiveSessionSet} (a typed-emitter `EventMap`).
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

const EMPTY_SET: ReadonlyMap<SessionId, SessionDetails> = new Map();
const RETRY_BASE_MS = 250;
const RETRY_MAX_MS = 10_000;
const TOMBSTONES = 1024;

/** Errors after which retrying a sync cannot help: the router refuses the meta API. */
function isFinal(error: unknown): boolean {
  return NotAuthorizedError.is(error) || ProcedureUnavailableError.is(error);
}

/**
 * A live, always-consistent set of the sessions in a realm (API.md §5). Create it with
 * {@link SessionMeta.liveSessions}.
 *
 * It subscribes to `on_join` and `on_leave`, waits until both are confirmed, then `list`s (and
 * `get`s, pipelined) while buffering events, and applies the buffer on top. On disconnect it goes
 * `stale` and keeps the last known set; on the next session it resyncs and emits only the
 * difference.
 *
 * @example
 * ```ts
 * const live = meta.liveSessions({ authroles: ['user'] });
 * live.on('joined', (s) => console.log('+', s.authid));
 * live.on('left', (s) => console.log('-', s.authid));
 * await live.ready;
 * console.log(live.size, 'users online');
 * ```
 */
export class LiveSessionSet {
  /**
   * Resolves when the first sync is done (status `live`). Rejects if the set is disposed first or
   * the router denies the meta API.
   *
   * @example
   * ```ts
   * await live.ready;
   * ```
   */
  readonly ready: Promise<void>;

  /**
   * The whole set as an immutable map: replays the current one, then one per change. Never emits
   * a half-synced set. Each emission is O(1) (structure is shared, not copied).
   *
   * @example
   * ```ts
   * live.sessions$.subscribe((sessions) => render([...sessions.values()]));
   * ```
   */
  readonly sessions$: Observable<ReadonlyMap<SessionId, SessionDetails>>;

  /**
   * Each change: `{ type: 'joined' | 'left', session }`. For a subscriber from the start,
   * replaying them from an empty set gives the set (a join that only adds details to a known id
   * is not a change; `sessions$` shows it).
   *
   * @example
   * ```ts
   * live.changes$.subscribe(({ type, session }) => console.log(type, session.session));
   * ```
   */
  readonly changes$: Observable<SessionSetChange>;

  /**
   * The status; replays the current one. Set before the changes it explains are emitted.
   *
   * @example
   * ```ts
   * live.status$.subscribe((status) => console.log('status', status));
   * ```
   */
  readonly status$: Observable<LiveStatus>;

  readonly #source: LiveSource;
  readonly #accept: Accept;
  readonly #filter: string[] | undefined;
  readonly #full: boolean;
  readonly #includeSelf: boolean;
  readonly #concurrency: number;
  readonly #onDetailsError: LiveSessionSetOptions['onDetailsError'];
  readonly #store = new SnapshotStore();
  readonly #gone = new Tombstones(TOMBSTONES);
  readonly #status = new BehaviorSubject<LiveStatus>('syncing');
  readonly #changes = new Subject<SessionSetChange>();
  readonly #updates = new Subject<ReadonlyMap<SessionId, SessionDetails>>();
  readonly #emitter = new Emitter<LiveSessionSetEvents>();
  readonly #listeners = new Set<() => void>();
  readonly #subscription = new Subscription();
  #session: WampSessionLike | null = null;
  /** The session the current sync was started on: one per session (retries reuse it). */
  #syncedOn: WampSessionLike | null = null;
  /** Events seen while a sync runs; `undefined` once live. */
  #buffer: LiveEvent[] | undefined = [];
  #epoch = 0;
  #attempt = 0;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #synced = false;
  #settleReady!: (error?: MetaError) => void;

  /** @internal Use {@link SessionMeta.liveSessions}. */
  constructor(source: LiveSource, options: LiveSessionSetOptions = {}) {
    if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object');
    const { includeSelf = true, details = 'full', syncConcurrency = 256, onDetailsError } = options;
    this.#filter = checkFilter(options, 'options');
    if (typeof includeSelf !== 'boolean') throw new InvalidArgumentError('options.includeSelf', 'a boolean');
    if (details !== 'full' && details !== 'id') throw new InvalidArgumentError('options.details', "'full' or 'id'");
    if (onDetailsError !== undefined && typeof onDetailsError !== 'function') {
      throw new InvalidArgumentError('options.onDetailsError', 'a function');
    }
    this.#concurrency = checkPositiveInteger(syncConcurrency, 'options.syncConcurrency');
    this.#full = details === 'full';
    this.#includeSelf = includeSelf;
    this.#onDetailsError = onDetailsError;
    this.#source = source;
    const roles = this.#filter;
    // A session whose authrole the router does not report is let through: the router's own `list`
    // filter is then all there is (fox-wamp has none).
    this.#accept = (d) =>
      (includeSelf || d.session !== this.#session?.id) && (!roles || d.authrole === undefined || roles.includes(d.authrole));

    this.ready = new Promise<void>((resolve, reject) => {
      this.#settleReady = (error) => (error ? reject(error) : resolve());
    });
    this.ready.catch(() => undefined); // rejection is for those who await it, never unhandled
    this.status$ = this.#status.asObservable();
    this.changes$ = this.#changes.asObservable();
    this.sessions$ = defer(() => (this.#synced ? this.#updates.pipe(startWith(this.#store.snapshot())) : this.#updates));

    const fatal = (error: MetaError): void => this.#close(error);
    this.#subscription.add(source.joins.events$.subscribe({ next: (details) => this.#onEvent({ type: 'join', details }), error: fatal }));
    this.#subscription.add(source.leaves.events$.subscribe({ next: (left) => this.#onEvent({ type: 'leave', left }), error: fatal }));
    // Malformed events concern every set; call results concern their caller (own list/get: #fetch).
    this.#subscription.add(
      source.errors$.subscribe((error) => {
        if (error.procedure === ON_JOIN || error.procedure === ON_LEAVE) this.#emitter.emit('error', error);
      }),
    );
    this.#subscription.add(
      combineLatest([source.session$, source.joins.subscribedOn$, source.leaves.subscribedOn$]).subscribe(([session, joins, leaves]) =>
        this.#onSession(session, joins === session && leaves === session),
      ),
    );
  }

  /**
   * The current status.
   *
   * @example
   * ```ts
   * if (live.status === 'stale') showBanner('reconnecting…');
   * ```
   */
  get status(): LiveStatus {
    return this.#status.value;
  }

  /**
   * How many sessions are in the set.
   *
   * @example
   * ```ts
   * console.log(live.size);
   * ```
   */
  get size(): number {
    return this.#store.size;
  }

  /**
   * Whether a session is in the set.
   *
   * @example
   * ```ts
   * if (live.has(id)) console.log('online');
   * ```
   */
  has(id: SessionId): boolean {
    return this.#store.has(id);
  }

  /**
   * One session's details, if it is in the set.
   *
   * @example
   * ```ts
   * console.log(live.get(id)?.authid);
   * ```
   */
  get(id: SessionId): SessionDetails | undefined {
    return this.#store.get(id);
  }

  /**
   * The sessions in the set.
   *
   * @example
   * ```ts
   * for (const s of live.values()) console.log(s.session, s.authrole);
   * ```
   */
  values(): IterableIterator<SessionDetails> {
    return [...this.#store.values()].values(); // a copy: iterating while events arrive stays safe
  }

  /**
   * The sessions grouped by authid (sessions without one are left out). Computed on each call.
   *
   * @example
   * ```ts
   * const alice = live.byAuthid().get('alice') ?? [];
   * console.log(`alice has ${alice.length} sessions`);
   * ```
   */
  byAuthid(): ReadonlyMap<string, SessionDetails[]> {
    const groups = new Map<string, SessionDetails[]>();
    for (const details of this.#store.values()) {
      if (details.authid === undefined) continue;
      const group = groups.get(details.authid);
      if (group) group.push(details);
      else groups.set(details.authid, [details]);
    }
    return groups;
  }

  /**
   * Registers a typed listener (`joined`, `left`, `status`, `error`) for code that does not use RxJS.
   *
   * @example
   * ```ts
   * live.on('status', (status) => console.log(status));
   * ```
   */
  on<E extends keyof LiveSessionSetEvents>(event: E, listener: LiveSessionSetEvents[E]): this {
    this.#emitter.on(event, listener);
    return this;
  }

  /**
   * Removes a listener added with {@link LiveSessionSet.on} or {@link LiveSessionSet.once}.
   *
   * @example
   * ```ts
   * const onLeft = (s: SessionDetails) => console.log(s.session);
   * live.on('left', onLeft);
   * live.off('left', onLeft);
   * ```
   */
  off<E extends keyof LiveSessionSetEvents>(event: E, listener: LiveSessionSetEvents[E]): this {
    this.#emitter.off(event, listener);
    return this;
  }

  /**
   * Registers a listener for the next such event only.
   *
   * @example
   * ```ts
   * live.once('joined', (s) => console.log('first join:', s.session));
   * ```
   */
  once<E extends keyof LiveSessionSetEvents>(event: E, listener: LiveSessionSetEvents[E]): this {
    this.#emitter.on(event, listener, true);
    return this;
  }

  /**
   * Calls `onChange` after every change of the set; returns the unsubscribe function. With
   * {@link LiveSessionSet.getSnapshot} this is React's `useSyncExternalStore` contract.
   *
   * @example
   * ```ts
   * const sessions = useSyncExternalStore(live.subscribe, live.getSnapshot);
   * ```
   */
  readonly subscribe = (onChange: () => void): (() => void) => {
    const listener = (): void => onChange();
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /**
   * The current set as an immutable map; the same object until the set changes. Empty until the
   * first sync is done.
   *
   * @example
   * ```ts
   * const sessions = live.getSnapshot();
   * console.log(sessions.size);
   * ```
   */
  readonly getSnapshot = (): ReadonlyMap<SessionId, SessionDetails> => (this.#synced ? this.#store.snapshot() : EMPTY_SET);

  /**
   * Stops following the realm, silently: no `left` events, status `closed`, no WAMP subscription
   * of its own left behind, no timer. Idempotent.
   *
   * @example
   * ```ts
   * live.dispose();
   * ```
   */
  dispose(): void {
    this.#close(undefined);
  }

  #onSession(session: WampSessionLike | null, subscribed: boolean): void {
    if (this.#status.value === 'closed') return;
    if (session !== this.#session) {
      this.#session = session;
      this.#syncedOn = null;
      this.#cancelSync();
      this.#buffer = [];
      this.#attempt = 0;
      this.#setStatus(session ? 'syncing' : 'stale');
    }
    if (session && subscribed && this.#syncedOn !== session) {
      this.#syncedOn = session;
      void this.#sync(session);
    }
  }

  #onEvent(event: LiveEvent): void {
    if (this.#buffer) {
      this.#buffer.push(event);
      return;
    }
    const version = this.#store.version;
    const change = applyEvent(this.#store, this.#gone, event, this.#accept);
    // No change but a new snapshot: a join that brought details for an id-only entry.
    if (change || this.#store.version !== version) this.#publish(change ? [change] : []);
  }

  async #sync(session: WampSessionLike): Promise<void> {
    const epoch = ++this.#epoch;
    const meta = this.#source.meta;
    // Joins seen so far happened before `list` runs, so `list` has those still alive. Kept, they
    // would bring back one whose leave came before on_leave was SUBSCRIBED (a ghost). Leaves stay:
    // their on_join may still arrive (the spec orders events per topic only).
    this.#buffer = (this.#buffer ?? []).filter((event) => event.type === 'leave');
    let snapshot: SessionDetails[];
    try {
      const ids = await meta.list(this.#filter ? { authroles: this.#filter } : undefined);
      if (epoch !== this.#epoch) return;
      const wanted = this.#includeSelf ? ids : ids.filter((id) => id !== session.id);
      snapshot = this.#full ? await this.#fetch(wanted, epoch) : wanted.map(idOnly);
    } catch (error) {
      if (epoch === this.#epoch) this.#syncFailed(error as MetaError, session);
      return;
    }
    if (epoch === this.#epoch) this.#complete(snapshot);
  }

  /** `get` for every listed id, `syncConcurrency` in flight. */
  async #fetch(ids: readonly SessionId[], epoch: number): Promise<SessionDetails[]> {
    const meta = this.#source.meta;
    const out: SessionDetails[] = [];
    let next = 0;
    let failed = false;
    const worker = async (): Promise<void> => {
      while (next < ids.length && !failed && epoch === this.#epoch) {
        const id = ids[next++] as SessionId;
        try {
          out.push(await meta.get(id));
        } catch (error) {
          if (NoSuchSessionError.is(error)) continue; // gone since `list`: absent (guarantee 3)
          if (SessionClosedError.is(error) || CallTimeoutError.is(error)) {
            failed = true;
            throw error;
          }
          // Denied or malformed details: the session is alive (it was listed), keep its id.
          out.push(idOnly(id));
          this.#emitter.emit('error', error as MetaError);
          if (this.#onDetailsError) callSafely(this.#onDetailsError, error as MetaError, id);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.#concurrency, ids.length) }, worker));
    return out;
  }

  #complete(snapshot: readonly SessionDetails[]): void {
    const next = settle(snapshot, this.#buffer ?? [], this.#gone, this.#accept);
    this.#buffer = undefined;
    this.#attempt = 0;
    const changes = replace(this.#store, this.#store.map, next);
    this.#synced = true;
    this.#settleReady(); // before the status: a 'live' listener may dispose the set
    this.#setStatus('live');
    this.#publish(changes);
  }

  #syncFailed(error: MetaError, session: WampSessionLike): void {
    if (isFinal(error)) return this.#close(error); // #close reports it
    this.#emitter.emit('error', error);
    if (this.#session !== session) return;
    // Retry with exponential backoff and jitter; a new session restarts the sync anyway.
    const delay = Math.min(RETRY_BASE_MS * 2 ** this.#attempt++, RETRY_MAX_MS) * (0.5 + Math.random() / 2);
    this.#retry = setTimeout(() => {
      this.#retry = undefined;
      if (this.#session === session && this.#status.value !== 'closed') void this.#sync(session);
    }, delay);
    (this.#retry as { unref?: () => void }).unref?.(); // the session's socket keeps a process alive, not this
  }

  #cancelSync(): void {
    this.#epoch++;
    if (this.#retry !== undefined) clearTimeout(this.#retry);
    this.#retry = undefined;
  }

  #setStatus(status: LiveStatus): void {
    if (this.#status.value === status) return;
    this.#status.next(status);
    this.#emitter.emit('status', status);
  }

  /** Status first (guarantee 5), then the changes, then the new whole set. */
  #publish(changes: readonly SessionSetChange[]): void {
    for (const change of changes) {
      this.#changes.next(change);
      this.#emitter.emit(change.type, change.session);
    }
    if (this.#updates.observed) this.#updates.next(this.#store.snapshot());
    for (const listener of [...this.#listeners]) callSafely(listener);
  }

  #close(error: MetaError | undefined): void {
    if (this.#status.value === 'closed') return;
    this.#cancelSync();
    if (error) this.#emitter.emit('error', error);
    this.#setStatus('closed');
    this.#settleReady(error ?? new SessionClosedError({ reason: 'wamp-session-meta.disposed' }));
    this.#subscription.unsubscribe();
    this.#source.forget(this);
    this.#status.complete();
    this.#changes.complete();
    this.#updates.complete();
    this.#listeners.clear();
    this.#emitter.clear();
  }
}
