/**
 * Verification of a live set (API.md §5 "Verification") against a scripted realm, with injected
 * timers (jest's fake clock), so the timing rules are exact: stale within two intervals of a
 * silent link, drift confirmed by a second check then repaired with the smallest calls, SUBSCRIBE
 * timeouts reported and retried, a kill verified at once. Also the small fixes of the same issue:
 * `X.prototype instanceof MetaError`, the byAuthid index, and bad verification options.
 */
import {
  CallTimeoutError,
  DriftError,
  InvalidArgumentError,
  MalformedPayloadError,
  MetaError,
  NoSuchSessionError,
  NotAuthorizedError,
  ProcedureUnavailableError,
  RouterError,
  SessionClosedError,
} from '../../src';
import type { LiveSessionSetOptions, SessionId } from '../../src';
import { flush, type FakeSession } from '../helpers/fake-session';
import { answerAll, COUNT, GET, LIST, ON_JOIN, ON_LEAVE, ScriptedRealm, crossbarDetails, idsOf, metaTracker, record } from '../helpers/live-set';

const INTERVAL = 1000;
const TIMEOUT = 300;
const metas = metaTracker();

beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] }));
afterEach(() => {
  metas.disposeAll();
  jest.useRealTimers();
});


async function synced(others: SessionId[], options: LiveSessionSetOptions = {}) {
  const realm = new ScriptedRealm();
  for (const id of others) realm.add(id, 'user', false);
  const session = realm.connect({ id: 1 });
  const meta = metas.make(session, TIMEOUT);
  const live = meta.liveSessions({ verifyIntervalMs: INTERVAL, ...options });
  const rec = record(live);
  await flush();
  await answerAll(realm, session); // subscribe, list, gets, the calibrating count
  expect(live.status).toBe('live');
  return { realm, session, meta, live, rec };
}

/** Lets `ms` pass on the fake clock, answering nothing. */
async function pass(ms: number): Promise<void> {
  jest.advanceTimersByTime(ms);
  await flush();
}

const procedures = (session: FakeSession): string[] => session.calls.map((c) => c.procedure);

test('every verifyIntervalMs one count, nothing else, while in step', async () => {
  const { realm, session, rec } = await synced([11, 12]);
  const before = session.calls.length;
  for (let i = 0; i < 3; i++) {
    await pass(INTERVAL);
    await answerAll(realm, session);
  }
  expect(procedures(session).slice(before)).toEqual([COUNT, COUNT, COUNT]);
  expect(rec.errors).toEqual([]);
});

test('a silent link makes the set stale within two intervals (one interval + callTimeoutMs), set kept', async () => {
  const { session, live, rec } = await synced([11, 12]);
  await pass(INTERVAL); // the check goes out; nobody answers from now on
  expect(procedures(session).at(-1)).toBe(COUNT);
  await pass(TIMEOUT - 1);
  expect(live.status).toBe('live');
  await pass(1);
  expect(live.status).toBe('stale');
  expect(INTERVAL + TIMEOUT).toBeLessThanOrEqual(2 * INTERVAL);
  expect(idsOf(live)).toEqual([1, 11, 12]);
  expect(live.getSnapshot()).toMatchObject({ status: 'stale', error: expect.any(CallTimeoutError) });
  expect(rec.errors.map((e) => [e.code, e.procedure])).toEqual([['call_timeout', COUNT]]);
});

test('a lost link answered again: resync with the minimal difference, live, no reconnect', async () => {
  const { realm, session, live, rec } = await synced([11, 12]);
  await pass(INTERVAL + TIMEOUT);
  expect(live.status).toBe('stale');
  realm.remove(11, false); // both lost while silent
  realm.add(13, 'user', false);
  await pass(INTERVAL); // the next probe
  await answerAll(realm, session);
  expect(live.status).toBe('live');
  expect(idsOf(live)).toEqual([1, 12, 13]);
  expect(rec.diff().slice(3)).toEqual(['-11', '+13']); // after the first sync's three joins
  expect(rec.log.filter((e) => e.kind === 'status').map((e) => (e as { status: string }).status)).toEqual(['live', 'stale', 'live']); // stale until the resync is done, no flicker
  // The resync asked details only for the new session.
  expect(session.calls.filter((c) => c.procedure === GET).map((c) => c.args?.[0]).slice(3)).toEqual([13]);
});

