/**
 * LiveSessionSet against a scripted realm of FakeSessions: one test per guarantee of API.md §5
 * (named after it), then the other promises of the live set (filters, options, failures, React).
 * Calls are held (PENDING) and answered by hand, so every interleaving here is deliberate.
 */
import { firstValueFrom, toArray } from 'rxjs';
import { CallTimeoutError, MalformedPayloadError, NotAuthorizedError, RouterError, SessionClosedError } from '../../src';
import type { LiveSessionSet, LiveSessionSetOptions, SessionDetails, SessionId, SessionMeta } from '../../src';
import { FakeSession, WampError, flush } from '../helpers/fake-session';
import { waitFor } from '../helpers/wait';
import { answerAll, COUNT, GET, LIST, ON_JOIN, ON_LEAVE, ScriptedRealm, crossbarDetails, idsOf, metaTracker, record, replay, sorted, type Recording } from '../helpers/live-set';

const metas = metaTracker();
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
  metas.disposeAll();
});

interface Setup {
  realm: ScriptedRealm;
  session: FakeSession;
  meta: SessionMeta;
  live: LiveSessionSet;
  rec: Recording;
}

/** A realm with `others` sessions besides the observer, and a live set on the observer (not synced yet). */
async function setup(others: SessionId[] = [], options?: LiveSessionSetOptions, callTimeoutMs = 0): Promise<Setup> {
  const realm = new ScriptedRealm();
  for (const id of others) realm.add(id, 'user', false);
  const session = realm.connect({ id: 1 });
  const meta = metas.make(session, callTimeoutMs);
  const live = meta.liveSessions(options);
  const rec = record(live);
  await flush();
  return { realm, session, meta, live, rec };
}


/** Confirms both subscriptions and answers `list`: the sync now waits for its gets. */
async function answerList(realm: ScriptedRealm, session: FakeSession): Promise<void> {
  session.confirmSubscribes();
  await flush();
  realm.answer(realm.pending(session, LIST)[0]!);
  await flush();
}

/** The router answers get(id) before `id` leaves, but the answer arrives after the on_leave. */
function answerGetAfterLeave(realm: ScriptedRealm, session: FakeSession, id: SessionId): void {
  const slow = getCall(realm, session, id);
  const before = realm.outcome(slow);
  realm.remove(id);
  realm.deliver(slow, before);
}

async function synced(others: SessionId[] = [], options?: LiveSessionSetOptions): Promise<Setup> {
  const s = await setup(others, options);
  await answerAll(s.realm, s.session);
  expect(s.live.status).toBe('live');
  return s;
}

/** Statuses and changes in emission order; the changes of one batch (a sync) sorted, e.g. `['live', '+1 +2']`. */
function story(rec: Recording): string[] {
  const out: string[] = [];
  let batch: string[] = [];
  const endBatch = () => batch.length > 0 && out.push(batch.sort().join(' '));
  for (const e of rec.log) {
    if (e.kind === 'status') {
      endBatch();
      batch = [];
      out.push(e.status);
    } else if (e.kind !== 'error') batch.push(`${e.kind === 'joined' ? '+' : '-'}${e.id}`);
  }
  endBatch();
  return out;
}

const getCall = (realm: ScriptedRealm, session: FakeSession, id: SessionId) => realm.pending(session, GET).find((c) => c.args?.[0] === id)!;

