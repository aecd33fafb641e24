/**
 * The presence wire protocol: one place for its URIs and payload shapes. Each payload is one dict
 * sent as the only positional argument (`args[0]`), as Crossbar sends its own meta events, so a
 * client in any language can speak it:
 * - procedure `<prefix>.get_state` → `{ epoch, seq, heartbeatMs, stale, sessions: PresenceEntry[] }`
 * - topic `<prefix>.on_change` → `{ epoch, seq, joined: PresenceEntry[], left: SessionId[] }`,
 *   `seq` + 1 per publication within an epoch
 * - topic `<prefix>.on_heartbeat` → `{ epoch, seq, stale? }` every `heartbeatMs` and at once when
 *   `stale` changes (`seq`: the last one published; `stale` absent = false)
 */
import { isRecord, isSessionId, malformed, toDetails, type Payload } from '../normalize';
import type { SessionDetails, SessionId } from '../types';

/**
 * One member of a presence set as it travels: the session id and the fields the relay's
 * projection chose (by default `authid` and `authrole`). JSON only.
 *
 * @example
 * ```ts
 * const entry: PresenceEntry = { session: 3593845816352731, authid: 'alice', authrole: 'user' };
 * ```
 */
export interface PresenceEntry {
  /** The session id. */
  readonly session: SessionId;
  /** Any projected field (JSON values). */
  readonly [field: string]: unknown;
}

/** A relay's heartbeat interval when none is given; what a mirror assumes until a state says. */
export const DEFAULT_HEARTBEAT_MS = 10_000;

export const uris = (prefix: string) => ({
  getState: `${prefix}.get_state`,
  onChange: `${prefix}.on_change`,
  onHeartbeat: `${prefix}.on_heartbeat`,
});

export interface StateMessage {
  readonly epoch: string;
  readonly seq: number;
  readonly heartbeatMs: number;
  readonly stale: boolean;
  readonly sessions: readonly PresenceEntry[];
}

export interface ChangeMessage {
  readonly epoch: string;
  readonly seq: number;
  readonly joined: readonly PresenceEntry[];
  readonly left: readonly SessionId[];
}

export interface HeartbeatMessage {
  readonly epoch: string;
  readonly seq: number;
  readonly stale?: boolean;
}

type Rec = Record<string, unknown>;

/** The one dict of a payload (args[0]); kwargs are accepted too, from clients that send them. */
function dictOf({ args, kwargs }: Payload, procedure: string): Rec {
  const dict = args.length > 0 ? args[0] : kwargs;
  if (!isRecord(dict)) malformed('payload is not one dict in args[0]', args, procedure);
  return dict;
}

function header(dict: Rec, procedure: string): { epoch: string; seq: number } {
  const { epoch, seq } = dict;
  if (typeof epoch !== 'string' || epoch.length === 0) malformed('epoch is not a non-empty string', dict, procedure);
  if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 0) malformed('seq is not a non-negative integer', dict, procedure);
  return { epoch, seq };
}

function entries(value: unknown, dict: Rec, procedure: string): PresenceEntry[] {
  if (!Array.isArray(value)) malformed('sessions are not a list', dict, procedure);
  for (const entry of value) {
    if (!isRecord(entry) || !isSessionId(entry.session)) malformed('an entry has no valid session id', dict, procedure);
    toDetails(entry, procedure); // a field the mirror reads (authid, transport, ...) of the wrong type: malformed here, not later
  }
  return value as PresenceEntry[];
}

export function parseState(payload: Payload, procedure: string): StateMessage {
  const dict = dictOf(payload, procedure);
  const { heartbeatMs, stale } = dict;
  if (typeof heartbeatMs !== 'number' || !(heartbeatMs > 0)) malformed('heartbeatMs is not a positive number', dict, procedure);
  if (typeof stale !== 'boolean') malformed('stale is not a boolean', dict, procedure);
  return { ...header(dict, procedure), heartbeatMs, stale, sessions: entries(dict.sessions, dict, procedure) };
}

export function parseChange(payload: Payload, procedure: string): ChangeMessage {
  const dict = dictOf(payload, procedure);
  const left = dict.left;
  if (!Array.isArray(left) || !left.every(isSessionId)) malformed('left is not a list of session ids', dict, procedure);
  return { ...header(dict, procedure), joined: entries(dict.joined, dict, procedure), left };
}

export function parseHeartbeat(payload: Payload, procedure: string): HeartbeatMessage {
  const dict = dictOf(payload, procedure);
  const { stale } = dict;
  if (stale !== undefined && typeof stale !== 'boolean') malformed('stale is not a boolean', dict, procedure);
  return stale ? { ...header(dict, procedure), stale } : header(dict, procedure);
}

/** An entry as the mirror's sessions hold it: the usual fields read like the meta API's, `raw` the entry. */
export function entryDetails(entry: PresenceEntry, procedure: string): SessionDetails {
  return toDetails(entry, procedure);
}

/** The default projection: nothing private leaves (no transport, peer address or authextra). */
export function defaultProjection(details: SessionDetails): PresenceEntry {
  const entry: { session: SessionId; authid?: string; authrole?: string } = { session: details.session };
  if (details.authid !== undefined) entry.authid = details.authid;
  if (details.authrole !== undefined) entry.authrole = details.authrole;
  return entry;
}