test('a lost link whose probe is answered with an error (a malformed count) is back: resync, live again', async () => {
  const { realm, session, live } = await synced([11, 12]);
  await pass(INTERVAL + TIMEOUT);
  expect(live.status).toBe('stale');
  for (const timedOut of realm.pending(session, COUNT)) realm.deliver(timedOut, { ok: true, value: 0 }); // too late: ignored
  await pass(INTERVAL); // the probe
  expect(realm.pending(session, COUNT)).toHaveLength(1);
  realm.deliver(realm.pending(session, COUNT)[0]!, { ok: true, value: 'many' });
  await flush();
  await answerAll(realm, session);
  expect(live.status).toBe('live');
});

test('lost events: confirmed by a second check, repaired with list (twice) and get only for new ids; one DriftError', async () => {
  const { realm, session, meta, live, rec } = await synced([11, 12, 13]);
  const metaErrors: MetaError[] = [];
  meta.errors$.subscribe((e) => metaErrors.push(e));
  realm.remove(11, false); // a leave the router never sent (Nexus kill_all)
  realm.remove(12, false);
  realm.add(14, 'user', false); // a join that got lost
  const before = session.calls.length;

  await pass(INTERVAL);
  await answerAll(realm, session); // difference -1: not yet repaired
  expect(idsOf(live)).toEqual([1, 11, 12, 13]);
  await pass(Math.min(INTERVAL, 1000)); // the confirming check comes soon
  await answerAll(realm, session);

  expect(procedures(session).slice(before)).toEqual([COUNT, COUNT, LIST, LIST, GET, COUNT]);
  expect(session.calls.filter((c) => c.procedure === GET).at(-1)?.args).toEqual([14]);
  expect(idsOf(live)).toEqual([1, 13, 14]);
  expect(rec.diff().slice(4)).toEqual(['-11', '-12', '+14']);
  const drift = rec.errors.filter((e) => DriftError.is(e));
  expect(drift).toHaveLength(1);
  expect(drift[0]).toMatchObject({ joined: 1, left: 2, name: 'DriftError', code: 'drift' });
  expect(metaErrors).toEqual(drift);
  expect(live.status).toBe('live');
});

test('a difference that an event explains before the second look is no drift', async () => {
  const { realm, session, live, rec } = await synced([11, 12]);
  realm.remove(11, false); // its on_leave is only late
  await pass(INTERVAL);
  await answerAll(realm, session);
  await pass(1000);
  session.confirmSubscribes();
  const count = realm.pending(session, COUNT)[0]!;
  realm.answer(count); // confirmed: a repair starts
  await flush();
  realm.answer(realm.pending(session, LIST)[0]!); // first look: 11 is missing from the list
  await flush();
  realm.publish(ON_LEAVE, [11]); // the late on_leave arrives
  await answerAll(realm, session);
  expect(idsOf(live)).toEqual([1, 12]);
  expect(rec.errors).toEqual([]);
});

test('a repair that finds nothing to change keeps the snapshot: the same object, no listener called, no sessions$ emission', async () => {
  const { realm, session, live, rec } = await synced([11, 12]);
  const snapshot = live.getSnapshot();
  let notified = 0;
  live.subscribe(() => notified++);
  const emitted: unknown[] = [];
  live.sessions$.subscribe((s) => emitted.push(s));
  const offByOne = (): void => realm.deliver(realm.pending(session, COUNT)[0]!, { ok: true, value: realm.alive.size + 1 }); // a router quirk, not drift
  await pass(INTERVAL);
  offByOne();
  await flush();
  await pass(1000);
  offByOne(); // confirmed: a repair looks at the list, which is right
  await flush();
  await answerAll(realm, session);
  expect(procedures(session).filter((p) => p === LIST).length).toBeGreaterThanOrEqual(2);
  expect(rec.errors).toEqual([]);
  expect(live.getSnapshot()).toBe(snapshot);
  expect(notified).toBe(0);
  expect(emitted).toHaveLength(1); // the replayed current set only
});