describe('API.md §5 guarantees', () => {
  test('1. subscribes to both topics and waits for both SUBSCRIBED before list; events during the sync are buffered and replayed on top of the snapshot', async () => {
    const { realm, session, live, rec } = await setup([11, 12]);
    expect(session.pendingSubscribes.map((p) => p.topic).sort()).toEqual([ON_JOIN, ON_LEAVE]);
    expect(session.calls).toEqual([]);

    const joins = session.pendingSubscribes.findIndex((p) => p.topic === ON_JOIN);
    session.pendingSubscribes.splice(joins, 1)[0]!.confirm();
    await flush();
    expect(session.calls).toEqual([]); // one SUBSCRIBED is not enough

    session.confirmSubscribes();
    await flush();
    expect(session.calls.map((c) => c.procedure)).toEqual([LIST]);
    realm.answer(realm.pending(session, LIST)[0]!); // [1, 11, 12]
    await flush();
    // While the gets run: 13 joins, 12 leaves. Both buffered, nothing emitted yet.
    realm.add(13);
    realm.remove(12);
    expect(live.status).toBe('syncing');
    expect(rec.diff()).toEqual([]);
    await answerAll(realm, session);

    expect(idsOf(live)).toEqual([1, 11, 13]);
    expect(live.get(13)?.authid).toBe('user-13'); // details from the buffered on_join
    expect(sorted(replay(rec.changes).keys())).toEqual([1, 11, 13]);
  });

  test('1. a join seen before on_leave is SUBSCRIBED, whose leave came before that, leaves no ghost', async () => {
    // The router may process SUBSCRIBE(on_join) and SUBSCRIBE(on_leave) with other sessions' work in
    // between: 14 joins (seen) and leaves (not seen: on_leave is not subscribed yet), then `list`
    // (sent after both SUBSCRIBED) no longer has 14. The buffered join must not bring 14 in.
    const { realm, session, live } = await setup([11]);
    const joins = session.pendingSubscribes.findIndex((p) => p.topic === ON_JOIN);
    session.pendingSubscribes.splice(joins, 1)[0]!.confirm();
    await flush();
    realm.add(14);
    realm.remove(14); // not delivered: on_leave is not confirmed
    await answerAll(realm, session);
    expect(idsOf(live)).toEqual([1, 11]);
  });

  test('2. a leave during sync wins over the snapshot, also when get answers after the leave', async () => {
    const { realm, session, live, rec } = await setup([21, 22]);
    await answerList(realm, session);
    // The router answered get(21) before 21 left, but the answer arrives after the on_leave.
    answerGetAfterLeave(realm, session, 21);
    await answerAll(realm, session);

    expect(idsOf(live)).toEqual([1, 22]);
    expect(rec.diff()).not.toContain('+21');
    realm.publish(ON_JOIN, [crossbarDetails(21)]); // a late duplicate on_join: still no resurrection
    expect(live.has(21)).toBe(false);
  });

  test('2. a leave during a resync wins over a get answered after it (no resurrection of a known session)', async () => {
    const { realm, session, meta, live, rec } = await synced([21, 22]);
    realm.close(session);
    const next = realm.connect({ id: 2 });
    meta.attach(next);
    await flush();
    await answerList(realm, next); // [21, 22, 2]
    // A resync asks details only for the ids the set lacks: 21 and 22 are known.
    expect(realm.pending(next, GET).map((c) => c.args?.[0])).toEqual([2]);
    realm.remove(21); // leaves while the get of 2 is in flight: the list that had it is older
    await answerAll(realm, next);

    expect(idsOf(live)).toEqual([2, 22]);
    expect(rec.diff().filter((d) => d.endsWith('21'))).toEqual(['+21', '-21']);
  });

  test('3. get failing with no_such_session during sync = absent', async () => {
    const onDetailsError = jest.fn();
    const { realm, session, live, rec } = await setup([31, 32], { onDetailsError });
    await answerList(realm, session);
    realm.remove(31, false); // gone between list and get, its on_leave not seen yet
    await answerAll(realm, session);

    expect(idsOf(live)).toEqual([1, 32]);
    expect(rec.errors).toEqual([]); // not an error: the session is simply gone
    expect(onDetailsError).not.toHaveBeenCalled();
  });

  test('4. duplicate joins are idempotent; a leave for an unknown id is a no-op', async () => {
    const { realm, session, live, rec } = await setup([41]);
    session.confirmSubscribes();
    await flush();
    realm.publish(ON_JOIN, [crossbarDetails(41)]); // listed and joined during the sync
    realm.publish(ON_JOIN, [crossbarDetails(41)]);
    await answerAll(realm, session);
    realm.add(42);
    realm.publish(ON_JOIN, [crossbarDetails(42)]);
    realm.publish(ON_LEAVE, [999]);

    expect(idsOf(live)).toEqual([1, 41, 42]);
    expect(rec.diff().sort()).toEqual(['+1', '+41', '+42']);
    expect(rec.errors).toEqual([]);
  });

  test('5. status is set before the change it explains; ready resolves when live', async () => {
    const { realm, session, meta, live, rec } = await setup([51]);
    let atReady: [string, SessionId[]] | undefined;
    void live.ready.then(() => (atReady = [live.status, idsOf(live)]));
    const seenInListener: string[] = [];
    live.on('joined', () => seenInListener.push(live.status));
    live.on('left', () => seenInListener.push(live.status));

    await flush();
    expect(atReady).toBeUndefined();
    await answerAll(realm, session);
    expect(atReady).toEqual(['live', [1, 51]]);

    realm.close(session);
    realm.remove(51, false);
    const next = realm.connect({ id: 2 });
    meta.attach(next);
    await answerAll(realm, next);

    expect(story(rec)).toEqual(['live', '+1 +51', 'stale', 'syncing', 'live', '+2 -1 -51']);
    expect(seenInListener.every((s) => s === 'live')).toBe(true);
  });

  test('6. on disconnect stale and set kept; on re-attach resync emits only the minimal difference then live', async () => {
    const { realm, session, meta, live, rec } = await synced([61, 62, 63]);
    const changesBefore = rec.changes.length;
    realm.close(session);
    await flush();
    expect(live.status).toBe('stale');
    expect(idsOf(live)).toEqual([1, 61, 62, 63]); // kept, not emptied

    // While nobody listens: 61 leaves, 64 joins; then a new session.
    realm.remove(61);
    realm.add(64);
    const next = realm.connect({ id: 2 });
    meta.attach(next);
    await flush();
    expect(live.status).toBe('syncing');
    expect(next.pendingSubscribes.map((p) => p.topic).sort()).toEqual([ON_JOIN, ON_LEAVE]); // re-subscribed
    await answerAll(realm, next);

    expect(live.status).toBe('live');
    expect(idsOf(live)).toEqual([2, 62, 63, 64]);
    expect(rec.changes.slice(changesBefore).map((c) => `${c.type} ${c.session.session}`).sort()).toEqual(['joined 2', 'joined 64', 'left 1', 'left 61']);
    expect(sorted(replay(rec.changes).keys())).toEqual([2, 62, 63, 64]);
  });

  test('6. a newer sync supersedes an older one still in flight', async () => {
    const { realm, session, meta, live } = await setup([65, 66]);
    await answerList(realm, session);
    const oldGets = realm.pending(session, GET).map((call) => [call, realm.outcome(call)] as const);

    // A new session arrives while the first sync waits for its gets; 66 leaves meanwhile.
    realm.close(session);
    realm.remove(66, false);
    const next = realm.connect({ id: 2 });
    meta.attach(next);
    await answerAll(realm, next);
    expect(idsOf(live)).toEqual([2, 65]);

    // The old sync's answers come in late: they change nothing.
    for (const [call, outcome] of oldGets) realm.deliver(call, outcome);
    await flush();
    expect(live.status).toBe('live');
    expect(idsOf(live)).toEqual([2, 65]);
  });

  test('7. per-event cost independent of size: sessions$ emissions share structure (no full copy)', async () => {
    const small = await perEventMapWork(100);
    const large = await perEventMapWork(100_000);
    // A copy of the set per event would cost >= 100 000 Map steps per event at the large size.
    expect(large).toBeLessThan(20);
    expect(large).toBeLessThanOrEqual(small);
  });

  test('8. dispose leaves no WAMP subscription and emits no left', async () => {
    const { realm, session, meta, live, rec } = await synced([81, 82]);
    const userJoins = meta.joins$.subscribe(); // the user's own subscription is not the set's to remove
    const completed = firstValueFrom(live.changes$.pipe(toArray()));
    const logged = rec.log.length;

    live.dispose();
    await flush();
    expect(await completed).toEqual([]);
    expect(rec.log.slice(logged)).toEqual([{ kind: 'status', status: 'closed' }]);
    expect(session.active(ON_LEAVE)).toBe(0);
    expect(session.active(ON_JOIN)).toBe(1);
    userJoins.unsubscribe();
    expect(session.active(ON_JOIN)).toBe(0);

    realm.remove(81); // nothing reaches a disposed set
    realm.add(83);
    expect(rec.log.slice(logged)).toHaveLength(1);
    live.dispose(); // idempotent
  });

  test('8. dispose before the first sync: ready rejects, no WAMP subscription left, no call answered later changes anything', async () => {
    const { realm, session, live, rec } = await setup([84]);
    session.confirmSubscribes();
    await flush();
    live.dispose();
    await expect(live.ready).rejects.toBeInstanceOf(SessionClosedError);
    realm.answer(realm.pending(session, LIST)[0]!);
    await flush();
    expect(realm.pending(session, GET)).toEqual([]);
    expect([session.active(ON_JOIN), session.active(ON_LEAVE)]).toEqual([0, 0]);
    expect(rec.diff()).toEqual([]);
  });

  test('9. bad details never crash the set; they surface on error', async () => {
    const onDetailsError = jest.fn();
    const { realm, session, live, rec } = await setup([91, 92], { onDetailsError });
    await answerList(realm, session);
    // get(91) answers with a wrongly typed field: 91 stays (it was listed), id only.
    realm.deliver(getCall(realm, session, 91), { ok: true, value: { ...crossbarDetails(91), authrole: 42 } });
    await answerAll(realm, session);
    expect(live.status).toBe('live');
    expect(live.get(91)).toEqual({ session: 91, raw: null });
    expect(onDetailsError).toHaveBeenCalledWith(expect.any(MalformedPayloadError), 91);

    realm.publish(ON_JOIN, [{ session: 'abc' }]);
    realm.publish(ON_JOIN, []);
    realm.publish(ON_LEAVE, ['x']);
    realm.publish(ON_LEAVE, [92, 7]); // authid not a string
    realm.add(93); // and a good one still works
    expect(idsOf(live)).toEqual([1, 91, 92, 93]);
    expect(live.status).toBe('live');
    const malformed = new Set(rec.errors.filter((e) => MalformedPayloadError.is(e)));
    expect(malformed.size).toBe(5);
  });

  test('9. each bad payload is reported once on error (list, get, event)', async () => {
    const { realm, session, live, rec } = await setup([95]);
    session.confirmSubscribes();
    await flush();
    realm.deliver(realm.pending(session, LIST)[0]!, { ok: true, value: ['abc'] }); // malformed list: reported, retried
    await flush();
    expect(rec.errors).toHaveLength(1);
    await waitFor(() => realm.pending(session, LIST).length === 1, 2000, 'the retried list');
    realm.answer(realm.pending(session, LIST)[0]!);
    await flush();
    realm.deliver(getCall(realm, session, 95), { ok: true, value: { session: 95, authid: 7 } });
    await answerAll(realm, session);
    realm.publish(ON_JOIN, [{ session: 'abc' }]);
    expect(rec.errors).toHaveLength(3);
    expect(rec.errors.every((e) => MalformedPayloadError.is(e))).toBe(true);
    expect(idsOf(live)).toEqual([1, 95]);
  });
});

