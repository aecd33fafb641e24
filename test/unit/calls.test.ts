/**
 * SessionMeta's lifecycle guarantees (API.md §1-§4), with a FakeSession: no call ever hangs,
 * attach/detach/dispose and fromConnection behave as documented, streams share one WAMP
 * subscription per topic and follow re-attaches, and the error guards work across builds.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CallTimeoutError,
  InvalidArgumentError,
  MetaError,
  NoSuchSessionError,
  NotAuthorizedError,
  RouterError,
  SessionClosedError,
  SessionMeta,
  isMetaError,
  type CloseDetails,
  type SessionDetails,
  type WampConnectionLike,
  type WampSessionLike,
} from '../../src';
import { BehaviorSubject, Subject } from 'rxjs';
import { TopicStream } from '../../src/topic-stream';
import { FakeSession, PENDING, WampError, flush } from '../helpers/fake-session';
import { metaCalls, replay } from '../helpers/crossbar-replay';

const ON_JOIN = 'wamp.session.on_join';
const ON_LEAVE = 'wamp.session.on_leave';

/** Observes a promise without awaiting it, to assert that it is (still) pending. */
function track<T>(promise: Promise<T>): { settled: boolean; value?: T; error?: unknown } {
  const state: { settled: boolean; value?: T; error?: unknown } = { settled: false };
  promise.then(
    (value) => Object.assign(state, { settled: true, value }),
    (error: unknown) => Object.assign(state, { settled: true, error }),
  );
  return state;
}

let metas: SessionMeta[] = [];
/** A SessionMeta disposed after the test (no interval left behind). */
function metaOf(session: WampSessionLike | null, options?: { callTimeoutMs?: number }): SessionMeta {
  const meta = new SessionMeta(session, options);
  metas.push(meta);
  return meta;
}
afterEach(() => {
  for (const meta of metas) meta.dispose();
  metas = [];
  jest.useRealTimers();
});

