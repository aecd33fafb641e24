import { Observable, Subject } from 'rxjs';
import { systemClock, type Clock } from './clock';
import { InvalidArgumentError, SessionClosedError, toMetaError, type MetaError } from './errors';
import { LiveSessionSet } from './live/live-session-set';
import { MetaSource, checkLiveOptions, type MetaApi } from './live/meta-source';
import type { LiveSessionSetOptions } from './live/types';
import { countFrom, detailsFrom, detailsOfResult, idsFrom, killResultFrom, leftFrom, type Payload } from './normalize';
import { callEach } from './session/batch';
import { DEFAULT_CALL_TIMEOUT_MS } from './session/calls';
import { SessionFollower } from './session/follower';
import { KnownSessions } from './session/known-sessions';
import { ownerOf, sessionsOf } from './session/registry';
import { TopicStream } from './topic-stream';
import type {
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

/** A live set as its SessionMeta reaches it. */
interface RegisteredSet {
  verifyNow(): void;
  dispose(): void;
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

  readonly #follower: SessionFollower;
  readonly #disposed$ = new Subject<void>();
  readonly #errors = new Subject<MetaError>();
  readonly #known = new KnownSessions();
  readonly #liveSets = new Set<RegisteredSet>();
  readonly #joins: TopicStream<SessionDetails>;
  readonly #leaves: TopicStream<SessionLeft>;
  readonly #callTimeoutMs: number;
  readonly #clock: Clock = systemClock;
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
    this.#callTimeoutMs = checkTimeout(options.callTimeoutMs, 'options.callTimeoutMs', DEFAULT_CALL_TIMEOUT_MS);
    this.#follower = new SessionFollower(this.#callTimeoutMs, this.#clock, (error) => this.#report(error), () => this.#known.clear());
    this.errors$ = this.#errors.asObservable();
    const { session$, gone } = this.#follower;
    sessionsOf.set(this, session$);
    this.#joins = new TopicStream(uri.ON_JOIN, (p) => this.#parseJoin(p), session$, this.#disposed$, gone);
    this.#leaves = new TopicStream(uri.ON_LEAVE, (p) => this.#parseLeave(p), session$, this.#disposed$, gone);
    this.joins$ = this.#joins.events$;
    // What joins said is remembered only while somebody listens to leaves$ (live sets keep their own).
    this.leaves$ = new Observable<SessionLeft>((subscriber) => {
      const forget = this.#known.observe();
      const subscription = this.#leaves.events$.subscribe(subscriber);
      return () => {
        subscription.unsubscribe();
        forget();
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
    meta.#follower.follow(connection);
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
    return this.#follower.current;
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
    this.#follower.attach(session);
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
    this.#follower.closed(this.#follower.current, undefined);
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
    return this.#filtered(uri.COUNT, filter, 0, countFrom);
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
    return this.#filtered(uri.LIST, filter, [], idsFrom);
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
    return this.#invoke(uri.GET, () => [[checkSessionId(id)]], this.#details, id);
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
    return this.#kill(
      uri.KILL,
      () => {
        checkSessionId(id);
        if (id === this.#follower.current?.id) throw new InvalidArgumentError('id', 'another session than your own');
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
    return this.#kill(uri.KILL_BY_AUTHID, () => [[checkNonEmptyString(authid, 'authid')], checkKillOptions(options)], killResultFrom);
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
    return this.#kill(uri.KILL_BY_AUTHROLE, () => [[checkNonEmptyString(authrole, 'authrole')], checkKillOptions(options)], killResultFrom);
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
    return this.#kill(uri.KILL_ALL, () => [[], checkKillOptions(options)], killResultFrom);
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
    if (this.#disposed) throw new SessionClosedError({ reason: uri.DISPOSED });
    const settings = checkLiveOptions(options);
    const api: MetaApi = {
      session$: this.#follower.session$,
      joins: this.#joins,
      leaves: this.#leaves,
      errors$: this.errors$,
      callTimeoutMs: this.#callTimeoutMs,
      clock: this.#clock,
      list: (filter) => this.list(filter),
      getListed: (ids, limit, calls) => callEach(this.#follower.calls, this.#follower.current, uri.GET, ids, limit, this.#listedDetails, calls),
      count: (filter) => this.count(filter),
      report: (error) => this.#errors.next(error),
      register: (set) => {
        this.#liveSets.add(set);
        return () => this.#liveSets.delete(set);
      },
    };
    const live = LiveSessionSet.fromSource(new MetaSource(api, settings));
    ownerOf.set(live, this);
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
    this.#follower.dispose();
    this.#disposed$.next();
    this.#disposed$.complete();
    this.#errors.complete();
  }

  /**
   * Same as {@link SessionMeta.dispose}, for `using meta = ...`.
   *
   * @example
   * ```ts
   * { using meta = new SessionMeta(session); await meta.count(); } // disposed here
   * ```
   */
  // `Symbol.dispose` itself (Node 20+, current browsers), not a variable: a computed key a bundler
  // cannot evaluate would keep this class in every bundle, used or not.
  [Symbol.dispose](): void {
    this.dispose();
  }

  /** `count`/`list` with a filter: an empty `authroles` matches nothing, answered without a call (Nexus reads `[]` as no filter). */
  #filtered<T>(procedure: string, filter: SessionFilter | undefined, none: T, parse: (payload: Payload, procedure: string) => T): Promise<T> {
    let roles: string[] | undefined;
    try {
      roles = checkFilter(filter);
    } catch (error) {
      return Promise.reject(error as InvalidArgumentError);
    }
    if (roles?.length === 0) return Promise.resolve(none);
    return this.#invoke(procedure, () => (roles === undefined ? [] : [[roles]]), parse);
  }

  /** A kill; once it is done, this SessionMeta's live sets check themselves at once. */
  #kill<T>(procedure: string, prepare: () => [unknown[]?, Record<string, unknown>?], parse: (payload: Payload, procedure: string) => T, id?: SessionId): Promise<T> {
    return this.#invoke(procedure, prepare, parse, id).then((result) => {
      for (const live of this.#liveSets) live.verifyNow();
      return result;
    });
  }

  #invoke<T>(procedure: string, prepare: () => [unknown[]?, Record<string, unknown>?], parse: (payload: Payload, procedure: string) => T, id?: SessionId): Promise<T> {
    return this.#follower.invoke(procedure, prepare, parse, id);
  }

  /** One function for every `get` answer (not a closure per call: a sync makes thousands). */
  readonly #details = (payload: Payload, procedure: string): SessionDetails => this.#known.remember(detailsFrom(payload, procedure));

  /** A sync's `get` answer as autobahn resolved it (no payload object in between). */
  readonly #listedDetails = (value: unknown, procedure: string): SessionDetails => this.#known.remember(detailsOfResult(value, procedure));

  #parseJoin(payload: Payload): SessionDetails | undefined {
    return this.#parsing(() => this.#details(payload, uri.ON_JOIN));
  }

  #parseLeave(payload: Payload): SessionLeft | undefined {
    return this.#parsing(() => this.#known.complete(leftFrom(payload, uri.ON_LEAVE)));
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
    const metaError = toMetaError(error, 'wamp-session-meta');
    this.#errors.next(metaError);
    return metaError;
  }
}