/** Map steps (iterator steps, sets, forEach visits) per on_join/on_leave with `size` sessions in the set. */
async function perEventMapWork(size: number): Promise<number> {
  const realm = new ScriptedRealm();
  for (let id = 10; id < 10 + size; id++) realm.add(id, 'user', false);
  const session = realm.connect({ id: 1, autoConfirm: true });
  const meta = metas.make(session);
  const live = meta.liveSessions({ details: 'id' });
  await flush();
  realm.answer(realm.pending(session, LIST)[0]!);
  await flush();
  expect(live.size).toBe(size + 1);

  // Observers as an app has them: sessions$ and a React store.
  const emitted: Array<ReadonlyMap<SessionId, SessionDetails>> = [];
  live.sessions$.subscribe((map) => emitted.push(map));
  const unsubscribe = live.subscribe(() => live.getSnapshot());
  const events = 200;
  const first = 10_000_000;
  const work = countMapWork(() => {
    for (let i = 0; i < events / 2; i++) realm.add(first + i);
    for (let i = 0; i < events / 2; i++) realm.remove(first + i);
  });
  unsubscribe();

  // Each emission is its own immutable set.
  expect(emitted).toHaveLength(events + 1);
  expect(emitted[0]!.size).toBe(size + 1);
  expect(emitted[events / 2]!.size).toBe(size + 1 + events / 2);
  expect(emitted[events / 2]!.has(first + events / 2 - 1)).toBe(true);
  expect(emitted[events]!.size).toBe(size + 1);
  expect(emitted[events]!.has(first)).toBe(false);
  return work / events;
}