test('a count that is not a number is a MalformedPayloadError, never drift nor stale', async () => {
  const { realm, session, live, rec } = await synced([11]);
  await pass(INTERVAL);
  realm.deliver(realm.pending(session, COUNT)[0]!, { ok: true, value: 'many' });
  await flush();
  expect(live.status).toBe('live');
  expect(rec.errors).toHaveLength(1);
  expect(MalformedPayloadError.is(rec.errors[0])).toBe(true);
  await pass(INTERVAL); // and checking goes on
  expect(procedures(session).at(-1)).toBe(COUNT);
});

test('a kill through the same SessionMeta verifies its sets at once', async () => {
  const { session, meta } = await synced([11]);
  const killing = meta.kill(11);
  const kill = session.calls.at(-1)!;
  kill.resolve(null);
  await killing;
  await flush();
  expect(procedures(session).at(-1)).toBe(COUNT);
});

test('a kill while a periodic check is in flight: verified again once that check is answered', async () => {
  const { realm, session, meta } = await synced([11, 12]);
  await pass(INTERVAL);
  const periodic = realm.pending(session, COUNT)[0]!;
  const before = realm.alive.size; // the router counted before the kill
  const killing = meta.kill(11);
  realm.remove(11, false); // a router that publishes no on_leave for it
  session.calls.at(-1)!.resolve(null);
  await killing;
  await flush();
  realm.deliver(periodic, { ok: true, value: before });
  await flush();
  expect(realm.pending(session, COUNT)).toHaveLength(1); // at once, not one interval later
});

test('verifyIntervalMs 0 turns verification off: no count at all, not even after a kill', async () => {
  const { session, meta } = await synced([11], { verifyIntervalMs: 0 });
  await pass(60_000);
  const killing = meta.kill(11);
  session.calls.at(-1)!.resolve(null);
  await killing;
  await pass(60_000);
  expect(procedures(session)).not.toContain(COUNT);
});

test('a SUBSCRIBE not confirmed within callTimeoutMs is reported and sent again; the late first answer still wins', async () => {
  const realm = new ScriptedRealm();
  const session = realm.connect({ id: 1 });
  const meta = metas.make(session, TIMEOUT);
  const live = meta.liveSessions({ verifyIntervalMs: INTERVAL });
  const rec = record(live);
  await flush();
  expect(session.pendingSubscribes.map((p) => p.topic)).toEqual([ON_JOIN, ON_LEAVE]);
  await pass(TIMEOUT);
  expect(rec.errors.map((e) => [e.code, e.procedure])).toEqual([['call_timeout', ON_JOIN]]);
  expect(session.pendingSubscribes.map((p) => p.topic)).toEqual([ON_JOIN, ON_LEAVE, ON_JOIN, ON_LEAVE]);
  expect(live.status).toBe('syncing');
  await answerAll(realm, session); // all four answered: one subscription per topic stays
  expect(live.status).toBe('live');
  expect([session.active(ON_JOIN), session.active(ON_LEAVE)]).toEqual([1, 1]);
  realm.add(21);
  expect(rec.diff()).toEqual(['+1', '+21']); // one event, delivered once
});

test('an event that arrives right behind its SUBSCRIBED (same tick, before the promise callback) is delivered, once', async () => {
  const realm = new ScriptedRealm();
  const session = realm.connect({ id: 1 });
  const meta = metas.make(session, TIMEOUT);
  const joined: number[] = [];
  meta.joins$.subscribe((s) => joined.push(s.session));
  await flush();
  session.confirmSubscribes();
  realm.add(21); // autobahn emits it before the SUBSCRIBED promise resolves (ws delivers a chunk's frames in one tick)
  await flush();
  realm.add(22);
  expect(joined).toEqual([21, 22]);

  // Two SUBSCRIBEs in flight (the first one timed out), both answered, then an event at once: one delivery.
  const other = realm.connect({ id: 2 });
  const meta2 = metas.make(other, TIMEOUT);
  const live = meta2.liveSessions({ verifyIntervalMs: 0 });
  const seen: number[] = [];
  meta2.joins$.subscribe((s) => seen.push(s.session));
  await flush();
  await pass(TIMEOUT);
  expect(other.pendingSubscribes.map((p) => p.topic)).toEqual([ON_JOIN, ON_LEAVE, ON_JOIN, ON_LEAVE]);
  other.confirmSubscribes();
  realm.add(23);
  await flush();
  realm.add(24);
  expect(seen).toEqual([23, 24]);
  expect([other.active(ON_JOIN), other.active(ON_LEAVE)]).toEqual([1, 1]);
  live.dispose();
});

