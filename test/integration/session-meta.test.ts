/**
 * SessionMeta against a real router: an in-process fox-wamp 0.7.28 (test/helpers/fox-router.ts,
 * kill procedures added by its test plugin with Crossbar 22.6.1 behaviour) and real autobahn
 * clients. Shapes asserted here are fox-wamp's, not Crossbar's (see the harness header):
 * on_join carries no authid/authrole, count/list include fox's internal session, get returns only
 * {session}.
 */
import autobahn from 'autobahn';
import { ProcedureUnavailableError, SessionClosedError, SessionMeta } from '../../src';
import type { ClientOptions, FoxRouterHandle, TestClient } from '../helpers/fox-router';
import { connect, defer, startRouter } from '../helpers/teardown';
import { collect, waitFor, withTimeout } from '../helpers/wait';

// autobahn console.warn()s every close ("connection closed", "auto-reconnect disabled!").
autobahn.log.warn = () => {};

const ON_JOIN = 'wamp.session.on_join';
const ON_LEAVE = 'wamp.session.on_leave';

/** A client with a SessionMeta on its session (disposed before the client closes). */
async function metaClient(r: FoxRouterHandle, opts?: ClientOptions): Promise<{ c: TestClient; meta: SessionMeta }> {
  const c = await connect(r, opts);
  const meta = new SessionMeta(c.session);
  defer(() => meta.dispose());
  return { c, meta };
}

/** WAMP subscriptions are confirmed asynchronously: events published before SUBSCRIBED are lost. */
function subscribedOnRouter(r: FoxRouterHandle, topic: string, count = 1): Promise<void> {
  return waitFor(() => r.subscriptionCount(topic) === count, 2000, `${count} subscription(s) to ${topic}`);
}

const byNumber = (a: number, b: number) => a - b;

describe('streams', () => {
  test('joins$ and leaves$ see a session join and leave; its SessionLeft carries what its join told', async () => {
    const r = await startRouter();
    const { meta } = await metaClient(r);
    const joins = collect(meta.joins$);
    const leaves = collect(meta.leaves$);
    defer(() => (joins.unsubscribe(), leaves.unsubscribe()));
    await subscribedOnRouter(r, ON_JOIN);
    await subscribedOnRouter(r, ON_LEAVE);

    const alice = await connect(r, { authid: 'alice', authrole: 'user' });
    const id = alice.session.id!;
    const join = await joins.find((s) => s.session === id);
    // fox-wamp: details in kwargs, without authid/authrole even though HELLO had them.
    const wire = { session: id, authmethod: 'anonymous', transport: { protocol: 'wamp.2.json' } };
    expect(join).toEqual({ ...wire, raw: wire });

    await alice.close();
    const left = await leaves.find((s) => s.session === id);
    // fox sends on_leave [id] only; the SDK adds authid/authrole from the join it saw. fox's join
    // had none, so there is nothing to add (Crossbar's join has them: see the unit tests).
    expect(left).toEqual({ session: id, authid: join.authid, authrole: join.authrole });
    expect(Object.keys(left)).toEqual(['session']);
    expect(joins.values.map((s) => s.session)).toEqual([id]);
    expect(meta.session?.isOpen).toBe(true);
  });

  test('three observers of joins$ share one WAMP subscription, removed after the last unsubscribe', async () => {
    const r = await startRouter();
    const { meta } = await metaClient(r);
    const observers = [collect(meta.joins$), collect(meta.joins$), collect(meta.joins$)];
    defer(() => observers.forEach((o) => o.unsubscribe()));
    await subscribedOnRouter(r, ON_JOIN);

    // Every observer gets the event of that one subscription.
    const joiner = await connect(r);
    const id = joiner.session.id!;
    for (const o of observers) await o.find((s) => s.session === id);
    expect(r.subscriptionCount(ON_JOIN)).toBe(1);

    observers[0].unsubscribe();
    observers[1].unsubscribe();
    // A meta call is a round trip after any UNSUBSCRIBE already sent: the router has seen it.
    await meta.count();
    expect(r.subscriptionCount(ON_JOIN)).toBe(1);

    observers[2].unsubscribe();
    await subscribedOnRouter(r, ON_JOIN, 0);
    expect(r.subscriptionCount(ON_LEAVE)).toBe(0);
  });

  test('dispose() leaves no WAMP subscription of ours on the router and completes the streams', async () => {
    const r = await startRouter();
    const { c, meta } = await metaClient(r);
    const joins = collect(meta.joins$);
    const leaves = collect(meta.leaves$);
    const live = meta.liveSessions();
    await withTimeout(live.ready, 2000, 'live.ready');
    await subscribedOnRouter(r, ON_JOIN);
    await subscribedOnRouter(r, ON_LEAVE);

    meta.dispose();
    expect(joins.completed && leaves.completed).toBe(true);
    await subscribedOnRouter(r, ON_JOIN, 0);
    await subscribedOnRouter(r, ON_LEAVE, 0);
    // Removed by unsubscribing, not because the session went away.
    expect(c.session.isOpen).toBe(true);
    expect(r.sessionIds()).toEqual([c.session.id]);
  });
});