/** Counts the work done on Maps while `run` runs: iterator steps, `set` calls, `forEach` visits. */
function countMapWork(run: () => void): number {
  const iteratorProto = Object.getPrototypeOf(new Map().entries()) as { next: (this: unknown) => unknown };
  const { next } = iteratorProto;
  const { set, forEach } = Map.prototype;
  let steps = 0;
  iteratorProto.next = function (this: unknown) {
    steps++;
    return next.call(this);
  };
  Map.prototype.set = function <K, V>(this: Map<K, V>, key: K, value: V) {
    steps++;
    return set.call(this, key, value) as Map<K, V>;
  };
  Map.prototype.forEach = function <K, V>(this: Map<K, V>, ...args: Parameters<Map<K, V>['forEach']>) {
    steps += this.size;
    return forEach.apply(this, args as never);
  };
  try {
    run();
  } finally {
    iteratorProto.next = next;
    Map.prototype.set = set;
    Map.prototype.forEach = forEach;
  }
  return steps;
}

describe('filters and options', () => {
  test('a filtered set (authroles) lists with the filter and ignores joins of other roles', async () => {
    const realm = new ScriptedRealm();
    realm.add(101, 'user', false);
    realm.add(102, 'guest', false);
    const session = realm.connect({ id: 1 });
    const live = metas.make(session).liveSessions({ authroles: ['user', 'admin'] });
    await answerAll(realm, session);
    expect(realm.sessions[0]!.calls[0]!.args).toEqual([['user', 'admin']]);
    expect(idsOf(live)).toEqual([101]);

    realm.add(103, 'guest');
    realm.add(104, 'admin');
    realm.remove(102); // a leave of a session outside the filter: no-op
    expect(idsOf(live)).toEqual([101, 104]);
  });

  test('includeSelf false drops the own session id, from the list and from events, and never gets it', async () => {
    const { realm, session, live } = await synced([111], { includeSelf: false });
    expect(idsOf(live)).toEqual([111]);
    expect(session.calls.filter((c) => c.procedure === GET).map((c) => c.args)).toEqual([[111]]);
    realm.publish(ON_JOIN, [crossbarDetails(1)]);
    expect(live.has(1)).toBe(false);
  });

  test("details 'id' keeps the ids from list and sends no get", async () => {
    const { realm, session, live } = await synced([121, 122], { details: 'id' });
    expect(session.calls.map((c) => c.procedure)).toEqual([LIST, COUNT]); // COUNT: verification's calibration
    expect(live.get(121)).toEqual({ session: 121, raw: null });
    realm.add(123);
    expect(live.get(123)?.authrole).toBe('user'); // events still carry details
  });

  test("a join bringing details for an id-only entry gives a new snapshot and tells subscribers, without a change", async () => {
    const { realm, live } = await synced([124], { details: 'id' });
    const before = live.getSnapshot();
    const onChange = jest.fn();
    live.subscribe(onChange);
    const changes = jest.fn();
    live.changes$.subscribe(changes);
    realm.publish(ON_JOIN, [crossbarDetails(124)]);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(changes).not.toHaveBeenCalled();
    expect(live.getSnapshot()).not.toBe(before);
    expect(live.getSnapshot().sessions.get(124)?.authrole).toBe('user');
    expect(before.sessions.get(124)).toEqual({ session: 124, raw: null });
  });

  test('syncConcurrency bounds the gets in flight', async () => {
    const { realm, session, live } = await setup([131, 132, 133, 134, 135], { syncConcurrency: 2 });
    await answerList(realm, session);
    let most = 0;
    while (realm.pending(session, GET).length > 0) {
      most = Math.max(most, realm.pending(session, GET).length);
      realm.answer(realm.pending(session, GET)[0]!);
      await flush();
    }
    expect(most).toBe(2);
    expect(live.status).toBe('live');
  });

  test('onDetailsError is called for a denied get; the session is kept, id only', async () => {
    const onDetailsError = jest.fn();
    const { realm, session, live, rec } = await setup([141], { onDetailsError });
    await answerList(realm, session);
    realm.deliver(getCall(realm, session, 141), { ok: false, error: new WampError('wamp.error.not_authorized', ['denied']) });
    await answerAll(realm, session);

    expect(live.status).toBe('live');
    expect(live.get(141)).toEqual({ session: 141, raw: null });
    expect(onDetailsError).toHaveBeenCalledTimes(1);
    expect(onDetailsError).toHaveBeenCalledWith(expect.any(NotAuthorizedError), 141);
    expect(rec.errors).toEqual([expect.any(NotAuthorizedError)]);
  });

  test('invalid options are refused at once', async () => {
    const { meta } = await setup();
    expect(() => meta.liveSessions({ details: 'all' as never })).toThrow(/options.details/);
    expect(() => meta.liveSessions({ syncConcurrency: 0 })).toThrow(/options.syncConcurrency/);
    expect(() => meta.liveSessions({ authroles: 'user' as never })).toThrow(/options.authroles/);
  });
});