describe('no call stays pending forever', () => {
  test('a call pending when the router says GOODBYE rejects SessionClosedError with its reason and message', async () => {
    const session = new FakeSession();
    const pending = metaOf(session).count();
    session.goodbye('com.example.shutdown', 'maintenance');
    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionClosedError);
    expect(error).toMatchObject({ reason: 'com.example.shutdown', closeMessage: 'maintenance', procedure: 'wamp.session.count' });
  });

  test('a silently dropped transport is detected within the 1 s liveness check', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    const session = new FakeSession();
    const meta = metaOf(session);
    const call = track(meta.list());
    session.drop();
    jest.advanceTimersByTime(999);
    await flush();
    expect(call.settled).toBe(false);
    jest.advanceTimersByTime(1);
    await flush();
    expect(call.error).toBeInstanceOf(SessionClosedError);
    expect(call.error).toMatchObject({ reason: 'wamp.close.lost' });
    expect(meta.session).toBeNull();
  });

  test('no answer within callTimeoutMs rejects CallTimeoutError', async () => {
    const meta = metaOf(new FakeSession(), { callTimeoutMs: 50 });
    const started = Date.now();
    const error = await meta.get(42).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CallTimeoutError);
    expect(error).toMatchObject({ timeoutMs: 50, procedure: 'wamp.session.get' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
  });

  test('callTimeoutMs: 0 means no timeout: an hour later the call still waits for its answer', async () => {
    jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask', 'setImmediate'] });
    const session = new FakeSession();
    const call = track(metaOf(session, { callTimeoutMs: 0 }).count());
    jest.advanceTimersByTime(60 * 60 * 1000);
    await flush();
    expect(call.settled).toBe(false);
    session.calls[0]!.resolve(7);
    await flush();
    expect(call).toEqual({ settled: true, value: 7 });
  });

  test('with no session attached a call rejects SessionClosedError at once', async () => {
    const meta = metaOf(null);
    await expect(meta.count()).rejects.toBeInstanceOf(SessionClosedError);
    const session = new FakeSession();
    meta.attach(session);
    meta.detach();
    await expect(meta.killAll()).rejects.toBeInstanceOf(SessionClosedError);
    expect(session.calls).toHaveLength(0);
  });

  test('kill(own session id) is refused locally: Crossbar would close us and never answer', async () => {
    const session = new FakeSession({ id: 155519271757267 });
    const error = await metaOf(session).kill(155519271757267, { reason: 'com.example.suicide' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect(error).toMatchObject({ argument: 'id' });
    expect(session.calls).toHaveLength(0);
  });

  // Crossbar kills the caller too and sends it GOODBYE, never a RESULT (07, 08 captures).
  test.each([
    ['07_kill_by_authid.json', 'bob_1_ticket', (m: SessionMeta) => m.killByAuthid('bob'), 'wamp.close.normal', undefined],
    ['08_kill_by_authrole.json', 'alice_2_ticket', (m: SessionMeta) => m.killByAuthrole('user', { message: 'alice kills role user' }), 'wamp.close.normal', 'alice kills role user'],
  ] as const)('a bulk kill that also kills the caller (%s %s) rejects with that GOODBYE', async (scenario, conn, invoke, reason, message) => {
    const captured = metaCalls().find((c) => c.scenario === scenario && c.conn === conn)!;
    const { meta, outcome } = replay(captured, invoke);
    metas.push(meta);
    const result = await outcome;
    expect(result.ok).toBe(false);
    const error = (result as { error: unknown }).error;
    expect(error).toBeInstanceOf(SessionClosedError);
    expect(error).toMatchObject({ reason, closeMessage: message });
    expect(meta.session).toBeNull();
  });
});

describe('attach / detach / dispose', () => {
  test('attach switches sessions: pending calls on the old one reject, new calls go to the new one', async () => {
    const first = new FakeSession();
    const second = new FakeSession({ onCall: () => 3 });
    const meta = metaOf(first);
    const pending = meta.count();
    const state = track(pending);
    meta.attach(first); // the same session again: a no-op
    await flush();
    expect(state.settled).toBe(false);
    meta.attach(second);
    await expect(pending).rejects.toBeInstanceOf(SessionClosedError);
    expect(meta.session).toBe(second);
    await expect(meta.count()).resolves.toBe(3);
    expect(first.calls).toHaveLength(1);
    expect(second.calls).toHaveLength(1);
  });

  test("the session's own onleave is chained, and restored on detach", () => {
    const session = new FakeSession();
    const userLeave = jest.fn();
    session.onleave = userLeave;
    const meta = metaOf(session);
    expect(session.onleave).not.toBe(userLeave);
    meta.detach();
    expect(session.onleave).toBe(userLeave);
    meta.attach(session);
    session.goodbye('wamp.close.normal', 'bye');
    expect(userLeave).toHaveBeenCalledTimes(1);
    expect(userLeave).toHaveBeenCalledWith('wamp.close.normal', { message: 'bye' });
    expect(meta.session).toBeNull();
  });

  test('detach removes the WAMP subscriptions but keeps observers, who resume on the next attach', async () => {
    const first = new FakeSession();
    const meta = metaOf(first);
    const joins: number[] = [];
    const done = jest.fn();
    meta.joins$.subscribe({ next: (j) => joins.push(j.session), complete: done, error: done });
    await flush();
    expect(first.active(ON_JOIN)).toBe(1);
    meta.detach();
    expect(meta.session).toBeNull();
    expect(first.active(ON_JOIN)).toBe(0);
    const second = new FakeSession();
    meta.attach(second);
    await flush();
    second.publish(ON_JOIN, [{ session: 5 }]);
    expect(joins).toEqual([5]);
    expect(done).not.toHaveBeenCalled();
  });

  test('dispose rejects pending calls, completes every stream, unsubscribes, and is idempotent', async () => {
    const session = new FakeSession();
    const userLeave = jest.fn();
    session.onleave = userLeave;
    const meta = metaOf(session);
    const completed: string[] = [];
    meta.joins$.subscribe({ complete: () => completed.push('joins$') });
    meta.leaves$.subscribe({ complete: () => completed.push('leaves$') });
    meta.errors$.subscribe({ complete: () => completed.push('errors$') });
    await flush();
    expect(session.active(ON_JOIN) + session.active(ON_LEAVE)).toBe(2);
    const pending = meta.get(7);

    meta.dispose();
    meta.dispose();

    const error = await pending.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SessionClosedError);
    expect(error).toMatchObject({ reason: 'wamp-session-meta.disposed' });
    expect(completed.sort()).toEqual(['errors$', 'joins$', 'leaves$']);
    expect(session.active(ON_JOIN) + session.active(ON_LEAVE)).toBe(0);
    expect(session.onleave).toBe(userLeave);
    expect(meta.session).toBeNull();
    // A late observer completes at once, without subscribing anything.
    const late = jest.fn();
    meta.joins$.subscribe({ complete: late });
    expect(late).toHaveBeenCalled();
    expect(session.subscriptions).toHaveLength(2);
  });

  test('after dispose: attach and liveSessions throw, calls reject SessionClosedError', async () => {
    const meta = metaOf(new FakeSession());
    meta.dispose();
    expect(() => meta.attach(new FakeSession())).toThrow(SessionClosedError);
    expect(() => meta.liveSessions()).toThrow(SessionClosedError);
    await expect(meta.count()).rejects.toBeInstanceOf(SessionClosedError);
  });

  test('meta[Symbol.dispose]() disposes (for `using`)', async () => {
    const session = new FakeSession();
    const meta = metaOf(session);
    const pending = meta.count();
    meta[Symbol.dispose]();
    await expect(pending).rejects.toBeInstanceOf(SessionClosedError);
    expect(meta.session).toBeNull();
  });
});

