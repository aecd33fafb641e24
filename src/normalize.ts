/**
 * Router payloads -> SessionDetails / SessionLeft / call results. The only module that knows
 * payload shapes:
 * - Crossbar 22.6.1 (fixtures/crossbar): on_join args `[details]`, no kwargs; on_leave args `[id]`;
 *   list `[[ids]]`; get `[details]`; kill_by_* `[[killed ids]]`.
 * - WAMP spec: on_leave `[session, authid, authrole]`; kill_by_* / kill_all `[count]`; kwargs variants.
 * - fox-wamp 0.7.28: on_join args null, details in kwargs; unwraps a single array argument, so a
 *   list arrives flattened (`[1, 2]`, or just `1`).
 * autobahn-js passes a single positional result as the value itself and wraps anything else in
 * `Result { args, kwargs }`.
 *
 * Payloads are never copied key by key into fresh objects (which a `__proto__` key could abuse):
 * only known fields are read, and nested records are referenced as they came.
 */
import { MalformedPayloadError } from './errors';
import type { KillResult, SessionDetails, SessionId, SessionLeft } from './types';

type Rec = Record<string, unknown>;

const MAX_ID = 2 ** 53;

/** WAMP ids are integers in [1, 2^53] (WAMP spec, "IDs"). */
export function isSessionId(value: unknown): value is SessionId {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= MAX_ID;
}

export function isRecord(value: unknown): value is Rec {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The positional and keyword parts of an event or of what autobahn resolved a call with. */
export interface Payload {
  readonly args: readonly unknown[];
  readonly kwargs: Rec;
}

/** autobahn's `Result` has exactly `args` and `kwargs`. */
function isResult(value: unknown): value is Payload {
  if (!isRecord(value) || !Array.isArray(value.args) || !isRecord(value.kwargs)) return false;
  const keys = Object.keys(value);
  return keys.length === 2;
}

/** What a payload without positional or keyword parts has: shared (parsers only read payloads). */
const NO_ARGS: readonly unknown[] = /* @__PURE__ */ Object.freeze([]);
const NO_KWARGS: Rec = /* @__PURE__ */ Object.freeze({});

/** Undo autobahn's unwrapping of call results. */
export function resultPayload(value: unknown): Payload {
  if (isResult(value)) return value;
  return { args: value === null || value === undefined ? NO_ARGS : [value], kwargs: NO_KWARGS };
}

/** Events: autobahn hands the handler `(args, kwargs, details)`, any of which a router may omit. */
export function eventPayload(args: unknown, kwargs: unknown): Payload {
  return { args: Array.isArray(args) ? args : NO_ARGS, kwargs: isRecord(kwargs) ? kwargs : NO_KWARGS };
}

const BAD_ID = 'session id is not an integer in [1, 2^53]';

/** Throws what a payload that cannot be read is reported as. */
export function malformed(what: string, payload: unknown, procedure: string): never {
  throw new MalformedPayloadError(what, payload, { procedure });
}

type MutableDetails = { -readonly [K in keyof SessionDetails]: SessionDetails[K] };

/**
 * Builds SessionDetails with `new`, which V8 sizes for every field the constructor may set, so all
 * of them sit in the object itself. A `{ session, raw }` literal grown field by field moves the
 * others to a separate property array reallocated as it grows: 144 instead of 120 bytes for a
 * Crossbar session, measured on Node 20. Absent fields stay absent, and the prototype is
 * `Object.prototype`: the result has the own keys, order and prototype of a plain literal.
 * Wrapped in a pure IIFE so that a bundle which never builds details drops it.
 */
const NewDetails = /* @__PURE__ */ (() => {
  function Details(
    this: MutableDetails,
    session: SessionId,
    raw: Rec,
    authid: string | undefined,
    authrole: string | undefined,
    authmethod: string | undefined,
    authprovider: string | undefined,
    realm: string | undefined,
    authextra: Rec | undefined,
    transport: Rec | undefined,
    resumed: boolean | undefined,
  ): void {
    this.session = session;
    this.raw = raw;
    if (authid !== undefined) this.authid = authid;
    if (authrole !== undefined) this.authrole = authrole;
    if (authmethod !== undefined) this.authmethod = authmethod;
    if (authprovider !== undefined) this.authprovider = authprovider;
    if (realm !== undefined) this.realm = realm;
    if (authextra !== undefined) this.authextra = authextra;
    if (transport !== undefined) this.transport = transport;
    if (resumed !== undefined) this.resumed = resumed;
  }
  Details.prototype = Object.prototype;
  return Details as unknown as new (...fields: Parameters<typeof Details>) => SessionDetails;
})();

/** A string when present (null counts as absent); anything else makes `payload` malformed. */
function optionalString(value: unknown, name: string, payload: unknown, procedure: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') malformed(`${name} is not a string`, payload, procedure);
  return value;
}

/** An object when present (null counts as absent); anything else makes `payload` malformed. */
function optionalRecord(value: unknown, name: string, payload: unknown, procedure: string): Rec | undefined {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) malformed(`${name} is not an object`, payload, procedure);
  return value;
}