describe('sync failures', () => {
  test('list timing out is reported on error and retried until live', async () => {
    const { realm, session, live, rec } = await setup([151], undefined, 30);
    session.confirmSubscribes();
    await flush();
    expect(realm.pending(session, LIST)).toHaveLength(1); // never answered: times out after 30 ms
    await waitFor(() => realm.pending(session, LIST).length === 2, 2000, 'the retried list'); // after the backoff
    // (A SUBSCRIBE slower than 30 ms on a loaded machine is reported too; that is not this test's subject.)
    expect(rec.errors.filter((e) => e.procedure === LIST)).toEqual([expect.any(CallTimeoutError)]);
    expect(live.status).toBe('syncing');
    await answerAll(realm, session);
    expect(live.status).toBe('live');
    expect(idsOf(live)).toEqual([1, 151]);
  });

  test('gets with no answer for callTimeoutMs fail the whole sync with CallTimeoutError, reported once; an answer moves the deadline', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
    jest.spyOn(Math, 'random').mockReturnValue(1); // no jitter: the retry comes 250 ms later
    const { realm, session, live, rec } = await setup([201, 202, 203], undefined, 100);
    await answerList(realm, session);
    jest.advanceTimersByTime(60);
    realm.answer(getCall(realm, session, 201)); // the sync's gets are one batch: its deadline moves
    await flush();
    jest.advanceTimersByTime(99);
    await flush();
    expect(rec.errors).toEqual([]);
    expect(live.status).toBe('syncing');
    jest.advanceTimersByTime(1); // nothing came back for 100 ms
    await flush();
    expect(rec.errors).toEqual([expect.any(CallTimeoutError)]);
    expect(rec.errors[0]!.procedure).toBe(GET);
    expect(live.status).toBe('syncing');
    jest.advanceTimersByTime(250);
    await answerAll(realm, session); // answers to the failed sync's gets are ignored; the retry goes live
    expect(live.status).toBe('live');
    expect(idsOf(live)).toEqual([1, 201, 202, 203]);
    expect(rec.errors).toHaveLength(1);
    metas.disposeAll();
    expect(jest.getTimerCount()).toBe(0); // no deadline timer left behind
  });

  test('a dispose during the sync settles it: nothing pending, no unhandled rejection', async () => {
    const unhandled = jest.fn();
    process.on('unhandledRejection', unhandled);
    try {
      const { realm, session, meta, live } = await setup([211, 212], { syncConcurrency: 1 });
      await answerList(realm, session);
      expect(realm.pending(session, GET)).toHaveLength(1);
      meta.dispose();
      await flush();
      await expect(live.ready).rejects.toBeInstanceOf(SessionClosedError);
      realm.answer(realm.pending(session, GET)[0]!); // a late answer is ignored
      await flush();
      expect(realm.pending(session, GET)).toHaveLength(0); // no next get was sent
      expect(live.status).toBe('closed');
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).not.toHaveBeenCalled();
    } finally {
      process.off('unhandledRejection', unhandled);
    }
  });

  test('a RouterError on list is retried with exponential backoff, then live', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
    jest.spyOn(Math, 'random').mockReturnValue(1); // no jitter: 250 ms, then 500 ms
    const { realm, session, live, rec } = await setup([161]);
    session.confirmSubscribes();
    await flush();
    const fail = async () => {
      realm.deliver(realm.pending(session, LIST)[0]!, { ok: false, error: new WampError('wamp.error.runtime_error', ['busy']) });
      await flush();
    };
    const lists = () => session.calls.filter((c) => c.procedure === LIST).length;
    await fail();
    jest.advanceTimersByTime(249);
    expect(lists()).toBe(1);
    jest.advanceTimersByTime(1);
    expect(lists()).toBe(2);
    await fail();
    jest.advanceTimersByTime(499);
    expect(lists()).toBe(2);
    jest.advanceTimersByTime(1);
    expect(lists()).toBe(3);
    await answerAll(realm, session);

    expect(rec.errors).toEqual([expect.any(RouterError), expect.any(RouterError)]);
    expect(live.status).toBe('live');
    metas.disposeAll();
    expect(jest.getTimerCount()).toBe(0); // no retry timer left behind
  });

  test('NotAuthorizedError on list: status closed, ready rejects, error reported once', async () => {
    const { realm, session, live, rec } = await setup([171]);
    session.confirmSubscribes();
    await flush();
    realm.deliver(realm.pending(session, LIST)[0]!, { ok: false, error: new WampError('wamp.error.not_authorized', ['no']) });
    await flush();
    expect(live.status).toBe('closed');
    await expect(live.ready).rejects.toBeInstanceOf(NotAuthorizedError);
    expect([session.active(ON_JOIN), session.active(ON_LEAVE)]).toEqual([0, 0]);
    expect(rec.errors).toEqual([expect.any(NotAuthorizedError)]);
  });

  test('a denied subscription closes the set and rejects ready', async () => {
    const { session, live } = await setup([181]);
    session.confirmSubscribes(new WampError('wamp.error.not_authorized', ['no']));
    await flush();
    expect(live.status).toBe('closed');
    await expect(live.ready).rejects.toBeInstanceOf(NotAuthorizedError);
    expect(session.calls).toEqual([]);
  });

  test('a session closing during the first sync: stale, nothing made up, ready waits for the next session', async () => {
    const { realm, session, meta, live } = await setup([191, 192]);
    let ready = false;
    void live.ready.then(() => (ready = true));
    await answerList(realm, session);
    realm.answer(getCall(realm, session, 191));
    realm.close(session);
    await flush();
    expect(live.status).toBe('stale');
    expect(idsOf(live)).toEqual([]); // never synced: a half sync is not shown
    expect(ready).toBe(false);

    const next = realm.connect({ id: 2 });
    meta.attach(next);
    await answerAll(realm, next);
    expect(ready).toBe(true);
    expect(idsOf(live)).toEqual([2, 191, 192]);
  });
});