describe('SessionMeta.fromConnection', () => {
  /** The part of autobahn's Connection that fromConnection touches, driven like autobahn does. */
  function fakeConnection(): { connection: WampConnectionLike & { session: WampSessionLike | null }; open(s: FakeSession): void; close(reason: string, details: CloseDetails): boolean | void } {
    const connection: WampConnectionLike & { session: WampSessionLike | null } = { onopen: null, onclose: null, session: null };
    return {
      connection,
      open(session) {
        connection.session = session;
        connection.onopen?.call(connection, session, {} as never);
      },
      close(reason, details) {
        connection.session = null;
        return connection.onclose?.call(connection, reason, details as never); // typed never: autobahn's details are richer
      },
    };
  }

  test.each(['before', 'after'] as const)('chains user handlers assigned %s fromConnection and passes onclose’s return value through', async (when) => {
    const { connection, open, close } = fakeConnection();
    const userOpen = jest.fn(function (this: unknown) {
      expect(this).toBe(connection);
    });
    const userClose = jest.fn(() => true); // true = stop retrying, autobahn reads it
    const assign = (): void => {
      connection.onopen = userOpen;
      connection.onclose = userClose;
    };
    if (when === 'before') assign();
    const meta = SessionMeta.fromConnection(connection);
    metas.push(meta);
    if (when === 'after') assign();

    const session = new FakeSession();
    open(session);
    expect(meta.session).toBe(session);
    expect(userOpen).toHaveBeenCalledWith(session, {});
    const pending = meta.count();
    expect(close('closed', { reason: 'com.example.gone', message: 'bye' })).toBe(true);
    expect(userClose).toHaveBeenCalledWith('closed', { reason: 'com.example.gone', message: 'bye' });
    expect(meta.session).toBeNull();
    const error = await pending.catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'com.example.gone', closeMessage: 'bye' });
    expect(error).toBeInstanceOf(SessionClosedError);
  });

  test('a closing connection gets no UNSUBSCRIBE (autobahn still says isOpen inside onclose), a detach does', async () => {
    const { connection, open, close } = fakeConnection();
    const meta = SessionMeta.fromConnection(connection);
    metas.push(meta);
    const closing = new FakeSession();
    open(closing);
    const sub = meta.joins$.subscribe();
    await flush();
    const unsubscribe = jest.spyOn(closing, 'unsubscribe');
    close('lost', { reason: 'wamp.close.lost', message: null }); // the FakeSession still reports isOpen here
    expect(closing.isOpen).toBe(true);
    expect(unsubscribe).not.toHaveBeenCalled();

    const open2 = new FakeSession();
    open(open2);
    await flush();
    expect(open2.active('wamp.session.on_join')).toBe(1);
    meta.detach();
    expect(open2.active('wamp.session.on_join')).toBe(0);
    sub.unsubscribe();
  });

  test('two SessionMetas on one connection both follow it; a handler assigned later reaches both; disposing either leaves the other working', async () => {
    const { connection, open, close } = fakeConnection();
    const first = SessionMeta.fromConnection(connection);
    const second = SessionMeta.fromConnection(connection);
    metas.push(first, second);
    const userOpen = jest.fn();
    const userClose = jest.fn(() => true);
    connection.onopen = userOpen;
    connection.onclose = userClose;
    const s1 = new FakeSession();
    open(s1);
    expect(first.session).toBe(s1);
    expect(second.session).toBe(s1);
    expect(userOpen).toHaveBeenCalledTimes(1);
    expect(close('lost', { reason: 'wamp.close.lost', message: null })).toBe(true);
    expect(userClose).toHaveBeenCalledTimes(1);
    expect(first.session).toBeNull();
    expect(second.session).toBeNull();

    first.dispose(); // hooked below the second: its hook stays and only forwards
    const s2 = new FakeSession();
    open(s2);
    expect(second.session).toBe(s2);
    expect(first.session).toBeNull();
    expect(userOpen).toHaveBeenCalledTimes(2);

    second.dispose(); // on top: restores what was below (the first's forwarding hook)
    const s3 = new FakeSession();
    open(s3);
    expect(second.session).toBeNull();
    expect(userOpen).toHaveBeenCalledTimes(3);
    expect(userOpen).toHaveBeenLastCalledWith(s3, {});
  });

  test('disposing the only SessionMeta restores plain handler properties with the user handlers', () => {
    const { connection } = fakeConnection();
    const meta = SessionMeta.fromConnection(connection);
    const userOpen = jest.fn();
    connection.onopen = userOpen;
    meta.dispose();
    expect(Object.getOwnPropertyDescriptor(connection, 'onopen')).toMatchObject({ value: userOpen, writable: true });
  });

  test('without user handlers onclose returns undefined (autobahn keeps retrying)', () => {
    const { connection, open, close } = fakeConnection();
    metas.push(SessionMeta.fromConnection(connection));
    open(new FakeSession());
    expect(close('lost', { reason: null, message: null })).toBeUndefined();
  });

  test('a connection that is already open is attached at once; each reconnect attaches the new session', async () => {
    const { connection, open, close } = fakeConnection();
    const first = new FakeSession();
    connection.session = first;
    const meta = SessionMeta.fromConnection(connection);
    metas.push(meta);
    expect(meta.session).toBe(first);
    const joins: number[] = [];
    meta.joins$.subscribe((j) => joins.push(j.session));
    await flush();
    close('lost', { reason: 'wamp.close.lost', message: null });
    const second = new FakeSession();
    open(second);
    await flush();
    expect(meta.session).toBe(second);
    expect(second.active(ON_JOIN)).toBe(1);
    second.publish(ON_JOIN, [{ session: 8 }]);
    expect(joins).toEqual([8]);
  });

  test("dispose restores the user's handlers as last assigned", () => {
    const { connection, open } = fakeConnection();
    const before = jest.fn();
    connection.onopen = before;
    const meta = SessionMeta.fromConnection(connection);
    const later = jest.fn();
    const userClose = jest.fn();
    connection.onopen = later;
    connection.onclose = userClose;
    meta.dispose();
    expect(connection.onopen).toBe(later);
    expect(connection.onclose).toBe(userClose);
    open(new FakeSession());
    expect(later).toHaveBeenCalledTimes(1);
    expect(before).not.toHaveBeenCalled();
    expect(meta.session).toBeNull();
  });
});