describe('procedures', () => {
  test('count, list and get as fox-wamp answers them', async () => {
    const r = await startRouter();
    const { c, meta } = await metaClient(r);
    const other = await connect(r);
    const ids = [c.session.id!, other.session.id!];

    // +1: fox's internal meta session, which Crossbar would not count or list.
    expect(await meta.count()).toBe(3);
    const listed = await meta.list();
    expect(listed).toHaveLength(3);
    expect(listed).toEqual(expect.arrayContaining(ids));
    // fox's get returns only {session}.
    expect(await meta.get(ids[1])).toEqual({ session: ids[1], raw: { session: ids[1] } });
  });

  test('kill(id, {reason, message}): the victim closes with them and leaves$ sees it leave', async () => {
    const r = await startRouter();
    const { c, meta } = await metaClient(r);
    const victim = await connect(r);
    const victimId = victim.session.id!; // autobahn nulls session.id on close
    const leaves = collect(meta.leaves$);
    defer(() => leaves.unsubscribe());
    await subscribedOnRouter(r, ON_LEAVE);

    const closed = victim.nextClose();
    await expect(meta.kill(victimId, { reason: 'com.example.kicked', message: 'bye' })).resolves.toBeUndefined();
    expect((await closed).details).toMatchObject({ reason: 'com.example.kicked', message: 'bye' });
    await leaves.find((s) => s.session === victimId);
    await waitFor(() => r.sessionIds().length === 1, 2000, 'the victim gone from the router');
    expect(r.sessionIds()).toEqual([c.session.id]);
  });

  test('killByAuthid returns the killed ids and spares bystanders', async () => {
    const r = await startRouter();
    const { c, meta } = await metaClient(r);
    const alices = [await connect(r, { authid: 'alice' }), await connect(r, { authid: 'alice' })];
    const bob = await connect(r, { authid: 'bob' });
    const aliceIds = alices.map((a) => a.session.id!).sort(byNumber);
    const closed = Promise.all(alices.map((a) => a.nextClose()));

    const result = await meta.killByAuthid('alice', { message: 'logged out' });
    expect(result.count).toBe(2);
    expect([...(result.sessions ?? [])].sort(byNumber)).toEqual(aliceIds);
    for (const { details } of await closed) expect(details.message).toBe('logged out');

    const survivors = [c.session.id!, bob.session.id!].sort(byNumber);
    await waitFor(() => r.sessionIds().length === 2, 2000, 'the alices gone from the router');
    expect(r.sessionIds().sort(byNumber)).toEqual(survivors);
    expect(bob.session.isOpen).toBe(true);
    expect(await meta.killByAuthid('nobody')).toEqual({ count: 0, sessions: [] });
  });

  test('killByAuthrole returns the killed ids and spares other roles', async () => {
    const r = await startRouter();
    const { c, meta } = await metaClient(r, { authrole: 'admin' });
    const guests = [await connect(r, { authrole: 'guest' }), await connect(r, { authrole: 'guest' })];
    const user = await connect(r, { authrole: 'user' });
    const guestIds = guests.map((g) => g.session.id!).sort(byNumber);

    const result = await meta.killByAuthrole('guest', { reason: 'com.example.maintenance' });
    expect(result.count).toBe(2);
    expect([...(result.sessions ?? [])].sort(byNumber)).toEqual(guestIds);

    await waitFor(() => r.sessionIds().length === 2, 2000, 'the guests gone from the router');
    expect(r.sessionIds().sort(byNumber)).toEqual([c.session.id!, user.session.id!].sort(byNumber));
    expect(user.session.isOpen).toBe(true);
  });

  test('killByAuthid matching the caller rejects SessionClosedError instead of hanging', async () => {
    const r = await startRouter();
    const { c, meta } = await metaClient(r, { authid: 'alice' });
    const otherAlice = await connect(r, { authid: 'alice' });
    const bystander = await connect(r);
    const otherClosed = otherAlice.nextClose();

    // The router closes the caller and never answers (Crossbar does the same).
    const error = await withTimeout(meta.killByAuthid('alice', { message: 'all of you' }), 3000, 'killByAuthid').then(
      () => Promise.reject(new Error('expected a rejection')),
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SessionClosedError);
    expect(error).toMatchObject({ procedure: 'wamp.session.kill_by_authid', reason: 'wamp.close.normal', closeMessage: 'all of you' });
    expect((await otherClosed).details.message).toBe('all of you');
    expect(c.connection.isOpen).toBe(false);
    expect(meta.session).toBeNull();
    await waitFor(() => r.sessionIds().length === 1, 2000, 'both alices gone from the router');
    expect(r.sessionIds()).toEqual([bystander.session.id]);
  });

  test('killAll on fox-wamp (no kill_all) rejects ProcedureUnavailableError', async () => {
    const r = await startRouter();
    const { meta } = await metaClient(r);
    // fox answers an unregistered procedure with wamp.error.no_such_procedure, as Crossbar 22.6.1 does.
    const error = await meta.killAll().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProcedureUnavailableError);
    expect(error).toMatchObject({ procedure: 'wamp.session.kill_all', cause: { error: 'wamp.error.no_such_procedure' } });
  });
});

