/**
 * The mirror over a FakeSession that plays the relay's side of the wire (API.md §6), with
 * injected timers: what it does with payloads a rogue publisher (or a careless projection) sends.
 */
import { config } from 'rxjs';
import { MalformedPayloadError, mirrorPresence } from '../../src';
import type { MetaError, PresenceEntry, PresenceMirror } from '../../src';
import { FakeSession, PENDING, flush, type SentCall } from '../helpers/fake-session';
import { PREFIX, type RelayState } from '../helpers/presence';

const GET_STATE = `${PREFIX}.get_state`;
const ON_CHANGE = `${PREFIX}.on_change`;


const unhandled: unknown[] = [];
const mirrors: PresenceMirror[] = [];

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] });
  unhandled.length = 0;
  config.onUnhandledError = (error) => unhandled.push(error);
});
afterEach(() => {
  for (const mirror of mirrors.splice(0)) mirror.dispose();
  config.onUnhandledError = null;
  jest.useRealTimers();
});

/** A session whose get_state answers `state` (or what `answer` says), and a mirror on it. */
async function mirrored(state: RelayState, answer?: (call: SentCall) => unknown) {
  const session = new FakeSession({ id: 7, onCall: (call) => (call.procedure === GET_STATE ? (answer ? answer(call) : { ...state, sessions: [...state.sessions] }) : PENDING) });
  const mirror = mirrorPresence(session, { prefix: PREFIX, callTimeoutMs: 1000 });
  mirrors.push(mirror);
  const errors: MetaError[] = [];
  mirror.on('error', (e) => errors.push(e));
  await flush();
  const sent = (): SentCall[] => session.calls.filter((c) => c.procedure === GET_STATE);
  return { session, mirror, errors, sent, stateCalls: () => sent().length };
}

/** Lets `ms` pass on the fake clock in small steps, so that answers arrive in between. */
async function pass(ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 50) {
    jest.advanceTimersByTime(50);
    await flush();
  }
}

const ids = (mirror: PresenceMirror): number[] => [...mirror.values()].map((s) => s.session).sort((a, b) => a - b);

test('an on_change entry with a wrongly typed field (authid: 42) is reported and never applied, nothing thrown, then a resync', async () => {
  const state: RelayState = { epoch: 'e1', seq: 0, heartbeatMs: 60_000, stale: false, sessions: [{ session: 1, authid: 'a' }] };
  const { session, mirror, errors, stateCalls } = await mirrored(state);
  await mirror.ready;
  session.publish(ON_CHANGE, [{ epoch: 'e1', seq: 1, joined: [{ session: 5, authid: 42 }], left: [1] }]);
  await flush();
  jest.advanceTimersByTime(1); // RxJS reports an error thrown by an observer on a timer
  expect(unhandled).toEqual([]);
  expect(errors.map((e) => MalformedPayloadError.is(e))).toEqual([true]);
  expect(ids(mirror)).toEqual([1]); // not half applied: the leave of 1 in the same payload did not go through
  expect(stateCalls()).toBe(2); // resynced
  expect(mirror.status).toBe('live');
});

test('a get_state entry with a wrongly typed field is reported and retried, the mirror does not hang in syncing', async () => {
  const state: RelayState = { epoch: 'e1', seq: 0, heartbeatMs: 60_000, stale: false, sessions: [{ session: 1, authid: 'a' }, { session: 2, transport: 'ws' }] };
  const { mirror, errors, stateCalls } = await mirrored(state);
  await flush();
  expect(unhandled).toEqual([]);
  expect(errors.some((e) => MalformedPayloadError.is(e))).toBe(true);
  state.sessions = [{ session: 1, authid: 'a' }]; // the relay fixed its projection
  await pass(1000); // the retry (backoff 250 ms, jittered)
  expect(stateCalls()).toBe(2);
  expect(mirror.status).toBe('live');
  expect(ids(mirror)).toEqual([1]);
});

test('a gap among the changes buffered while get_state was in flight: resync at once, not at the next heartbeat', async () => {
  const state: RelayState = { epoch: 'e1', seq: 5, heartbeatMs: 60_000, stale: false, sessions: [{ session: 1 }] };
  const { session, mirror, stateCalls, sent } = await mirrored(state, () => PENDING);
  expect(sent()).toHaveLength(1);
  // 6 was lost on the way; 7 arrives while the state (seq 5) is on its way
  session.publish(ON_CHANGE, [{ epoch: 'e1', seq: 7, joined: [{ session: 3 }], left: [] }]);
  sent()[0]!.resolve({ ...state });
  await flush();
  expect(mirror.status).toBe('live');
  expect(stateCalls()).toBe(2); // the gap is seen now
  state.seq = 7;
  state.sessions = [{ session: 1 }, { session: 2 }, { session: 3 }];
  sent()[1]!.resolve({ ...state });
  await flush();
  expect(ids(mirror)).toEqual([1, 2, 3]);
});

test('a new epoch among the events buffered while get_state was in flight (the relay restarted meanwhile): resync at once', async () => {
  const state: RelayState = { epoch: 'e1', seq: 5, heartbeatMs: 60_000, stale: false, sessions: [{ session: 1 }] };
  const { session, mirror, stateCalls, sent } = await mirrored(state, () => PENDING);
  session.publish(`${PREFIX}.on_heartbeat`, [{ epoch: 'e2', seq: 0 }]);
  sent()[0]!.resolve({ ...state }); // answered by the old relay
  await flush();
  expect(stateCalls()).toBe(2);
  sent()[1]!.resolve({ ...state, epoch: 'e2', seq: 0, sessions: [{ session: 9 }] });
  await flush();
  expect(ids(mirror)).toEqual([9]);
});
