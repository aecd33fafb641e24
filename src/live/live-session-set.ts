import { BehaviorSubject, Observable, Subject } from 'rxjs';
import type { TimerHandle } from '../clock';
import { Emitter, callSafely } from '../emitter';
import { SessionClosedError, toMetaError, type MetaError } from '../errors';
import type { SessionDetails, SessionId } from '../types';
import { DISPOSED } from '../uris';
import { initialState, statusOf, transition, type Effect, type MachineEvent, type MachineState, type SyncMode, type Timer } from './machine';
import { Tombstones, replace } from './reduce';
import { SnapshotStore } from './snapshot-store';
import type { SyncSource } from './source';
import type { LiveSessionSetEvents, LiveSessionView, LiveSnapshot, LiveStatus, SessionSetChange } from './types';

const EMPTY_SET: ReadonlyMap<SessionId, SessionDetails> = new Map();
const TOMBSTONES = 1024;


/**
 * A live, always-consistent set of the sessions in a realm. Create it with
 * {@link SessionMeta.liveSessions} (from the meta API) or get one from `mirrorPresence` (from a
 * presence relay): both are this class, driven by one sync machine.
 *
 * It subscribes to the events first, waits until they are confirmed, then fetches the snapshot
 * while buffering events, and applies the buffer on top. While live it checks itself every
 * `verifyIntervalMs`: a silent link shows as `stale`, lost events are repaired. On disconnect it
 * goes `stale` and keeps the last known set; on the next session it resyncs and emits only the
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
export class LiveSessionSet implements LiveSessionView {
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
   * live.sessions$.subscribe((sessions) => console.log([...sessions.keys()]));
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

  readonly #source: SyncSource<unknown, unknown>;
  readonly #store = new SnapshotStore();
  readonly #gone = new Tombstones(TOMBSTONES);
  readonly #status = new BehaviorSubject<LiveStatus>('syncing');
  readonly #changes = new Subject<SessionSetChange>();
  readonly #updates = new Subject<ReadonlyMap<SessionId, SessionDetails>>();
  readonly #emitter = new Emitter<LiveSessionSetEvents>();
  readonly #listeners = new Set<() => void>();
  readonly #timers = new Map<Timer, TimerHandle>();
  readonly #queue: MachineEvent[] = [];
  #state: MachineState = initialState;
  #dispatching = false;
  /** Events seen while not in step (subscribing, syncing). */
  #buffer: unknown[] = [];
  #synced = false;
  #snapshot: LiveSnapshot | undefined;
  /** The error the `subscribe` listeners were last told of (the snapshot's `error`). */
  #explained: MetaError | undefined;
  #disconnect: (() => void) | undefined;
  #settleReady!: (error?: MetaError) => void;

  /** Use `meta.liveSessions()` or `mirrorPresence()`. */
  private constructor(source: SyncSource<unknown, unknown>) {
    this.#source = source;
    this.ready = new Promise<void>((resolve, reject) => {
      this.#settleReady = (error) => (error ? reject(error) : resolve());
    });
    this.ready.catch(() => undefined); // rejection is for those who await it, never unhandled
    this.status$ = this.#status.asObservable();
    this.changes$ = this.#changes.asObservable();
    // The current set first (once synced), then each new one: `defer` + `startWith` by hand.
    this.sessions$ = new Observable((subscriber) => {
      if (this.#synced) subscriber.next(this.#store.snapshot());
      return this.#updates.subscribe(subscriber);
    });
    const disconnect = source.connect({
      dispatch: (event) => this.#dispatch(event),
      event: (event) => this.#onEvent(event),
      report: (error) => this.#emitter.emit('error', error),
    });
    if (this.#state.phase === 'closed') disconnect();
    else this.#disconnect = disconnect;
  }

  /**
   * Makes a set driven by `source`.
   *
   * @internal
   */
  static fromSource<E, F>(source: SyncSource<E, F>): LiveSessionSet {
    return new LiveSessionSet(source as SyncSource<unknown, unknown>);
  }

  /**
   * The current status.
   *
   * @example
   * ```ts
   * if (live.status === 'stale') console.log('reconnecting…');
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
   * The sessions grouped by authid (sessions without one are left out). Kept up to date as
   * events arrive once first asked for, so calling it after every event costs O(1); the map is
   * a live read-only view: copy what you keep.
   *
   * @example
   * ```ts
   * const alice = live.byAuthid().get('alice') ?? [];
   * console.log(`alice has ${alice.length} sessions`);
   * ```
   */
  byAuthid(): ReadonlyMap<string, readonly SessionDetails[]> {
    return this.#store.byAuthid();
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
   * Calls `onChange` after every change of the set or of its status; returns the unsubscribe
   * function. With {@link LiveSessionSet.getSnapshot} this is React's `useSyncExternalStore` contract.
   *
   * @example
   * ```ts
   * const { status, sessions } = useSyncExternalStore(live.subscribe, live.getSnapshot);
   * ```
   */
  readonly subscribe = (onChange: () => void): (() => void) => {
    const listener = (): void => onChange();
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /**
   * The set and its status as one immutable object, the same until either changes. `sessions`
   * is empty until the first sync is done; `error` explains a status other than `live`.
   *
   * @example
   * ```ts
   * const { status, sessions } = live.getSnapshot();
   * console.log(status, sessions.size);
   * ```
   */
  readonly getSnapshot = (): LiveSnapshot => {
    if (this.#snapshot) return this.#snapshot;
    const { error } = this.#state;
    const sessions = this.#synced ? this.#store.snapshot() : EMPTY_SET;
    this.#snapshot = error ? { status: this.status, sessions, error } : { status: this.status, sessions };
    return this.#snapshot;
  };

  /**
   * Stops following, silently: no `left` events, status `closed`, no WAMP subscription of its own
   * left behind, no timer. Idempotent.
   *
   * @example
   * ```ts
   * live.dispose();
   * ```
   */
  dispose(): void {
    this.#dispatch({ type: 'close' });
  }

  /**
   * Runs the machine. Events raised while it runs (by an effect or by a listener) queue behind
   * the current one, so every transition sees the state the previous one left.
   */
  #dispatch(event: MachineEvent): void {
    this.#queue.push(event);
    if (this.#dispatching) return;
    this.#dispatching = true;
    try {
      for (let next = this.#queue.shift(); next; next = this.#queue.shift()) this.#step(next);
    } finally {
      this.#dispatching = false;
    }
  }

  #step(event: MachineEvent): void {
    if (this.#state.phase === 'closed') return;
    const before = this.#state;
    const [state, effects] = transition(before, event, this.#source.config, (error) => this.#source.isFinal(error));
    this.#state = state;
    if (state.sync !== undefined && before.sync === undefined && !this.#repairs(state.sync)) this.#buffer = this.#source.keep(this.#buffer);
    if (state.phase === 'subscribing' && before.phase !== 'subscribing') this.#buffer = [];
    for (const effect of effects) this.#perform(effect);
    this.#showStatus();
    if (state.phase === 'closed') this.#teardown(state.error);
  }

  #perform(effect: Effect): void {
    switch (effect.type) {
      case 'sync':
        return void this.#sync(effect.epoch, effect.mode);
      case 'check':
        return void this.#check(effect.epoch, effect.calibrate);
      case 'timer':
        return this.#arm(effect.timer, effect.delay);
      case 'resubscribe':
        return this.#source.resubscribe();
      case 'report':
        return this.#emitter.emit('error', effect.error);
    }
  }

  #arm(timer: Timer, delay: number | undefined): void {
    const { clock } = this.#source;
    clock.clearTimeout(this.#timers.get(timer));
    this.#timers.delete(timer);
    if (delay === undefined) return;
    const jittered = timer === 'retry' ? delay * (0.5 + clock.random() / 2) : delay;
    this.#timers.set(
      timer,
      clock.setTimeout(() => {
        this.#timers.delete(timer);
        this.#dispatch(timer === 'retry' ? { type: 'retry' } : timer === 'verify' ? { type: 'tick' } : { type: 'subscribeTimeout', topic: this.#source.topic });
      }, jittered),
    );
  }

  /** While the set is not in step, events wait in the buffer for the sync to settle them. */
  #onEvent(event: unknown): void {
    const { phase } = this.#state;
    if (phase === 'closed' || phase === 'idle' || phase === 'waiting') return;
    if (this.#buffering()) {
      this.#buffer.push(event);
      return;
    }
    const version = this.#store.version;
    const outcome = this.#source.apply(event, this.#store, this.#gone);
    if (outcome === 'resync') return this.#dispatch({ type: 'resync' });
    const changes = toChanges(outcome);
    // No change but a new snapshot: a join that brought details for an id-only entry.
    if (changes.length > 0 || this.#store.version !== version) this.#publish(changes);
  }

  /** Events wait while the set is not in step: subscribing, syncing, or a resync running (a repair applies them). */
  #buffering(): boolean {
    const { phase, sync } = this.#state;
    return phase === 'subscribing' || phase === 'syncing' || (sync !== undefined && !this.#repairs(sync));
  }

  #repairs(mode: SyncMode): boolean {
    return mode === 'repair' && this.#source.repair !== undefined;
  }

  async #sync(epoch: number, mode: SyncMode): Promise<void> {
    const isCurrent = (): boolean => this.#state.epoch === epoch && this.#state.phase !== 'closed';
    const source = this.#source;
    let outcome: { fetched: unknown } | { lost: unknown[] };
    try {
      outcome = this.#repairs(mode)
        ? { lost: await source.repair!(this.#store.map, this.#gone, isCurrent) }
        : { fetched: await source.fetch(this.#store.map, isCurrent) };
    } catch (error) {
      if (isCurrent()) this.#dispatch({ type: 'syncFailed', epoch, error: toMetaError(error) });
      return;
    }
    if (!isCurrent()) return;
    const first = !this.#synced;
    const version = this.#store.version;
    let changes: SessionSetChange[] = [];
    if ('lost' in outcome) {
      for (const event of outcome.lost) for (const change of toChanges(source.apply(event, this.#store, this.#gone))) changes.push(change);
    } else if (this.#store.size === 0) {
      // A first sync fills the store itself (one Map, not two), and builds the changes only for
      // someone who listens.
      source.settle(outcome.fetched, this.#buffer, this.#gone, this.#store);
      if (this.#changes.observed || this.#emitter.listens('joined')) for (const session of this.#store.values()) changes.push({ type: 'joined', session });
    } else {
      const next = new Map<SessionId, SessionDetails>();
      source.settle(outcome.fetched, this.#buffer, this.#gone, next);
      changes = replace(this.#store, this.#store.map, next);
    }
    this.#buffer = [];
    this.#synced = true;
    this.#dispatch({ type: 'synced', epoch }); // status first (guarantee 5), then the changes
    // A sync that changed nothing keeps the snapshot (the same object, no listener called).
    if (first || this.#store.version !== version) this.#publish(changes);
    if (mode === 'repair' && changes.length > 0 && source.drifted && this.#state.phase !== 'closed') {
      const joined = changes.filter((c) => c.type === 'joined').length;
      this.#emitter.emit('error', source.drifted(joined, changes.length - joined));
    }
  }

  async #check(epoch: number, calibrate: boolean): Promise<void> {
    const { check } = this.#source;
    if (!check) return this.#dispatch({ type: 'checked', epoch, difference: 0 });
    try {
      const difference = await check.call(this.#source, () => this.#store.size, calibrate);
      this.#dispatch({ type: 'checked', epoch, difference });
    } catch (error) {
      this.#dispatch({ type: 'checkFailed', epoch, error: toMetaError(error) });
    }
  }

  /** Emits the status when it changed; `ready` settles first, as a 'live' listener may dispose the set. */
  #showStatus(): void {
    const status = statusOf(this.#state);
    const { error } = this.#state;
    if (this.#snapshot && (this.#snapshot.status !== status || this.#snapshot.error !== error)) this.#snapshot = undefined;
    const explained = error !== this.#explained; // the snapshot's `error` changed
    this.#explained = error;
    if (this.#state.phase === 'live') this.#settleReady(); // synced, even if an upstream says stale
    if (status === this.#status.value) {
      if (explained) this.#notify();
      return;
    }
    this.#status.next(status);
    this.#emitter.emit('status', status);
    // A dispose is the user's own doing: `subscribe` listeners hear of a close only with its cause.
    if (status !== 'closed' || this.#state.error) this.#notify();
  }

  /** The changes, then the new whole set, then the `subscribe` listeners. */
  #publish(changes: readonly SessionSetChange[]): void {
    this.#snapshot = undefined;
    for (const change of changes) {
      this.#changes.next(change);
      this.#emitter.emit(change.type, change.session);
    }
    if (this.#updates.observed) this.#updates.next(this.#store.snapshot());
    this.#notify();
  }

  #notify(): void {
    if (this.#listeners.size === 0) return; // no copy per change for nobody
    for (const listener of [...this.#listeners]) callSafely(listener);
  }

  #teardown(error: MetaError | undefined): void {
    for (const handle of this.#timers.values()) this.#source.clock.clearTimeout(handle);
    this.#timers.clear();
    this.#buffer = [];
    this.#settleReady(error ?? new SessionClosedError({ reason: DISPOSED }));
    this.#disconnect?.();
    this.#disconnect = undefined;
    this.#status.complete();
    this.#changes.complete();
    this.#updates.complete();
    this.#listeners.clear();
    this.#emitter.clear();
  }
}

function toChanges(outcome: SessionSetChange | SessionSetChange[] | undefined | 'resync'): SessionSetChange[] {
  return outcome === undefined || outcome === 'resync' ? [] : Array.isArray(outcome) ? outcome : [outcome];
}