describe('observing the set', () => {
  test('React contract: getSnapshot stable between changes, new object after a change; subscribe/unsubscribe', async () => {
    const { realm, session, live } = await setup([201]);
    const empty = live.getSnapshot();
    expect(empty.sessions.size).toBe(0);
    expect(empty.status).toBe('syncing');
    const onChange = jest.fn();
    const unsubscribe = live.subscribe(onChange);
    await answerAll(realm, session);
    expect(onChange).toHaveBeenCalled();

    const a = live.getSnapshot();
    expect(sorted(a.sessions.keys())).toEqual([1, 201]);
    expect(a.status).toBe('live');
    expect(live.getSnapshot()).toBe(a);
    onChange.mockClear();
    realm.add(202);
    expect(onChange).toHaveBeenCalledTimes(1);
    const b = live.getSnapshot();
    expect(b).not.toBe(a);
    expect(sorted(b.sessions.keys())).toEqual([1, 201, 202]);
    expect(sorted(a.sessions.keys())).toEqual([1, 201]); // the old one did not move

    unsubscribe();
    realm.remove(202);
    expect(onChange).toHaveBeenCalledTimes(1);
    expect(live.getSnapshot().sessions.has(202)).toBe(false);
  });

  test('byAuthid groups sessions by authid', async () => {
    const realm = new ScriptedRealm();
    const session = realm.connect({ id: 1 });
    realm.alive.set(1, { session: 1, authrole: 'observer', dict: { session: 1 } }); // no authid: left out
    const live = metas.make(session).liveSessions();
    await answerAll(realm, session);
    realm.publish(ON_JOIN, [crossbarDetails(211, 'user', 'alice')]);
    realm.publish(ON_JOIN, [crossbarDetails(212, 'user', 'alice')]);
    realm.publish(ON_JOIN, [crossbarDetails(213, 'user', 'bob')]);
    const groups = live.byAuthid();
    expect([...groups.keys()].sort()).toEqual(['alice', 'bob']);
    expect(groups.get('alice')!.map((s) => s.session).sort()).toEqual([211, 212]);
    expect(groups.get('bob')!.map((s) => s.session)).toEqual([213]);
  });

  test('sessions$ replays the current set and never emits before the first sync nor during a resync', async () => {
    const { realm, session, meta, live } = await setup([221]);
    const early: number[] = [];
    live.sessions$.subscribe((m) => early.push(m.size));
    await answerList(realm, session);
    expect(early).toEqual([]); // half-synced: nothing
    await answerAll(realm, session);
    expect(early).toEqual([2]);

    const late: number[] = [];
    live.sessions$.subscribe((m) => late.push(m.size));
    expect(late).toEqual([2]); // replayed at once

    realm.close(session);
    const next = realm.connect({ id: 2 });
    meta.attach(next);
    next.confirmSubscribes();
    await flush();
    realm.add(222); // buffered during the resync
    expect(late).toEqual([2]);
    await answerAll(realm, next);
    expect(late).toEqual([2, 3]); // one emission for the whole resync
  });

  test('changes$ replayed from empty gives the set', async () => {
    const { realm, session, meta, live, rec } = await synced([231, 232]);
    realm.add(233);
    realm.remove(231);
    realm.close(session);
    realm.remove(232);
    realm.add(234);
    const next = realm.connect({ id: 2 });
    meta.attach(next);
    await answerAll(realm, next);
    const rebuilt = replay(rec.changes);
    expect(sorted(rebuilt.keys())).toEqual(idsOf(live));
    for (const [id, details] of rebuilt) expect(live.get(id)?.session).toBe(details.session);
  });
});