describe('fromConnection', () => {
  interface Followed {
    connection: autobahn.Connection;
    meta: SessionMeta;
    /** Session ids seen by the user's onopen, assigned after fromConnection. */
    opens: number[];
    /** What the user's onclose, assigned after fromConnection, was called with. */
    closes: Array<{ reason: string; will_retry: boolean }>;
  }

  /**
   * A quickly retrying autobahn connection followed by SessionMeta.fromConnection. The user's
   * handlers are assigned after fromConnection on purpose: the SDK must chain them, not drop them.
   * Built here rather than with connectClient, which owns connection.onclose.
   */
  async function followed(r: FoxRouterHandle): Promise<Followed> {
    const connection = new autobahn.Connection({
      url: r.url,
      realm: r.realm,
      use_es6_promises: true,
      max_retries: -1,
      initial_retry_delay: 0.1,
      max_retry_delay: 0.5,
      retry_delay_jitter: 0,
    });
    const meta = SessionMeta.fromConnection(connection);
    const opens: number[] = [];
    const closes: Followed['closes'] = [];
    let closing = false;
    connection.onopen = (session) => {
      // Closing while a retry was already scheduled: autobahn still runs that attempt.
      if (closing) return connection.close();
      opens.push(session.id!);
    };
    connection.onclose = (reason, details) => {
      closes.push({ reason, will_retry: details.will_retry });
      return closing; // true stops retrying
    };
    defer(async () => {
      closing = true;
      try {
        connection.close();
      } catch {
        // "connection already closed": nothing left to stop
      }
      try {
        await waitFor(() => closes.some((c) => !c.will_retry), 3000, 'the connection to close for good');
      } finally {
        meta.dispose();
      }
    });
    connection.open();
    await waitFor(() => opens.length === 1, 2000, 'the first open');
    return { connection, meta, opens, closes };
  }

  test('after a router restart the same joins$ observer sees new joins; meta.session is the new session', async () => {
    const r = await startRouter();
    const { connection, meta, opens, closes } = await followed(r);
    expect(meta.session).toBe(connection.session);
    const joins = collect(meta.joins$);
    defer(() => joins.unsubscribe());
    await subscribedOnRouter(r, ON_JOIN);

    await r.stop();
    await waitFor(() => meta.session === null, 2000, 'meta to notice the lost session');
    await r.restart();
    await waitFor(() => opens.length === 2, 3000, 'the reconnect');

    expect(closes[0]).toEqual({ reason: 'lost', will_retry: true });
    expect(opens[1]).not.toBe(opens[0]);
    expect(meta.session).toBe(connection.session);
    expect(meta.session?.id).toBe(opens[1]);
    // The SDK re-subscribed on the new session by itself; the observer never resubscribed.
    await subscribedOnRouter(r, ON_JOIN);
    const joiner = await connect(r);
    const join = await joins.find((s) => s.session === joiner.session.id);
    expect(joins.values).toEqual([join]);
    expect(joins.error).toBeUndefined();
    expect(await meta.count()).toBe(3);
  });

  test('a handler chaining the connection.onopen/onclose it replaced runs once, and so does the replaced one', async () => {
    const r = await startRouter();
    const { connection, meta, opens, closes } = await followed(r);
    // The usual idiom for adding a handler without dropping the one in place. What it reads back
    // is the SDK's wrapper: that wrapper must lead to the replaced handler (here the recorder of
    // followed()), not back to the new one (which recursed until the stack overflowed, and autobahn
    // swallowed the RangeError).
    let chainedOpens = 0;
    let chainedCloses = 0;
    const previousOpen = connection.onopen;
    const previousClose = connection.onclose;
    connection.onopen = (session, details) => {
      chainedOpens++;
      previousOpen?.(session, details);
    };
    connection.onclose = (reason, details) => {
      chainedCloses++;
      return previousClose?.(reason, details);
    };

    await r.stop();
    await r.restart();
    await waitFor(() => opens.length === 2, 3000, 'the reconnect');
    expect(await meta.count()).toBe(2); // a round trip, so a late extra onopen would have shown
    expect(opens).toHaveLength(2);
    expect(chainedOpens).toBe(1);
    expect(closes.length).toBeGreaterThanOrEqual(1);
    expect(chainedCloses).toBe(closes.length);
    expect(meta.session?.id).toBe(opens[1]);
  });

  test('a call pending when the router goes away rejects SessionClosedError', async () => {
    const r = await startRouter();
    const { meta, closes } = await followed(r);

    // The CALL is written, but stop() destroys the router's sockets before it is read (same
    // process, same tick), so no answer can ever come.
    const pending = meta.count();
    const stopped = r.stop();
    const error = await withTimeout(pending, 2000, 'count').catch((e: unknown) => e);
    await stopped;
    expect(error).toBeInstanceOf(SessionClosedError);
    expect(error).toMatchObject({ procedure: 'wamp.session.count' });
    expect(closes[0]).toMatchObject({ reason: 'lost', will_retry: true });
    expect(meta.session).toBeNull();
    await expect(meta.count()).rejects.toBeInstanceOf(SessionClosedError);
  });
});