describe('streams', () => {
  test('three observers of joins$ share ONE WAMP subscription, removed after the last unsubscribe', async () => {
    const session = new FakeSession();
    const meta = metaOf(session);
    const seen: number[][] = [[], [], []];
    const subs = seen.map((list) => meta.joins$.subscribe((j: SessionDetails) => list.push(j.session)));
    await flush();
    expect(session.subscriptions).toHaveLength(1);
    expect(session.active(ON_JOIN)).toBe(1);
    session.publish(ON_JOIN, [{ session: 3 }]);
    expect(seen).toEqual([[3], [3], [3]]);
    subs[0]!.unsubscribe();
    subs[1]!.unsubscribe();
    expect(session.active(ON_JOIN)).toBe(1);
    subs[2]!.unsubscribe();
    expect(session.active(ON_JOIN)).toBe(0);
  });

  test('a denied subscribe errors joins$ with NotAuthorizedError', async () => {
    const session = new FakeSession({ autoConfirm: false });
    const meta = metaOf(session);
    const errors: unknown[] = [];
    meta.joins$.subscribe({ error: (e: unknown) => errors.push(e) });
    session.confirmSubscribes(new WampError('wamp.error.not_authorized', ['denied']));
    await flush();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(NotAuthorizedError);
    expect(errors[0]).toMatchObject({ procedure: ON_JOIN });
  });

  test('after a denied subscribe, the next observer starts over with a new SUBSCRIBE, also one that retries at once (as rxjs retry does)', async () => {
    const session = new FakeSession({ autoConfirm: false });
    const meta = metaOf(session);
    const seen: number[] = [];
    const second = jest.fn();
    const first = jest.fn(() => void meta.joins$.subscribe({ next: (j) => seen.push(j.session), error: second }));
    meta.joins$.subscribe({ error: first });
    session.confirmSubscribes(new WampError('wamp.error.not_authorized', ['denied']));
    await flush();
    expect(first).toHaveBeenCalledTimes(1);
    session.confirmSubscribes();
    await flush();
    expect(session.active(ON_JOIN)).toBe(1);
    session.publish(ON_JOIN, [{ session: 8 }]);
    expect([seen, second.mock.calls.length, first.mock.calls.length]).toEqual([[8], 0, 1]);
  });

  test('after the last observer left, the next one makes a new WAMP subscription', async () => {
    const session = new FakeSession();
    const meta = metaOf(session);
    meta.joins$.subscribe().unsubscribe();
    await flush();
    expect(session.active(ON_JOIN)).toBe(0);
    const seen: number[] = [];
    meta.joins$.subscribe((j) => seen.push(j.session));
    await flush();
    expect([session.subscriptions.length, session.active(ON_JOIN)]).toEqual([2, 1]);
    session.publish(ON_JOIN, [{ session: 4 }]);
    expect(seen).toEqual([4]);
  });

  test("an event the previous session's handler still gets after a re-attach reaches nobody", async () => {
    const first = new FakeSession();
    const meta = metaOf(first);
    const seen: number[] = [];
    meta.joins$.subscribe((j) => seen.push(j.session));
    await flush();
    const old = first.subscriptions[0]!;
    const second = new FakeSession();
    meta.attach(second);
    await flush();
    old.handler([{ session: 1 }], {}); // autobahn delivering one more from the closed session
    second.publish(ON_JOIN, [{ session: 2 }]);
    expect(seen).toEqual([2]);
  });

  test('a session that is let go while its SUBSCRIBE is being sent keeps no subscription and delivers nothing', async () => {
    const session = new FakeSession();
    const session$ = new BehaviorSubject<WampSessionLike | null>(session);
    const send = session.subscribe.bind(session);
    session.subscribe = (topic, handler) => {
      const sent = send(topic, handler);
      session$.next(null); // e.g. a close noticed while the SUBSCRIBE goes out
      return sent;
    };
    const stream = new TopicStream<number>(ON_JOIN, (payload) => payload.args[0] as number, session$, new Subject(), new WeakSet());
    const seen: number[] = [];
    stream.events$.subscribe((value) => seen.push(value));
    await flush();
    session.publish(ON_JOIN, [1]);
    expect([session.active(ON_JOIN), seen, stream.subscribedOn$.value]).toEqual([0, [], null]);
  });

  test('a stream observed after dispose completes at once, with no SUBSCRIBE', async () => {
    const session = new FakeSession();
    const meta = metaOf(session);
    meta.dispose();
    const complete = jest.fn();
    meta.joins$.subscribe({ complete });
    await flush();
    expect([complete.mock.calls.length, session.subscriptions.length]).toEqual([1, 0]);
  });

  test('after the session closes, a new session is subscribed again and its events reach the same observers', async () => {
    const first = new FakeSession();
    const meta = metaOf(first);
    const leaves: number[] = [];
    const done = jest.fn();
    meta.leaves$.subscribe({ next: (l) => leaves.push(l.session), complete: done, error: done });
    await flush();
    first.publish(ON_LEAVE, [1]);
    first.goodbye('wamp.close.normal');
    const second = new FakeSession();
    meta.attach(second);
    await flush();
    expect(second.active(ON_LEAVE)).toBe(1);
    second.publish(ON_LEAVE, [2]);
    expect(leaves).toEqual([1, 2]);
    expect(done).not.toHaveBeenCalled();
  });

  test('unsubscribing before SUBSCRIBED arrives removes the late subscription', async () => {
    const session = new FakeSession({ autoConfirm: false });
    const meta = metaOf(session);
    meta.joins$.subscribe().unsubscribe();
    session.confirmSubscribes();
    await flush();
    expect(session.subscriptions).toHaveLength(1);
    expect(session.active(ON_JOIN)).toBe(0);
  });
});

