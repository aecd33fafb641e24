import { BehaviorSubject, Observable, Subject } from 'rxjs';
import {
  CallTimeoutError,
  InvalidArgumentError,
  MetaError,
  SessionClosedError,
  isMetaError,
  toMetaError,
} from './errors';
import { LiveSessionSet, type LiveSessionSetOptions } from './live/live-session-set';
import { countFrom, detailsFrom, idsFrom, killResultFrom, leftFrom, resultPayload, sessionLeft, type Payload } from './normalize';
import { TopicStream } from './topic-stream';
import type {
  CloseDetails,
  KillOptions,
  KillResult,
  SessionDetails,
  SessionFilter,
  SessionId,
  SessionLeft,
  SessionMetaOptions,
  WampConnectionLike,
  WampSessionLike,
} from './types';
import * as uri from './uris';
import { checkFilter, checkKillOptions, checkNonEmptyString, checkSessionId, checkTimeout } from './validate';

/**
 * autobahn does not tell a bare `Session` that its transport dropped (only `Connection.onclose`
 * hears it), so while attached we look at `isOpen` this often. GOODBYE/ABORT arrive at once via
 * `onleave`, and `fromConnection` hears every close at once.
 */
const LIVENESS_CHECK_MS = 1000;

/** How many sessions' authid/authrole are remembered to fill in `SessionLeft` (Crossbar sends only the id). */
const KNOWN_SESSIONS_CAP = 100_000;

/**
 * When that memory is full, its oldest 1% go at once: one pass over the Map per batch. Evicting
 * one by one with `keys().next()` rescans every deleted slot at the Map's front each time
 * (~30 µs per join at 100 000 sessions, bench/RESULTS.md); a batch costs ~0.4 ms per 1000 joins.
 */
const KNOWN_EVICT_BATCH = KNOWN_SESSIONS_CAP / 100;

/** `Symbol.dispose` where the runtime has it (Node 20+, recent browsers), a registry symbol elsewhere. */
const disposeSymbol: typeof Symbol.dispose = Symbol.dispose ?? (Symbol.for('Symbol.dispose') as typeof Symbol.dispose);

function closedError(procedure: string, close: CloseDetails | undefined): SessionClosedError {
  return new SessionClosedError({
    procedure,
    reason: close?.reason ?? undefined,
    closeMessage: close?.message || undefined,
  });
}

/** A call waiting for its answer; `fail` settles it at most once. */
interface PendingCall {
  readonly procedure: string;
  readonly deadline: number;
  fail(error: MetaError): void;
}

/** What a {@link LiveSessionSet} needs from its {@link SessionMeta}. @internal */
export interface LiveSource {
  readonly meta: SessionMeta;
  readonly session$: Observable<WampSessionLike | null>;
  readonly joins: TopicStream<SessionDetails>;
  readonly leaves: TopicStream<SessionLeft>;
  readonly errors$: Observable<MetaError>;
  forget(live: LiveSessionSet): void;
}

/**
 * Turns `connection[key]` into an accessor that hands autobahn `wrap(handler)` while users still
 * read and assign their own handler through it. Reading gives the wrapper of the handler in place
 * at that moment, so the usual chaining idiom (`const prev = c.onopen; c.onopen = (s) => { …; prev?.(s); }`)
 * reaches the handler it replaced instead of calling itself back. A hook already there (another
 * SessionMeta on the same connection) is wrapped, not replaced, and assignments go down to it.
 * Returns the undo: it restores what was there, unless someone hooked on top of this one since;
 * then the wrappers stay and only forward (the SessionMeta checks it is disposed).
 */
