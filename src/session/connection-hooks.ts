/**
 * Chaining into an autobahn `Connection`'s single assignable `onopen`/`onclose` handlers without
 * taking them from the user (autobahn-js: one handler each, and a new `Session` per reconnect).
 */
import type { CloseDetails, WampConnectionLike, WampSessionLike } from '../types';

/**
 * Turns `connection[key]` into an accessor that hands autobahn `wrap(handler)` while users still
 * read and assign their own handler through it. Reading gives the wrapper of the handler in place
 * at that moment, so the usual chaining idiom (`const prev = c.onopen; c.onopen = (s) => { …; prev?.(s); }`)
 * reaches the handler it replaced instead of calling itself back. A hook already there (another
 * SessionMeta on the same connection) is wrapped, not replaced, and assignments go down to it.
 * Returns the undo: it restores what was there, unless someone hooked on top of this one since;
 * then the wrappers stay and only forward (the owner checks it is disposed).
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
 * Calls `opened` with each new session and `closed` on each close, before the user's own handlers
 * (whose return value, `true` to stop retrying, is passed through). Returns the undo.
 */
export function followConnection<S extends WampSessionLike>(
  connection: WampConnectionLike<S>,
  opened: (session: S) => void,
  closed: (details: CloseDetails) => void,
): () => void {
  const release = [
    hook<(session: S, details: never) => void>(connection, 'onopen', (user) =>
      function (this: unknown, session: S, details: never): void {
        opened(session);
        user?.call(this, session, details);
      },
    ),
    hook<(reason: string, details: never) => boolean | void>(connection, 'onclose', (user) =>
      function (this: unknown, reason: string, details: never): boolean | void {
        closed(details as CloseDetails);
        return user?.call(this, reason, details);
      },
    ),
  ];
  return () => release.forEach((undo) => undo());
}