describe('error guards', () => {
  const errors = async (): Promise<{ closed: unknown; invalid: unknown; missing: unknown }> => {
    const session = new FakeSession({
      onCall: () => {
        throw new WampError('wamp.error.no_such_session', ['no session with ID 1234567 exists on this router']);
      },
    });
    const meta = metaOf(session);
    return {
      closed: await metaOf(null).count().catch((e: unknown) => e),
      invalid: await meta.get(-1).catch((e: unknown) => e),
      missing: await meta.get(1234567).catch((e: unknown) => e),
    };
  };

  test('isMetaError, Class.is and instanceof agree, per class', async () => {
    const { closed, invalid, missing } = await errors();
    for (const e of [closed, invalid, missing]) {
      expect(isMetaError(e)).toBe(true);
      expect(MetaError.is(e)).toBe(true);
      expect(e).toBeInstanceOf(MetaError);
      expect(e).toBeInstanceOf(Error);
    }
    expect(NoSuchSessionError.is(missing)).toBe(true);
    expect(missing instanceof NoSuchSessionError).toBe(true);
    expect(missing).toMatchObject({ sessionId: 1234567, code: 'no_such_session', name: 'NoSuchSessionError' });
    expect(NoSuchSessionError.is(closed)).toBe(false);
    expect(closed instanceof NoSuchSessionError).toBe(false);
    expect(SessionClosedError.is(closed)).toBe(true);
    expect(InvalidArgumentError.is(invalid)).toBe(true);
    expect(RouterError.is(invalid)).toBe(false);
    for (const other of [new Error('x'), new WampError('wamp.error.no_such_session'), null, undefined, 'e', { code: 'no_such_session' }]) {
      expect(isMetaError(other)).toBe(false);
      expect(NoSuchSessionError.is(other)).toBe(false);
      expect(other instanceof MetaError).toBe(false);
    }
  });

  const root = join(__dirname, '..', '..');
  const built = existsSync(join(root, 'dist', 'index.cjs')) && existsSync(join(root, 'dist', 'index.mjs'));
  // `npm test` builds dist/ first; a bare `jest` run without a build skips these two.
  const withDist = built ? test : test.skip;

  withDist('errors from this source and from the CJS build are recognized by each other’s guards', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cjs = require(join(root, 'dist', 'index.cjs')) as typeof import('../../src');
    expect(cjs.MetaError).not.toBe(MetaError);
    const { missing } = await errors();
    const fromCjs = await new cjs.SessionMeta(null).count().catch((e: unknown) => e);
    expect([cjs.isMetaError(missing), cjs.NoSuchSessionError.is(missing), missing instanceof cjs.NoSuchSessionError]).toEqual([true, true, true]);
    expect(missing instanceof cjs.SessionClosedError).toBe(false);
    expect([isMetaError(fromCjs), SessionClosedError.is(fromCjs), fromCjs instanceof SessionClosedError]).toEqual([true, true, true]);
    expect(NoSuchSessionError.is(fromCjs)).toBe(false);
  });

  withDist('errors from the ESM build are recognized by the CJS build and the other way round', () => {
    // jest runs CommonJS, so the ESM build is loaded in a plain node process.
    const script = `
      import * as esm from ${JSON.stringify(pathToFileURL(join(root, 'dist', 'index.mjs')).href)};
      import { createRequire } from 'node:module';
      const cjs = createRequire(import.meta.url)(${JSON.stringify(join(root, 'dist', 'index.cjs'))});
      const fromEsm = await new esm.SessionMeta(null).count().catch((e) => e);
      const fromCjs = await new cjs.SessionMeta(null).get(-1).catch((e) => e);
      console.log(JSON.stringify({
        distinctClasses: esm.MetaError !== cjs.MetaError,
        esmByCjs: [cjs.isMetaError(fromEsm), cjs.SessionClosedError.is(fromEsm), fromEsm instanceof cjs.SessionClosedError, fromEsm instanceof cjs.MetaError],
        esmByCjsWrongClass: [cjs.InvalidArgumentError.is(fromEsm), fromEsm instanceof cjs.InvalidArgumentError],
        cjsByEsm: [esm.isMetaError(fromCjs), esm.InvalidArgumentError.is(fromCjs), fromCjs instanceof esm.InvalidArgumentError, fromCjs instanceof esm.MetaError],
        cjsByEsmWrongClass: [esm.SessionClosedError.is(fromCjs), fromCjs instanceof esm.SessionClosedError],
        argument: fromCjs.argument,
      }));
    `;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8', timeout: 15_000 });
    expect(JSON.parse(out)).toEqual({
      distinctClasses: true,
      esmByCjs: [true, true, true, true],
      esmByCjsWrongClass: [false, false],
      cjsByEsm: [true, true, true, true],
      cjsByEsmWrongClass: [false, false],
      argument: 'id',
    });
  });
});
