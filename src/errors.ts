import { ERROR_NO_SUCH_PROCEDURE, ERROR_NO_SUCH_SESSION, ERROR_NOT_AUTHORIZED, ERROR_RUNTIME } from './uris';
import type { SessionId } from './types';

/**
 * A brand shared by every copy of this library (ESM and CJS builds, two bundled versions), so that
 * the guards below work where `instanceof` against one copy's class would not.
 */
const BRAND = Symbol.for('wamp-session-meta.MetaError');

/**
 * Machine-readable kind of a {@link MetaError}.
 *
 * @example
 * ```ts
 * const code: MetaErrorCode = 'no_such_session';
 * ```
 */
export type MetaErrorCode =
  | 'no_such_session'
  | 'not_authorized'
  | 'procedure_unavailable'
  | 'invalid_argument'
  | 'call_timeout'
  | 'session_closed'
  | 'router_error'
  | 'malformed_payload'
  | 'drift';

/** Explicit names: minifiers rename classes, and `e.name` must stay readable in logs. */
const NAMES: Record<MetaErrorCode, string> = {
  no_such_session: 'NoSuchSessionError',
  not_authorized: 'NotAuthorizedError',
  procedure_unavailable: 'ProcedureUnavailableError',
  invalid_argument: 'InvalidArgumentError',
  call_timeout: 'CallTimeoutError',
  session_closed: 'SessionClosedError',
  router_error: 'RouterError',
  malformed_payload: 'MalformedPayloadError',
  drift: 'DriftError',
};

interface MetaErrorInit {
  procedure?: string | undefined;
  cause?: unknown;
}

/**
 * Base class of every error this SDK produces. Guards work across the ESM and CJS builds.
 *
 * @example
 * ```ts
 * try { await meta.get(id); } catch (e) { if (isMetaError(e)) console.log(e.code, e.procedure); }
 * ```
 */
export class MetaError extends Error {
  /**
   * The code of this class; `undefined` on the base class.
   *
   * @example
   * ```ts
   * if (e.code === NoSuchSessionError.code) retry();
   * ```
   */
  static readonly code: MetaErrorCode | undefined = undefined;
  /**
   * What went wrong, machine-readable.
   *
   * @example
   * ```ts
   * if (isMetaError(e) && e.code === 'call_timeout') retry();
   * ```
   */
  readonly code: MetaErrorCode;
  /**
   * The `wamp.session.*` procedure or topic involved, when there is one.
   *
   * @example
   * ```ts
   * if (isMetaError(e)) console.log(e.procedure); // e.g. 'wamp.session.get'
   * ```
   */
  readonly procedure: string | undefined;