describe('user code that misbehaves or re-enters', () => {
  test('a throwing subscribe() listener does not fail the sync nor stop the other listeners; it is rethrown asynchronously', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
    const { realm, session, live } = await setup([301]);
    live.subscribe(() => {
      throw new Error('listener bug');
    });
    const second = jest.fn();
    live.subscribe(second);
    await answerAll(realm, session);
    expect(live.status).toBe('live');
    expect(second).toHaveBeenCalled();
    expect(() => jest.runOnlyPendingTimers()).toThrow('listener bug');
    realm.add(302);
    expect(live.has(302)).toBe(true);
    expect(session.calls.filter((c) => c.procedure === LIST)).toHaveLength(1); // no resync
  });

  test('a throwing onDetailsError does not fail the sync', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
    const realm = new ScriptedRealm();
    realm.add(311, 'user', false);
    const session = realm.connect({ id: 1 });
    const meta = metas.make(session, 0);
    const live = meta.liveSessions({
      onDetailsError: () => {
        throw new Error('handler bug');
      },
    });
    await flush();
    await answerList(realm, session);
    for (const call of realm.pending(session, GET)) {
      if (call.args?.[0] === 311) call.reject(new WampError('wamp.error.not_authorized'));
      else realm.answer(call);
    }
    await flush();
    expect(live.status).toBe('live');
    expect(live.get(311)).toEqual({ session: 311, raw: null });
    expect(() => jest.runOnlyPendingTimers()).toThrow('handler bug');
  });

  test('disposing the set from its own live status listener still resolves ready', async () => {
    const { realm, session, live } = await setup([321]);
    live.on('status', (status) => {
      if (status === 'live') live.dispose();
    });
    await answerAll(realm, session);
    await expect(live.ready).resolves.toBeUndefined();
    expect(live.status).toBe('closed');
  });

  test('off() removes a once() listener', async () => {
    const { realm, session, live } = await setup([331]);
    const onJoined = jest.fn();
    live.once('joined', onJoined);
    live.off('joined', onJoined);
    await answerAll(realm, session);
    expect(onJoined).not.toHaveBeenCalled();
  });

  test('once() fires once', async () => {
    const { realm, session, live } = await setup([341, 342]);
    const onJoined = jest.fn();
    live.once('joined', onJoined);
    await answerAll(realm, session);
    expect(onJoined).toHaveBeenCalledTimes(1);
  });

  test("a resync with details: 'id' keeps the full details it learned from on_join", async () => {
    const { realm, session, meta, live } = await synced([351], { details: 'id' });
    realm.publish(ON_JOIN, [crossbarDetails(351)]); // details arrive for the listed id
    expect(live.get(351)?.authrole).toBe('user');
    realm.close(session);
    const next = realm.connect({ id: 2 });
    meta.attach(next);
    await answerAll(realm, next);
    expect(live.status).toBe('live');
    expect(live.get(351)?.authrole).toBe('user');
  });
});

test('attach() from a stale listener reaches every live set in order: none is left on the closed session', async () => {
  const realm = new ScriptedRealm();
  realm.add(361, 'user', false);
  const first = realm.connect({ id: 1 });
  const meta = metas.make(first, 0);
  const a = meta.liveSessions();
  const b = meta.liveSessions(); // observes the session after a, so it hears of changes later
  const statusesB: string[] = [];
  b.status$.subscribe((s) => statusesB.push(s));
  await answerAll(realm, first);
  expect([a.status, b.status]).toEqual(['live', 'live']);

  const second = realm.connect({ id: 2 });
  a.on('status', (status) => {
    if (status === 'stale') meta.attach(second); // fail over at once, from inside the SDK's callback
  });
  realm.close(first);
  expect(meta.session).toBe(second);
  await answerAll(realm, second);
  expect([a.status, b.status]).toEqual(['live', 'live']);
  expect(statusesB).toEqual(['syncing', 'live', 'stale', 'syncing', 'live']);
});
