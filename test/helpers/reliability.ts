/**
 * Shared pieces of the reliability tests (test/reliability/): an observer that follows a retrying
 * autobahn Connection with SessionMeta.fromConnection, a direct "referee" client whose `list()` is
 * the truth, and polling helpers that wait for things to be quiet before asserting.
 */
import autobahn from 'autobahn';
import { SessionMeta } from '../../src';
import type { LiveSessionSet, SessionId, SessionMetaOptions } from '../../src';
import { connectClient } from './fox-router';
import { sleep } from './wait';

export interface Observer {
  readonly connection: autobahn.Connection;
  readonly meta: SessionMeta;
  /** Resolves on the next onopen (the first one, or the next reconnect). */
  nextOpen(): Promise<autobahn.Session>;
  /** Disposes the SessionMeta, closes the connection and waits until autobahn stops retrying. */
  close(): Promise<void>;
}

export interface ObserverOptions extends SessionMetaOptions {
  /** Called on every open, after the SDK attached the session (to instrument it). */
  onSession?: (session: autobahn.Session) => void;
}

/**
 * A Connection the way an app would build one: auto-reconnect forever, with short delays so that
 * tests recover fast (autobahn's defaults start at 1.5 s), and a SessionMeta following it.
 */
export function openObserver(url: string, options: ObserverOptions = {}): Observer {
  const { onSession, ...metaOptions } = options;
  const connection = new autobahn.Connection({
    url,
    realm: 'realm1',
    use_es6_promises: true,
    max_retries: -1,
    initial_retry_delay: 0.05,
    max_retry_delay: 0.2,
    retry_delay_growth: 1.5,
  });
  const meta = SessionMeta.fromConnection(connection, metaOptions);
  let openWaiters: Array<(session: autobahn.Session) => void> = [];
  let closing = false;
  let finished: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (finished = resolve));
  let stopped = false;

  // Assigned after fromConnection: the SDK chains these (API.md §1), so they run after its own.
  connection.onopen = (session) => {
    // close() was called while a retry was pending: autobahn still runs that attempt.
    if (closing) return connection.close();
    onSession?.(session);
    const waiters = openWaiters;
    openWaiters = [];
    waiters.forEach((w) => w(session));
  };
  connection.onclose = (_reason, details) => {
    if (!details.will_retry || closing) {
      stopped = true;
      finished();
    }
    return closing;
  };
  connection.open();

  return {
    connection,
    meta,
    nextOpen: () => new Promise((resolve) => openWaiters.push(resolve)),
    async close() {
      meta.dispose();
      if (stopped) return;
      closing = true;
      try {
        connection.close();
      } catch {
        return; // "connection already closed"
      }
      await done;
    },
  };
}

/** A client straight to the router (never through a proxy): its `list()` is what the router says. */
export async function openReferee(url: string): Promise<{ meta: SessionMeta; close(): Promise<void> }> {
  const client = await connectClient(url);
  const meta = new SessionMeta(client.session);
  return {
    meta,
    async close() {
      meta.dispose();
      await client.close();
    },
  };
}

export const sortIds = (ids: Iterable<SessionId>): SessionId[] => [...ids].sort((a, b) => a - b);

export const liveIds = (live: LiveSessionSet): SessionId[] => sortIds([...live.values()].map((s) => s.session));

/**
 * Waits until the live set is `live` and holds exactly what the router lists, then asserts it
 * (so a timeout fails with the diff). Returns the ids.
 */
export async function expectLiveEqualsList(live: LiveSessionSet, referee: SessionMeta, timeoutMs = 8000): Promise<SessionId[]> {
  const end = Date.now() + timeoutMs;
  let listed = sortIds(await referee.list());
  while (!(live.status === 'live' && JSON.stringify(liveIds(live)) === JSON.stringify(listed)) && Date.now() < end) {
    await sleep(20);
    listed = sortIds(await referee.list());
  }
  expect({ status: live.status, ids: liveIds(live) }).toEqual({ status: 'live', ids: listed });
  return listed;
}

/** A promise with its resolve function, for "wait until the test hook fired". */
export function signal<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}