function hook<F extends (...args: never[]) => unknown>(
  connection: object,
  key: 'onopen' | 'onclose',
  wrap: (handler: F | null | undefined) => F,
): () => void {
  const below = Object.getOwnPropertyDescriptor(connection, key);
  let handler = (connection as Record<string, F | null | undefined>)[key];
  let wrapped: { of: F | null | undefined; is: F } | undefined;
  const get = (): F => {
    const current = below?.get ? (below.get.call(connection) as F | null | undefined) : handler;
    if (!wrapped || wrapped.of !== current) wrapped = { of: current, is: wrap(current) };
    return wrapped.is;
  };
  const set = (value: F | null | undefined): void => {
    if (below?.set) below.set.call(connection, value);
    else handler = value;
  };
  Object.defineProperty(connection, key, { get, set, configurable: true, enumerable: true });
  return () => {
    if (Object.getOwnPropertyDescriptor(connection, key)?.get !== get) return;
    Object.defineProperty(connection, key, below?.get ? below : { value: handler, writable: true, configurable: true, enumerable: true });
  };
}

/**
 * Typed access to the WAMP Session Meta API of one router realm: procedures as promises,
 * `on_join`/`on_leave` as RxJS streams, and live session sets.
 *
 * @example
 * ```ts
 * import autobahn from 'autobahn';
 * import { SessionMeta } from 'wamp-session-meta';
 *
 * const connection = new autobahn.Connection({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1' });
 * const meta = SessionMeta.fromConnection(connection);
 * meta.joins$.subscribe((s) => console.log('joined', s.session, s.authid));
 * connection.open();
 * ```
 */
export class SessionMeta {
  /**
   * One `SessionDetails` per `wamp.session.on_join`. Lazy and shared: one WAMP subscription
   * however many observers, removed on the last unsubscribe, re-made after a reconnect. Errors
   * with `NotAuthorizedError` when the router denies the subscription.
   *
   * @example
   * ```ts
   * const sub = meta.joins$.subscribe((s) => console.log(s.session, s.authrole));
   * sub.unsubscribe();
   * ```
   */
  readonly joins$: Observable<SessionDetails>;

  /**
   * One `SessionLeft` per `wamp.session.on_leave`. When the router sends only the id (Crossbar
   * 22.6), `authid`/`authrole` are filled from what this SDK saw of that session (its `on_join`,
   * a `get`) while `leaves$` was observed. Same sharing rules as {@link SessionMeta.joins$}.
   *
   * @example
   * ```ts
   * meta.leaves$.subscribe((s) => console.log('left', s.session, s.authid ?? '?'));
   * ```
   */
  readonly leaves$: Observable<SessionLeft>;

  /**
   * Every malformed meta event (dropped, never thrown into your code) and malformed call result
   * (the call also rejects with it), as `MalformedPayloadError`. Hot; completes on `dispose()`.
   *
   * @example
   * ```ts
   * meta.errors$.subscribe((e) => console.warn(e.code, e.message));
   * ```
   */
  readonly errors$: Observable<MetaError>;

  /** The attached session; `#session$` announces it (see #announce). */
  #current: WampSessionLike | null = null;
  #announcing = false;
  readonly #session$ = new BehaviorSubject<WampSessionLike | null>(null);
  readonly #disposed$ = new Subject<void>();
  readonly #errors = new Subject<MetaError>();
  readonly #pending = new Set<PendingCall>();
  /** What a leave of each session seen will say: only authid/authrole, not the whole details. */
  readonly #known = new Map<SessionId, SessionLeft>();
  readonly #liveSets = new Set<LiveSessionSet>();
  readonly #gone = new WeakSet<WampSessionLike>();
  readonly #joins: TopicStream<SessionDetails>;
  readonly #leaves: TopicStream<SessionLeft>;
  readonly #callTimeoutMs: number;
  #deadlines: ReturnType<typeof setTimeout> | undefined;
  #leaveObservers = 0;
  #unwatch: (() => void) | undefined;
  #release: (() => void) | undefined;
  #disposed = false;

