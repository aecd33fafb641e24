/** The command's connection to the router: an autobahn Connection and the SessionMeta on it. */
/// <reference path="../../autobahn/index.d.ts" />
import type autobahn from 'autobahn';
import { SessionMeta, type WampSessionLike } from '../index';
import { GET } from '../uris';
import type { Autobahn } from './autobahn';
import type { CloseInfo } from './format';

/** A close before the first open: the router was unreachable, or refused the realm or our credentials. */
export class JoinFailed extends Error {
  constructor(readonly close: CloseInfo) {
    super(close.reason);
  }
}

export interface LinkOptions {
  readonly url: string;
  readonly realm: string;
  readonly authid: string | undefined;
  readonly ticket: string | undefined;
  /** Reconnect after a drop (watch), or give up at the first close (one-shot commands). */
  readonly retry: boolean;
  readonly callTimeoutMs: number;
  /** Called for each settled `wamp.session.get` (sync progress). */
  readonly onGet?: () => void;
}

export interface Link {
  readonly meta: SessionMeta;
  /** Resolves on the first open; rejects with JoinFailed if the connection closes first. */
  readonly opened: Promise<void>;
  /** Called on every close after the first open. */
  onClose(listener: (close: CloseInfo & { readonly willRetry: boolean }) => void): void;
  /** Disposes the SDK, leaves, and waits for the close. */
  close(): Promise<void>;
}

/**
 * A session that reports each settled `wamp.session.get`: a structural wrapper is all the SDK
 * needs (WampSessionLike). `onleave` is forwarded so that SessionMeta still hears GOODBYE/ABORT.
 */
function countingGets(session: autobahn.Session, onGet: () => void): WampSessionLike {
  const leaving = session as unknown as Pick<WampSessionLike, 'onleave'>;
  return {
    get id() {
      return session.id;
    },
    get isOpen() {
      return session.isOpen;
    },
    get onleave() {
      return leaving.onleave;
    },
    set onleave(handler) {
      leaving.onleave = handler;
    },
    call(procedure, args, kwargs, options) {
      const result = session.call(procedure, args, kwargs, options);
      if (procedure === GET) result.then(onGet, onGet);
      return result;
    },
    subscribe: (topic, handler, options) => session.subscribe(topic, handler, options),
    unsubscribe: (subscription) => session.unsubscribe(subscription as autobahn.Subscription),
  };
}

export function openLink(ab: Autobahn, { url, realm, authid, ticket, retry, callTimeoutMs, onGet }: LinkOptions): Link {
  const connection = new ab.Connection({
    url,
    realm,
    use_es6_promises: true,
    // Fail fast when the router cannot be reached at first; once joined, `watch` rides out drops.
    retry_if_unreachable: false,
    max_retries: retry ? -1 : 0,
    initial_retry_delay: 0.5,
    max_retry_delay: 5,
    ...(authid !== undefined && { authid }),
    ...(ticket !== undefined && {
      authmethods: ['ticket'],
      onchallenge: (_session: autobahn.Session, method: string) => {
        if (method !== 'ticket') throw new Error(`the router asked for ${method} authentication`);
        return ticket;
      },
    }),
  });
  // Manual attach/detach (not SessionMeta.fromConnection), to hand the SDK the counting wrapper.
  const meta = new SessionMeta(null, { callTimeoutMs });
  let closeListener: Parameters<Link['onClose']>[0] | undefined;
  let closing = false;
  let everOpened = false;
  let closed: () => void = () => undefined;
  const opened = new Promise<void>((resolve, reject) => {
    connection.onopen = (session) => {
      everOpened = true;
      if (closing) return connection.close(); // a reconnect that raced close()
      meta.attach(onGet ? countingGets(session, onGet) : session);
      resolve();
    };
    connection.onclose = (reason, details) => {
      if (!closing) meta.detach();
      if (!everOpened) reject(new JoinFailed({ reason, details }));
      else if (!closing) closeListener?.({ reason, details, willRetry: details.will_retry });
      if (closing || !details.will_retry) closed();
      return closing; // true cancels a pending reconnect
    };
  });
  opened.catch(() => undefined); // observed by the caller; never an unhandled rejection
  connection.open();
  return {
    meta,
    opened,
    onClose: (listener) => (closeListener = listener),
    async close() {
      closing = true;
      meta.dispose();
      if (connection.isRetrying && !connection.isConnected) {
        // Between reconnect attempts autobahn's close() only flags "no more retries": the pending
        // attempt still runs after up to max_retry_delay, and only then does onclose fire. Cancel
        // it instead (autobahn 22 and 26, lib/connection.js, have no public way to).
        const timer = connection as unknown as { _autoreconnect_reset_timer?: () => void };
        if (timer._autoreconnect_reset_timer) {
          timer._autoreconnect_reset_timer();
          return;
        }
      }
      const done = new Promise<void>((resolve) => (closed = resolve));
      try {
        connection.close();
      } catch {
        return; // autobahn throws "connection already closed"
      }
      await done;
    },
  };
}