/** A boolean when present (null counts as absent); anything else makes `payload` malformed. */
function optionalBoolean(value: unknown, name: string, payload: unknown, procedure: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') malformed(`${name} is not a boolean`, payload, procedure);
  return value;
}

/** A details dict -> SessionDetails. A wrongly typed field makes the whole payload malformed. */
export function toDetails(dict: unknown, procedure: string): SessionDetails {
  if (!isRecord(dict)) malformed('session details are not an object', dict, procedure);
  const session = dict.session;
  if (!isSessionId(session)) malformed(BAD_ID, dict, procedure);
  // Arguments are evaluated in order: fields are read, and the first wrongly typed one reported,
  // in the order they always were.
  return new NewDetails(
    session,
    dict,
    optionalString(dict.authid, 'authid', dict, procedure),
    optionalString(dict.authrole, 'authrole', dict, procedure),
    optionalString(dict.authmethod, 'authmethod', dict, procedure),
    optionalString(dict.authprovider, 'authprovider', dict, procedure),
    optionalString(dict.realm, 'realm', dict, procedure),
    optionalRecord(dict.authextra, 'authextra', dict, procedure),
    optionalRecord(dict.transport, 'transport', dict, procedure),
    optionalBoolean(dict.resumed, 'resumed', dict, procedure),
  );
}

/** `on_join` and `get`: one dict in args (Crossbar, spec) or the fields as kwargs (fox-wamp). */
export function detailsFrom({ args, kwargs }: Payload, procedure: string): SessionDetails {
  if (args.length > 0) return toDetails(args[0], procedure);
  return toDetails(kwargs, procedure);
}

/** A `get` answer as autobahn resolved it: {@link detailsFrom} of its {@link resultPayload}, without building one for a lone dict. */
export function detailsOfResult(value: unknown, procedure: string): SessionDetails {
  if (value === null || value === undefined || isResult(value)) return detailsFrom(resultPayload(value), procedure);
  return toDetails(value, procedure);
}

/** `on_leave`: `[id]` (Crossbar, fox-wamp), `[id, authid, authrole]` (spec), or kwargs. */
export function leftFrom(payload: Payload, procedure: string): SessionLeft {
  const { args, kwargs } = payload;
  const session = args.length > 0 ? args[0] : kwargs.session;
  if (!isSessionId(session)) malformed(BAD_ID, payload, procedure);
  const authid = optionalString(args.length > 1 ? args[1] : kwargs.authid, 'authid', payload, procedure);
  const authrole = optionalString(args.length > 2 ? args[2] : kwargs.authrole, 'authrole', payload, procedure);
  return sessionLeft(session, authid, authrole);
}

/** A SessionLeft with only the fields that are known. */
export function sessionLeft(session: SessionId, authid: string | undefined, authrole: string | undefined): SessionLeft {
  return authid === undefined && authrole === undefined
    ? { session }
    : { session, ...(authid !== undefined && { authid }), ...(authrole !== undefined && { authrole }) };
}

/** `count` and spec-style kill results: `[n]`. */
export function countFrom({ args, kwargs }: Payload, procedure: string): number {
  const n = args.length > 0 ? args[0] : kwargs.count;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 0) malformed('count is not a non-negative integer', n, procedure);
  return n + 0; // a router may send -0, which passes the checks above
}

/** `list` and Crossbar kill results: `[[ids]]`, or flattened `[ids...]` / `id` (fox-wamp). */
export function idsFrom({ args }: Payload, procedure: string): SessionId[] {
  const list = args.length === 1 && Array.isArray(args[0]) ? (args[0] as unknown[]) : args;
  for (const id of list) {
    if (!isSessionId(id)) malformed(BAD_ID, args, procedure);
  }
  return list.slice() as SessionId[];
}

/** kill_by_authid / kill_by_authrole / kill_all: `[count]` (spec) or `[[ids]]` (Crossbar). */
export function killResultFrom(payload: Payload, procedure: string): KillResult {
  // A router that unwraps a single array argument (fox-wamp) turns `[[5]]` into `[5]`, which
  // autobahn hands over as `5`: indistinguishable from the spec's count, and read as one.
  if (payload.args.length === 1 && typeof payload.args[0] === 'number') return { count: countFrom(payload, procedure) };
  const sessions = idsFrom(payload, procedure);
  return { count: sessions.length, sessions };
}