  /**
   * Wraps one open autobahn session (anything matching `WampSessionLike`), or none yet (`null`,
   * then call {@link SessionMeta.attach}). When it closes, pending calls reject with
   * `SessionClosedError` and live sets go `stale`; attach a new session to go on.
   *
   * @example
   * ```ts
   * connection.onopen = (session) => {
   *   const meta = new SessionMeta(session, { callTimeoutMs: 5_000 });
   *   meta.count().then((n) => console.log(n, 'sessions'));
   * };
   * ```
   */
  constructor(session: WampSessionLike | null, options: SessionMetaOptions = {}) {
    if (typeof options !== 'object' || options === null || Array.isArray(options)) throw new InvalidArgumentError('options', 'an object');
    this.#callTimeoutMs = options.callTimeoutMs === undefined ? 10_000 : checkTimeout(options.callTimeoutMs, 'options.callTimeoutMs');
    this.errors$ = this.#errors.asObservable();
    this.#joins = new TopicStream(uri.ON_JOIN, (p) => this.#parseJoin(p), this.#session$, this.#disposed$, this.#gone);
    this.#leaves = new TopicStream(uri.ON_LEAVE, (p) => this.#parseLeave(p), this.#session$, this.#disposed$, this.#gone);
    this.joins$ = this.#joins.events$;
    // What joins said is remembered only while somebody listens to leaves$ (live sets keep their own).
    this.leaves$ = new Observable<SessionLeft>((subscriber) => {
      this.#leaveObservers++;
      const subscription = this.#leaves.events$.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        if (--this.#leaveObservers === 0) this.#known.clear();
      };
    });
    if (session !== null) this.attach(session);
  }

  /**
   * Follows an autobahn `Connection` across reconnects: every new session is attached, every close
   * detaches. Chains (never replaces) your `onopen`/`onclose`, also those assigned later; the value
   * your `onclose` returns (`true` stops retrying) is passed through.
   *
   * @example
   * ```ts
   * const meta = SessionMeta.fromConnection(connection);
   * connection.onopen = (session) => console.log('open', session.id); // still chained
   * connection.open();
   * ```
   */
  static fromConnection<S extends WampSessionLike>(connection: WampConnectionLike<S>, options?: SessionMetaOptions): SessionMeta {
    if (typeof connection !== 'object' || connection === null) throw new InvalidArgumentError('connection', 'an autobahn Connection');
    const meta = new SessionMeta(null, options);
    const release = [
      hook<(session: S, details: never) => void>(connection, 'onopen', (user) =>
        function (this: unknown, session: S, details: never): void {
          if (!meta.#disposed) meta.attach(session);
          user?.call(this, session, details);
        },
      ),
      hook<(reason: string, details: never) => boolean | void>(connection, 'onclose', (user) =>
        function (this: unknown, reason: string, details: never): boolean | void {
          if (!meta.#disposed) meta.#closed(meta.#current, details as CloseDetails, true);
          return user?.call(this, reason, details);
        },
      ),
    ];
    meta.#release = () => release.forEach((undo) => undo());
    const open = connection.session;
    if (open?.isOpen) meta.attach(open);
    return meta;
  }

  /**
   * The currently attached session, or `null`.
   *
   * @example
   * ```ts
   * if (meta.session?.isOpen) await meta.count();
   * ```
   */
  get session(): WampSessionLike | null {
    return this.#current;
  }

  /**
   * Attaches an open session (for custom setups: call it from your own `onopen`). Streams with
   * observers re-subscribe their WAMP topics on it and live sets resync.
   *
   * @example
   * ```ts
   * const meta = new SessionMeta(null);
   * connection.onopen = (session) => meta.attach(session);
   * connection.onclose = () => { meta.detach(); };
   * ```
   */
  attach(session: WampSessionLike): void {
    if (this.#disposed) throw new SessionClosedError({ reason: 'wamp-session-meta.disposed' });
    if (typeof session !== 'object' || session === null || typeof session.call !== 'function' || typeof session.subscribe !== 'function') {
      throw new InvalidArgumentError('session', 'a WAMP session (autobahn Session)');
    }
    const current = this.#current;
    if (current === session) return;
    if (current) this.#closed(current, undefined);
    this.#unwatch = this.#watch(session);
    this.#current = session;
    this.#announce();
  }

  /**
   * Detaches the current session: pending calls reject with `SessionClosedError`, streams wait for
   * the next `attach`, live sets go `stale`. The WAMP subscriptions on a still open session are
   * removed.
   *
   * @example
   * ```ts
   * connection.onclose = () => { meta.detach(); };
   * ```
   */
  detach(): void {
    this.#closed(this.#current, undefined);
  }

  /**
   * Counts the sessions in the realm (the caller included, router-internal sessions not).
   *
   * @example
   * ```ts
   * const all = await meta.count();
   * const users = await meta.count({ authroles: ['user'] });
   * ```
   */
  count(filter?: SessionFilter): Promise<number> {
    return this.#invoke(uri.COUNT, () => this.#filterArgs(filter), countFrom);
  }

  /**
   * Lists the ids of the sessions in the realm.
   *
   * @example
   * ```ts
   * const ids = await meta.list({ authroles: ['user', 'admin'] });
   * ```
   */
  list(filter?: SessionFilter): Promise<SessionId[]> {
    return this.#invoke(uri.LIST, () => this.#filterArgs(filter), idsFrom);
  }

  /**
   * Gets one session's details. Rejects `NoSuchSessionError` when the router knows no such session.
   *
   * @example
   * ```ts
   * const s = await meta.get(id);
   * console.log(s.authid, s.authrole, s.authmethod);
   * ```
   */
  get(id: SessionId): Promise<SessionDetails> {
    return this.#invoke(
      uri.GET,
      () => [[checkSessionId(id)]],
      (payload, procedure) => this.#remember(detailsFrom(payload, procedure)),
      id,
    );
  }

  /**
   * Kills another session; it receives a GOODBYE with `reason` and `message`. Killing your own
   * session is refused locally (`InvalidArgumentError`): the spec only kills other sessions and
   * Crossbar would close you without ever answering.
   *
   * @example
   * ```ts
   * await meta.kill(id, { reason: 'com.example.kicked', message: 'see you' });
   * ```
   */
  kill(id: SessionId, options?: KillOptions): Promise<void> {
    return this.#invoke(
      uri.KILL,
      () => {
        checkSessionId(id);
        if (id === this.#current?.id) throw new InvalidArgumentError('id', 'another session than your own');
        return [[id], checkKillOptions(options)];
      },
      () => undefined,
      id,
    );
  }

  /**
   * Kills every session with this authid. Crossbar does not exclude the caller: if it matches, the
   * call rejects with the `SessionClosedError` of its own close.
   *
   * @example
   * ```ts
   * const { count, sessions } = await meta.killByAuthid('alice', { message: 'logged out' });
   * ```
   */
  killByAuthid(authid: string, options?: KillOptions): Promise<KillResult> {
    return this.#invoke(uri.KILL_BY_AUTHID, () => [[checkNonEmptyString(authid, 'authid')], checkKillOptions(options)], killResultFrom);
  }

  /**
   * Kills every session with this authrole (same caller rule as {@link SessionMeta.killByAuthid}).
   *
   * @example
   * ```ts
   * const { count } = await meta.killByAuthrole('guest', { reason: 'com.example.maintenance' });
   * ```
   */
  killByAuthrole(authrole: string, options?: KillOptions): Promise<KillResult> {
    return this.#invoke(uri.KILL_BY_AUTHROLE, () => [[checkNonEmptyString(authrole, 'authrole')], checkKillOptions(options)], killResultFrom);
  }

  /**
   * Kills every session but the caller's (WAMP spec). Rejects `ProcedureUnavailableError` on
   * routers without it, such as Crossbar 22.6.1.
   *
   * @example
   * ```ts
   * const { count } = await meta.killAll({ reason: 'com.example.shutdown' });
   * ```
   */
  killAll(options?: KillOptions): Promise<KillResult> {
    return this.#invoke(uri.KILL_ALL, () => [[], checkKillOptions(options)], killResultFrom);
  }

  /**
   * A live, always-consistent set of the sessions in the realm, synced from `list`/`get` and kept
   * up to date by `on_join`/`on_leave`. See {@link LiveSessionSet}.
   *
   * @example
   * ```ts
   * const live = meta.liveSessions({ authroles: ['user'] });
   * await live.ready;
   * console.log(live.size, [...live.values()].map((s) => s.authid));
   * ```
   */
  liveSessions(options?: LiveSessionSetOptions): LiveSessionSet {
    if (this.#disposed) throw new SessionClosedError({ reason: 'wamp-session-meta.disposed' });
    const live = new LiveSessionSet(
      {
        meta: this,
        session$: this.#session$,
        joins: this.#joins,
        leaves: this.#leaves,
        errors$: this.errors$,
        forget: (set) => this.#liveSets.delete(set),
      },
      options,
    );
    this.#liveSets.add(live);
    return live;
  }

  /**
   * Unsubscribes everything this SDK subscribed, completes its observables, rejects pending calls
   * with `SessionClosedError` and disposes the live sets made from it. Idempotent. Your connection
   * handlers are restored as you set them.
   *
   * @example
   * ```ts
   * meta.dispose();
   * ```
   */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    for (const live of [...this.#liveSets]) live.dispose();
    this.#release?.();
    this.#closed(this.#current, { reason: 'wamp-session-meta.disposed' });
    this.#disposed$.next();
    this.#disposed$.complete();
    this.#errors.complete();
    this.#session$.complete();
  }

  /**
   * Same as {@link SessionMeta.dispose}, for `using meta = ...`.
   *
   * @example
   * ```ts
   * { using meta = new SessionMeta(session); await meta.count(); } // disposed here
   * ```
   */
  [disposeSymbol](): void {
    this.dispose();
  }

  /** Chains `onleave` (GOODBYE/ABORT) and checks `isOpen` for a silently dropped transport. */
  #watch(session: WampSessionLike): () => void {
    const previous = session.onleave;
    const onleave = (reason: string, details: CloseDetails): void => {
      this.#closed(session, { reason, message: details?.message }, true);
      previous?.call(session, reason, details);
    };
    session.onleave = onleave;
    const timer = setInterval(() => {
      if (!session.isOpen) this.#closed(session, { reason: 'wamp.close.lost' }, true);
    }, LIVENESS_CHECK_MS);
    (timer as { unref?: () => void }).unref?.();
    return () => {
      clearInterval(timer);
      if (session.onleave === onleave) session.onleave = previous;
    };
  }

  /**
   * The attached session closed (`gone`) or is let go: settle everything that depended on it.
   * A gone session is not sent UNSUBSCRIBEs: autobahn still reports it open inside
   * `Connection.onclose`, but its socket is closing.
   */
  #closed(session: WampSessionLike | null, close: CloseDetails | undefined, gone = false): void {
    if (session === null || this.#current !== session) return;
    if (gone) this.#gone.add(session);
    this.#unwatch?.();
    this.#unwatch = undefined;
    for (const call of [...this.#pending]) call.fail(closedError(call.procedure, close));
    clearTimeout(this.#deadlines);
    this.#deadlines = undefined;
    this.#known.clear();
    this.#current = null;
    this.#announce();
  }

  /**
   * Tells `session$` observers about `#current`. A change made by one of them while they are being
   * told (e.g. `attach` from a 'stale' listener) is announced after the current round, so every
   * observer sees the sessions in the same order and ends on the current one.
   */
  #announce(): void {
    if (this.#announcing) return;
    this.#announcing = true;
    try {
      while (this.#session$.value !== this.#current) this.#session$.next(this.#current);
    } finally {
      this.#announcing = false;
    }
  }

  /**
   * One timer for all pending calls: they share `callTimeoutMs`, so their deadlines come in call
   * order. A timer per call cost more than the rest of the SDK's work on a call (bench/RESULTS.md).
   * Unref'd: a pending call's socket keeps the process alive, the deadline need not.
   */
  #armDeadlines(delay: number): void {
    this.#deadlines = setTimeout(() => {
      this.#deadlines = undefined;
      const now = performance.now();
      for (const call of this.#pending) {
        if (call.deadline > now) return this.#armDeadlines(call.deadline - now);
        call.fail(new CallTimeoutError(this.#callTimeoutMs, { procedure: call.procedure }));
      }
    }, delay);
    (this.#deadlines as { unref?: () => void }).unref?.();
  }

  #filterArgs(filter: SessionFilter | undefined): [unknown[]?] {
    const roles = checkFilter(filter);
    return roles === undefined ? [] : [[roles]];
  }

  #remember(details: SessionDetails): SessionDetails {
    if (this.#leaveObservers === 0 || (details.authid === undefined && details.authrole === undefined)) return details;
    if (this.#known.size >= KNOWN_SESSIONS_CAP && !this.#known.has(details.session)) {
      let evict = KNOWN_EVICT_BATCH;
      for (const id of this.#known.keys()) {
        this.#known.delete(id);
        if (--evict === 0) break;
      }
    }
    this.#known.set(details.session, sessionLeft(details.session, details.authid, details.authrole));
    return details;
  }

  #parseJoin(payload: Payload): SessionDetails | undefined {
    return this.#parsing(() => this.#remember(detailsFrom(payload, uri.ON_JOIN)));
  }

  #parseLeave(payload: Payload): SessionLeft | undefined {
    return this.#parsing(() => {
      const left = leftFrom(payload, uri.ON_LEAVE);
      const known = this.#known.get(left.session);
      this.#known.delete(left.session);
      if (!known) return left;
      if (left.authid === undefined && left.authrole === undefined) return known;
      return sessionLeft(left.session, left.authid ?? known.authid, left.authrole ?? known.authrole);
    });
  }

  /** Runs a parser; a malformed payload is reported on `errors$` instead of thrown. */
  #parsing<T>(parse: () => T): T | undefined {
    try {
      return parse();
    } catch (error) {
      this.#report(error);
      return undefined;
    }
  }

  #report(error: unknown): MetaError {
    const metaError = isMetaError(error) ? error : toMetaError(error, 'wamp-session-meta');
    this.#errors.next(metaError);
    return metaError;
  }

  /**
   * One meta call: arguments checked first (nothing is sent on bad input), then exactly one of
   * result, error, timeout or close settles the promise.
   */
  #invoke<T>(
    procedure: string,
    prepare: () => [unknown[]?, Record<string, unknown>?],
    parse: (payload: Payload, procedure: string) => T,
    sessionId?: SessionId,
  ): Promise<T> {
    let args: unknown[] | undefined;
    let kwargs: Record<string, unknown> | undefined;
    try {
      [args, kwargs] = prepare();
    } catch (error) {
      return Promise.reject(error as InvalidArgumentError);
    }
    const session = this.#current;
    if (!session?.isOpen) return Promise.reject(closedError(procedure, undefined));
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = {
        procedure,
        deadline: this.#callTimeoutMs > 0 ? performance.now() + this.#callTimeoutMs : Infinity,
        fail: (error) => {
          if (this.#pending.delete(call)) reject(error);
        },
      };
      this.#pending.add(call);
      if (this.#callTimeoutMs > 0 && this.#deadlines === undefined) this.#armDeadlines(this.#callTimeoutMs);
      const onResult = (value: unknown): void => {
        if (!this.#pending.has(call)) return;
        let result: T;
        try {
          result = parse(resultPayload(value), procedure);
        } catch (error) {
          return call.fail(this.#report(error));
        }
        this.#pending.delete(call);
        resolve(result);
      };
      try {
        const kw = kwargs && Object.keys(kwargs).length > 0 ? kwargs : undefined;
        session.call(procedure, args, kw).then(onResult, (error: unknown) => call.fail(toMetaError(error, procedure, sessionId)));
      } catch (error) {
        call.fail(session.isOpen ? toMetaError(error, procedure, sessionId) : closedError(procedure, undefined));
      }
    });
  }
}