test('getSnapshot/subscribe: an error that explains the status changes the snapshot and calls the subscribe listeners, also while the status stays', async () => {
  const realm = new ScriptedRealm();
  const session = realm.connect({ id: 1 });
  const meta = metas.make(session, TIMEOUT);
  const live = meta.liveSessions({ verifyIntervalMs: INTERVAL });
  await flush();
  const first = live.getSnapshot();
  let notified = 0;
  live.subscribe(() => notified++);
  await pass(TIMEOUT); // the SUBSCRIBE swallowed: still syncing, now with a reason
  const second = live.getSnapshot();
  expect(second).not.toBe(first);
  expect(second).toMatchObject({ status: 'syncing', error: expect.any(CallTimeoutError) });
  expect(notified).toBe(1); // a UI bound with useSyncExternalStore hears of it
});

test('options: verifyIntervalMs negative or not a finite number → InvalidArgumentError at creation; 200 is fine', () => {
  const meta = metas.make(null);
  for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY, '1000', null]) {
    expect(() => meta.liveSessions({ verifyIntervalMs: bad as number })).toThrow(InvalidArgumentError);
  }
  expect(() => meta.liveSessions({ verifyIntervalMs: 200 }).dispose()).not.toThrow();
});

test('X.prototype instanceof MetaError holds for every subclass; instanceof still works across builds by brand', () => {
  for (const X of [NoSuchSessionError, NotAuthorizedError, ProcedureUnavailableError, InvalidArgumentError, CallTimeoutError, SessionClosedError, RouterError, MalformedPayloadError, DriftError]) {
    expect(X.prototype instanceof MetaError).toBe(true);
    expect(Object.create(X.prototype) instanceof X).toBe(true);
  }
  expect(NoSuchSessionError.prototype instanceof NotAuthorizedError).toBe(false);
  const foreign = Object.assign(new Error('x'), { code: 'drift' });
  Object.defineProperty(foreign, Symbol.for('wamp-session-meta.MetaError'), { value: true });
  expect(foreign instanceof DriftError && foreign instanceof MetaError).toBe(true);
});

test('byAuthid is an index kept as events arrive: the same map across calls, groups updated in place', async () => {
  const { realm, live } = await synced([11, 12]);
  realm.add(13, 'user', true, crossbarDetails(13, 'user', 'alice'));
  const index = live.byAuthid();
  expect(index.get('alice')?.map((s) => s.session)).toEqual([13]);
  realm.add(14, 'user', true, crossbarDetails(14, 'user', 'alice'));
  expect(live.byAuthid()).toBe(index);
  expect(index.get('alice')?.map((s) => s.session).sort()).toEqual([13, 14]);
  realm.remove(13);
  realm.remove(14);
  expect(index.has('alice')).toBe(false);
  expect(index.get('user-11')?.map((s) => s.session)).toEqual([11]);
});

test('byAuthid: a large group (one authid, many sessions) stays right through joins and leaves in any order', async () => {
  const { realm, live } = await synced([]);
  const index = live.byAuthid();
  const members = new Set<number>();
  const expectGroup = () => expect(index.get('device')?.map((s) => s.session).sort((a, b) => a - b) ?? []).toEqual([...members].sort((a, b) => a - b));
  let next = 100;
  let seed = 7;
  const random = () => (seed = (seed * 48_271) % 2_147_483_647) / 2_147_483_647;
  // Grows past the size up to which a group is scanned, shrinks below it, and back, twice.
  for (const target of [40, 5, 30, 0]) {
    while (members.size !== target) {
      if (members.size < target) {
        realm.add(next, 'user', true, crossbarDetails(next, 'user', 'device'));
        members.add(next++);
      } else {
        const gone = [...members][Math.floor(random() * members.size)]!;
        realm.remove(gone);
        members.delete(gone);
      }
      expectGroup();
    }
  }
  expect(index.has('device')).toBe(false);
});
