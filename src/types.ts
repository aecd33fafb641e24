/**
 * A WAMP session id: a positive integer in [1, 2^53] (WAMP spec, "IDs").
 *
 * @example
 * ```ts
 * const id: SessionId = 3593845816352731;
 * ```
 */
export type SessionId = number;

/**
 * One session as the router describes it, normalized from whatever shape the router sent
 * (Crossbar: one dict in args; the spec and other routers: kwargs or positional).
 * Fields the router did not send are absent.
 *
 * @example
 * ```ts
 * meta.joins$.subscribe((s: SessionDetails) => console.log(s.session, s.authid, s.authrole));
 * ```
 */
export interface SessionDetails {
  /** The session id. */
  readonly session: SessionId;
  /** The authentication id. */
  readonly authid?: string;
  /** The authentication role. */
  readonly authrole?: string;
  /** How it authenticated, e.g. `ticket`. */
  readonly authmethod?: string;
  /** Who authenticated it, e.g. `static`. */
  readonly authprovider?: string;
  /** Extra authentication data. */
  readonly authextra?: Readonly<Record<string, unknown>>;
  /** The realm. */
  readonly realm?: string;
  /** Transport details (Crossbar: peer, HTTP headers, …). */
  readonly transport?: Readonly<Record<string, unknown>>;
  /** Whether the session was resumed. */
  readonly resumed?: boolean;
  /** The payload exactly as the router sent it (`null` when only the id is known). */
  readonly raw: unknown;
}

/**
 * A session that left the realm. `authid`/`authrole` come from the router when it sends them
 * (WAMP spec) or from what this SDK saw before (Crossbar 22.6 sends only the id).
 *
 * @example
 * ```ts
 * meta.leaves$.subscribe((s: SessionLeft) => console.log('left', s.session, s.authid));
 * ```
 */
export interface SessionLeft {
  /** The session id. */
  readonly session: SessionId;
  /** Its authid, when known. */
  readonly authid?: string;
  /** Its authrole, when known. */
  readonly authrole?: string;
}

/**
 * Restricts `count`/`list` (and live sets) to sessions with one of these authroles
 * (`filter_authroles` on the wire). An empty list matches nothing.
 *
 * @example
 * ```ts
 * const users = await meta.count({ authroles: ['user'] });
 * ```
 */
export interface SessionFilter {
  /** Only sessions with one of these authroles. */
  readonly authroles?: readonly string[];
}

/**
 * How a killed session is told goodbye.
 *
 * @example
 * ```ts
 * await meta.kill(id, { reason: 'com.example.kicked', message: 'bye' });
 * ```
 */
export interface KillOptions {
  /** A WAMP URI sent as the GOODBYE reason (checked locally). Router default: `wamp.close.normal`. */
  readonly reason?: string;
  /** A human-readable message sent in the GOODBYE details. */
  readonly message?: string;
}

/**
 * What a bulk kill did. The WAMP spec returns a count; Crossbar 22.6.1 returns the killed ids,
 * which then fill `sessions` (and `count` is their number).
 *
 * @example
 * ```ts
 * const { count, sessions } = await meta.killByAuthid('alice');
 * ```
 */
export interface KillResult {
  /** How many sessions were killed. */
  readonly count: number;
  /** Their ids, when the router tells (Crossbar). */
  readonly sessions?: readonly SessionId[];
}

/**
 * Options of {@link SessionMeta}.
 *
 * @example
 * ```ts
 * const meta = new SessionMeta(session, { callTimeoutMs: 5_000 });
 * ```
 */
export interface SessionMetaOptions {
  /** Reject a call with `CallTimeoutError` after this many ms. Default 10 000; 0 = never. */
  readonly callTimeoutMs?: number;
}

/**
 * GOODBYE/close details as autobahn reports them.
 *
 * @example
 * ```ts
 * const details: CloseDetails = { reason: 'wamp.close.normal', message: '' };
 * ```
 */
export interface CloseDetails {
  /** The close reason URI, e.g. `wamp.close.normal`. */
  readonly reason?: string | null | undefined;
  /** The close message from the GOODBYE details. */
  readonly message?: string | null | undefined;
}

/**
 * The part of an autobahn `Session` this SDK uses. Structural on purpose, so that autobahn from
 * npm, `autobahn-browser` and lagging `@types/autobahn` all fit.
 *
 * @example
 * ```ts
 * import autobahn from 'autobahn';
 * const connection = new autobahn.Connection({ url: 'ws://127.0.0.1:8080/ws', realm: 'realm1' });
 * connection.onopen = (session) => {
 *   const meta = new SessionMeta(session satisfies WampSessionLike);
 * };
 * ```
 */
export interface WampSessionLike {
  /** The WAMP session id; `null` once closed (autobahn). */
  readonly id: number | null | undefined;
  /** Whether the session is open. */
  readonly isOpen: boolean;
  /** autobahn `Session.call`: resolves with the single result arg, or `{ args, kwargs }`. */
  call(procedure: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: Record<string, unknown>): PromiseLike<unknown>;
  /** autobahn `Session.subscribe`: resolves with a subscription handle once SUBSCRIBED. */
  subscribe(
    topic: string,
    handler: (args?: unknown[], kwargs?: Record<string, unknown>, details?: unknown) => void,
    options?: Record<string, unknown>,
  ): PromiseLike<unknown>;
  /** autobahn `Session.unsubscribe` of a handle `subscribe` resolved with. */
  unsubscribe(subscription: never): PromiseLike<unknown>;
  /** autobahn `Session.register` (a presence relay registers `<prefix>.get_state`). */
  register?(procedure: string, endpoint: (args?: unknown[], kwargs?: Record<string, unknown>, details?: unknown) => unknown, options?: Record<string, unknown>): PromiseLike<unknown>;
  /** autobahn `Session.unregister` of a handle `register` resolved with. */
  unregister?(registration: never): PromiseLike<unknown>;
  /** autobahn `Session.publish`; with `{ acknowledge: true }` it returns a promise. */
  publish?(topic: string, args?: unknown[], kwargs?: Record<string, unknown>, options?: Record<string, unknown>): PromiseLike<unknown> | undefined | void;
  /** autobahn calls this on GOODBYE/ABORT; the SDK chains it to learn of a close. */
  onleave?: ((reason: string, details: CloseDetails) => void) | null | undefined;
}

/**
 * The part of an autobahn `Connection` this SDK uses (see {@link SessionMeta.fromConnection}).
 *
 * @example
 * ```ts
 * const connection: WampConnectionLike<autobahn.Session> = new autobahn.Connection({ url, realm: 'realm1' });
 * ```
 */
export interface WampConnectionLike<S extends WampSessionLike = WampSessionLike> {
  /** Called with each new session. */
  onopen: ((session: S, details: never) => void) | null | undefined;
  /**
   * Called on each close with autobahn's close details (at least {@link CloseDetails}; typed
   * `never` so that handlers typed with richer details fit); returning `true` stops retries.
   */
  onclose: ((reason: string, details: never) => boolean | void) | null | undefined;
  /** The current session, if open. */
  readonly session?: S | null | undefined;
}
