/** Text for people: sessions, counts, errors and closes as `wamp-sessions` prints them. */
import {
  InvalidArgumentError,
  NoSuchSessionError,
  NotAuthorizedError,
  ProcedureUnavailableError,
  SessionClosedError,
} from '../index';
import type { SessionDetails } from '../types';

/** Control characters: router-controlled text (authids, close messages) must not drive the terminal. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** `text` with every control character (escape, line break, …) replaced by `?`. */
export const clean = (text: string): string => text.replace(CONTROL, '?');

/** Replaces `secret` wherever it appears (a router may echo a ticket back in an error). */
export function masker(secret: string | undefined): (text: string) => string {
  return secret ? (text) => text.split(secret).join('***') : (text) => text;
}

const UNKNOWN = '?';

/** The authrole to count a session under. */
export const roleOf = (s: Pick<SessionDetails, 'authrole'>): string => s.authrole ?? UNKNOWN;

/** `authid/authrole`, `?` for what the router did not say. */
export const who = (s: Pick<SessionDetails, 'authid' | 'authrole'>): string => `${s.authid ?? UNKNOWN}/${roleOf(s)}`;

/** Sessions counted by authrole, sorted by role. */
export function countByRole(sessions: Iterable<SessionDetails>): Array<[role: string, count: number]> {
  const counts = new Map<string, number>();
  for (const s of sessions) counts.set(roleOf(s), (counts.get(roleOf(s)) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a.localeCompare(b));
}

/** `3 sessions`, `1 session`. */
export const plural = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

/** A session as JSON output shows it: its details without the router's raw payload. */
export function sessionJson({ raw: _raw, ...details }: SessionDetails): Omit<SessionDetails, 'raw'> {
  return details;
}

/** How autobahn reports a close (its `onclose` reason and details). */
export interface CloseInfo {
  readonly reason: string;
  readonly details: { readonly reason?: string | null; readonly message?: string | null };
}

/** Why the connection closed, as one line (the router's ABORT/GOODBYE, or autobahn's reason). */
export function describeClose({ reason, details }: CloseInfo, url: string, realm: string): string {
  const uri = details.reason ?? undefined;
  const said = details.message ? `: ${details.message}` : '';
  if (reason === 'unreachable') return `error: cannot reach a WAMP router at ${url} (connection refused or not a WAMP WebSocket endpoint)`;
  if (reason === 'unsupported') return `error: cannot open a WebSocket to ${url} (no WebSocket implementation)`;
  if (uri === 'wamp.error.no_such_realm') return `error: realm "${realm}" does not exist on the router at ${url}${said}`;
  if (uri === 'wamp.error.authentication_failed' || uri === 'wamp.error.no_auth_method') {
    return `error: authentication failed for realm "${realm}" (${uri}${said})`;
  }
  if (uri === 'wamp.error.not_authorized' || uri === 'wamp.error.authorization_failed') {
    return `error: not allowed to join realm "${realm}" (${uri}${said})`;
  }
  if (uri) return `error: the router closed the session (${uri}${said})`;
  return `error: connection to ${url} ${reason}`;
}

/** An error as one line (the SDK's guards work on any copy of it, ESM or CJS). */
export function describeError(error: unknown): string {
  if (NotAuthorizedError.is(error)) return `error: not authorized to use ${error.procedure ?? 'the meta API'} (${error.message})`;
  if (InvalidArgumentError.is(error)) return `error: invalid argument: ${error.message}`;
  if (NoSuchSessionError.is(error)) return `error: no session ${error.sessionId ?? 'with that id'} on the router`;
  if (ProcedureUnavailableError.is(error)) {
    return `error: the router does not offer ${error.procedure ?? 'this procedure'} (no Session Meta API, or not this part of it)`;
  }
  if (SessionClosedError.is(error)) {
    const why = error.reason ? ` (${error.reason}${error.closeMessage ? `: ${error.closeMessage}` : ''})` : '';
    return `error: the session closed before ${error.procedure ?? 'the call'} was answered${why}`;
  }
  return `error: ${error instanceof Error ? error.message : String(error)}`; // CallTimeoutError, RouterError, ...
}