  /** @internal */
  constructor(code: MetaErrorCode, message: string, init: MetaErrorInit = {}) {
    super(message);
    this.name = NAMES[code];
    this.code = code;
    this.procedure = init.procedure;
    Object.defineProperty(this, 'cause', { value: init.cause, writable: true, configurable: true });
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * True when `value` is an error of this class, from any copy of this library.
   *
   * @example
   * ```ts
   * if (NoSuchSessionError.is(e)) console.log('gone:', e.sessionId);
   * ```
   */
  static is<T extends MetaError>(this: abstract new (...args: never[]) => T, value: unknown): value is T {
    const code = (this as unknown as typeof MetaError).code;
    return isMetaError(value) && (code === undefined || value.code === code);
  }

  /**
   * Makes `instanceof` agree with {@link MetaError.is} across builds, and keeps the prototype
   * chain semantics (`NoSuchSessionError.prototype instanceof MetaError` holds).
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(this, value) || this.is(value);
  }
}

/**
 * True for any error produced by this SDK (any build).
 *
 * @example
 * ```ts
 * meta.get(id).catch((e) => { if (isMetaError(e)) report(e.code); });
 * ```
 */
export function isMetaError(value: unknown): value is MetaError {
  return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
}

/**
 * The router knows no session with that id (`wamp.error.no_such_session`).
 *
 * @example
 * ```ts
 * await meta.get(1234567).catch((e) => { if (NoSuchSessionError.is(e)) console.log(e.sessionId); });
 * ```
 */
export class NoSuchSessionError extends MetaError {
  /**
   * `'no_such_session'`.
   *
   * @example
   * ```ts
   * console.log(NoSuchSessionError.code); // 'no_such_session'
   * ```
   */
  static override readonly code = 'no_such_session';
  /**
   * The id that was asked for, when known.
   *
   * @example
   * ```ts
   * if (NoSuchSessionError.is(e)) live.get(e.sessionId ?? 0);
   * ```
   */
  readonly sessionId: SessionId | undefined;
  /** @internal */
  constructor(message: string, init: MetaErrorInit & { sessionId?: SessionId | undefined } = {}) {
    super('no_such_session', message, init);
    this.sessionId = init.sessionId;
  }
}

/**
 * The router denied the call or subscription (`wamp.error.not_authorized`).
 *
 * @example
 * ```ts
 * await meta.kill(id).catch((e) => { if (NotAuthorizedError.is(e)) alert('not allowed'); });
 * ```
 */
export class NotAuthorizedError extends MetaError {
  /**
   * `'not_authorized'`.
   *
   * @example
   * ```ts
   * console.log(NotAuthorizedError.code); // 'not_authorized'
   * ```
   */
  static override readonly code = 'not_authorized';
  /** @internal */
  constructor(message: string, init: MetaErrorInit = {}) {
    super('not_authorized', message, init);
  }
}

/**
 * The router does not offer that meta procedure (`wamp.error.no_such_procedure`), e.g.
 * `kill_all` on Crossbar 22.6.1, or the meta API is off.
 *
 * @example
 * ```ts
 * await meta.killAll().catch((e) => { if (ProcedureUnavailableError.is(e)) console.log(e.procedure); });
 * ```
 */
export class ProcedureUnavailableError extends MetaError {
  /**
   * `'procedure_unavailable'`.
   *
   * @example
   * ```ts
   * console.log(ProcedureUnavailableError.code); // 'procedure_unavailable'
   * ```
   */
  static override readonly code = 'procedure_unavailable';
  /** @internal */
  constructor(message: string, init: MetaErrorInit = {}) {
    super('procedure_unavailable', message, init);
  }
}

/**
 * An argument was rejected locally; nothing was sent to the router.
 *
 * @example
 * ```ts
 * await meta.get(-1).catch((e) => { if (InvalidArgumentError.is(e)) console.log(e.argument); });
 * ```
 */
export class InvalidArgumentError extends MetaError {
  /**
   * `'invalid_argument'`.
   *
   * @example
   * ```ts
   * console.log(InvalidArgumentError.code); // 'invalid_argument'
   * ```
   */
  static override readonly code = 'invalid_argument';
  /**
   * The name of the offending argument or option, e.g. `id` or `options.reason`.
   *
   * @example
   * ```ts
   * if (InvalidArgumentError.is(e)) form.markInvalid(e.argument);
   * ```
   */
  readonly argument: string;
  /** @internal */
  constructor(argument: string, expected: string, init: MetaErrorInit = {}) {
    super('invalid_argument', `${argument} must be ${expected}`, init);
    this.argument = argument;
  }
}

/**
 * No answer came within `callTimeoutMs`.
 *
 * @example
 * ```ts
 * await meta.count().catch((e) => { if (CallTimeoutError.is(e)) console.log(e.timeoutMs); });
 * ```
 */
export class CallTimeoutError extends MetaError {
  /**
   * `'call_timeout'`.
   *
   * @example
   * ```ts
   * console.log(CallTimeoutError.code); // 'call_timeout'
   * ```
   */
  static override readonly code = 'call_timeout';
  /**
   * The `callTimeoutMs` that ran out.
   *
   * @example
   * ```ts
   * if (CallTimeoutError.is(e)) console.log(`no answer in ${e.timeoutMs} ms`);
   * ```
   */
  readonly timeoutMs: number;
  /** @internal */
  constructor(timeoutMs: number, init: MetaErrorInit = {}) {
    super('call_timeout', `${init.procedure ?? 'call'} got no answer within ${timeoutMs} ms`, init);
    this.timeoutMs = timeoutMs;
  }
}

/**
 * No session is attached, or it closed while the call was pending.
 *
 * @example
 * ```ts
 * await meta.killByAuthrole('user').catch((e) => {
 *   if (SessionClosedError.is(e)) console.log(e.reason, e.closeMessage);
 * });
 * ```
 */
export class SessionClosedError extends MetaError {
  /**
   * `'session_closed'`.
   *
   * @example
   * ```ts
   * console.log(SessionClosedError.code); // 'session_closed'
   * ```
   */
  static override readonly code = 'session_closed';
  /**
   * The close reason URI (e.g. `wamp.close.normal`), when the router or autobahn gave one.
   *
   * @example
   * ```ts
   * if (SessionClosedError.is(e) && e.reason === 'com.example.kicked') showKicked();
   * ```
   */
  readonly reason: string | undefined;
  /**
   * The close message from the GOODBYE details, when there was one.
   *
   * @example
   * ```ts
   * if (SessionClosedError.is(e)) console.log(e.closeMessage ?? '');
   * ```
   */
  readonly closeMessage: string | undefined;
  /** @internal */
  constructor(init: MetaErrorInit & { reason?: string | undefined; closeMessage?: string | undefined } = {}) {
    const why = init.reason ? ` (${init.reason}${init.closeMessage ? `: ${init.closeMessage}` : ''})` : '';
    super('session_closed', `no open WAMP session${why}`, init);
    this.reason = init.reason;
    this.closeMessage = init.closeMessage;
  }
}

/**
 * Any other WAMP error the router returned.
 *
 * @example
 * ```ts
 * await meta.count().catch((e) => { if (RouterError.is(e)) console.log(e.uri, e.args, e.kwargs); });
 * ```
 */
export class RouterError extends MetaError {
  /**
   * `'router_error'`.
   *
   * @example
   * ```ts
   * console.log(RouterError.code); // 'router_error'
   * ```
   */
  static override readonly code = 'router_error';
  /**
   * The WAMP error URI, e.g. `wamp.error.runtime_error`.
   *
   * @example
   * ```ts
   * if (RouterError.is(e) && e.uri === 'wamp.error.runtime_error') console.log(e.args);
   * ```
   */
  readonly uri: string;
  /**
   * The error's positional args (Crossbar: one human-readable string, or none).
   *
   * @example
   * ```ts
   * if (RouterError.is(e)) console.log(e.args[0]);
   * ```
   */
  readonly args: readonly unknown[];
  /**
   * The error's keyword args.
   *
   * @example
   * ```ts
   * if (RouterError.is(e)) console.log(e.kwargs);
   * ```
   */
  readonly kwargs: Readonly<Record<string, unknown>>;
  /** @internal */
  constructor(uri: string, args: readonly unknown[], kwargs: Readonly<Record<string, unknown>>, init: MetaErrorInit = {}) {
    super('router_error', typeof args[0] === 'string' ? `${uri}: ${args[0]}` : uri, init);
    this.uri = uri;
    this.args = args;
    this.kwargs = kwargs;
  }
}

/**
 * A meta event or call result did not have a shape this SDK understands. The event was dropped
 * (and reported on `errors$`); a call rejects with it.
 *
 * @example
 * ```ts
 * meta.errors$.subscribe((e) => { if (MalformedPayloadError.is(e)) console.warn(e.message, e.payload); });
 * ```
 */
export class MalformedPayloadError extends MetaError {
  /**
   * `'malformed_payload'`.
   *
   * @example
   * ```ts
   * console.log(MalformedPayloadError.code); // 'malformed_payload'
   * ```
   */
  static override readonly code = 'malformed_payload';
  /**
   * What the router sent.
   *
   * @example
   * ```ts
   * meta.errors$.subscribe((e) => { if (MalformedPayloadError.is(e)) console.log(e.payload); });
   * ```
   */
  readonly payload: unknown;
  /** @internal */
  constructor(what: string, payload: unknown, init: MetaErrorInit = {}) {
    super('malformed_payload', `${init.procedure ?? 'payload'}: ${what}`, init);
    this.payload = payload;
  }
}

/**
 * A live set found itself different from the router (or a mirror from its relay) and repaired
 * itself: routers lose or never send meta events (Nexus publishes no `on_leave` for `kill_all`).
 * Reported on the set's `error` and on `meta.errors$`; the set stays `live`.
 *
 * @example
 * ```ts
 * live.on('error', (e) => { if (DriftError.is(e)) console.warn(`repaired: +${e.joined} -${e.left}`); });
 * ```
 */
export class DriftError extends MetaError {
  /**
   * `'drift'`.
   *
   * @example
   * ```ts
   * console.log(DriftError.code); // 'drift'
   * ```
   */
  static override readonly code = 'drift';
  /**
   * How many sessions the repair added (their `on_join` was lost).
   *
   * @example
   * ```ts
   * if (DriftError.is(e)) console.log(e.joined, 'joins were missed');
   * ```
   */
  readonly joined: number;
  /**
   * How many sessions the repair removed (their `on_leave` was lost).
   *
   * @example
   * ```ts
   * if (DriftError.is(e)) console.log(e.left, 'leaves were missed');
   * ```
   */
  readonly left: number;
  /** @internal */
  constructor(joined: number, left: number, init: MetaErrorInit = {}) {
    super('drift', `the set drifted from its source and was repaired: ${joined} joined, ${left} left`, init);
    this.joined = joined;
    this.left = left;
  }
}

/** autobahn's `Error` is not an `Error` subclass: `{ error, args, kwargs }`. */
interface WampErrorLike {
  error: string;
  args?: unknown;
  kwargs?: unknown;
}

function isWampError(value: unknown): value is WampErrorLike {
  return typeof value === 'object' && value !== null && typeof (value as WampErrorLike).error === 'string';
}

/**
 * Maps what a WAMP call or subscribe rejected with to the error classes above (a MetaError as
 * it is; anything that is not a WAMP error becomes a `RouterError` `wamp.error.runtime_error`).
 * The only place that knows WAMP error URIs.
 */
export function toMetaError(error: unknown, procedure?: string, sessionId?: SessionId): MetaError {
  if (isMetaError(error)) return error;
  if (!isWampError(error)) return new RouterError(ERROR_RUNTIME, [String(error)], {}, { procedure, cause: error });
  const args = Array.isArray(error.args) ? (error.args as unknown[]) : [];
  const kwargs = typeof error.kwargs === 'object' && error.kwargs !== null ? (error.kwargs as Record<string, unknown>) : {};
  const text = typeof args[0] === 'string' ? args[0] : error.error;
  const init = { procedure, cause: error };
  switch (error.error) {
    case ERROR_NO_SUCH_SESSION:
      return new NoSuchSessionError(text, { ...init, sessionId });
    case ERROR_NOT_AUTHORIZED:
      return new NotAuthorizedError(text, init);
    case ERROR_NO_SUCH_PROCEDURE:
      return new ProcedureUnavailableError(text, init);
    default:
      return new RouterError(error.error, args, kwargs, init);
  }
}
