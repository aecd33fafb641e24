/**
 * The mirror against a test relay that speaks the presence wire protocol directly (API.md §6),
 * through a real router (fox-wamp 0.7.28): seq order and duplicates, gaps, a new epoch, a
 * heartbeat ahead, heartbeats that stop, `stale` from upstream, a rogue publisher, a relay that
 * is not there yet. This is also what a relay in another language must do.
 */
import autobahn from 'autobahn';
import { CallTimeoutError, MalformedPayloadError, mirrorPresence } from '../../src';
import type { LiveStatus, MetaError, PresenceEntry, PresenceMirror, SessionSetChange } from '../../src';
import { connect, defer, startRouter } from '../helpers/teardown';
import { sleep, waitFor } from '../helpers/wait';
import type { TestClient } from '../helpers/fox-router';
import { PREFIX, type RelayState } from '../helpers/presence';

autobahn.log.warn = () => {};

const QUIET = 60_000; // heartbeatMs that never runs out during a test


/** A relay written by hand: registers get_state (answering `state`), publishes what the test says. */
async function testRelay(client: TestClient, state: RelayState) {
  let calls = 0;
  const registration = await client.session.register(`${PREFIX}.get_state`, () => {
    calls++;
    return { ...state, sessions: [...state.sessions] };
  });
  const publish = (topic: 'on_change' | 'on_heartbeat', payload: unknown) => client.session.publish(`${PREFIX}.${topic}`, [payload], {}, { acknowledge: true });
  return {
    state,
    stateCalls: () => calls,
    change: (seq: number, joined: number[], left: number[], epoch = state.epoch) =>
      publish('on_change', { epoch, seq, joined: joined.map((session) => ({ session, authid: `user-${session}` })), left }),
    heartbeat: (seq: number, extra: Record<string, unknown> = {}) => publish('on_heartbeat', { epoch: state.epoch, seq, ...extra }),
    raw: publish,
    unregister: () => client.session.unregister(registration),
  };
}

function observe(mirror: PresenceMirror) {
  const changes: string[] = [];
  const statuses: LiveStatus[] = [];
  const errors: MetaError[] = [];
  mirror.changes$.subscribe((c: SessionSetChange) => changes.push(`${c.type === 'joined' ? '+' : '-'}${c.session.session}`));
  mirror.status$.subscribe((s) => statuses.push(s));
  mirror.on('error', (e) => errors.push(e));
  return { changes, statuses, errors };
}

const ids = (mirror: PresenceMirror): number[] => [...mirror.values()].map((s) => s.session).sort((a, b) => a - b);
const entries = (...sessions: number[]): PresenceEntry[] => sessions.map((session) => ({ session, authid: `user-${session}` }));

async function setup(state: Partial<RelayState> = {}) {
  const router = await startRouter();
  const relay = await testRelay(await connect(router), { epoch: 'e1', seq: 5, heartbeatMs: QUIET, stale: false, sessions: entries(1, 2), ...state });
  const client = await connect(router);
  const mirror = mirrorPresence(client.session, { prefix: PREFIX, callTimeoutMs: 1000 });
  defer(() => mirror.dispose());
  const seen = observe(mirror);
  return { router, relay, mirror, ...seen };
}

test('changes apply in seq order; a seq seen already is ignored (router links deliver twice); entries read like details', async () => {
  const { relay, mirror, changes } = await setup();
  await mirror.ready;
  expect(ids(mirror)).toEqual([1, 2]);
  expect(mirror.get(1)).toMatchObject({ session: 1, authid: 'user-1', raw: { session: 1, authid: 'user-1' } });
  await relay.change(6, [3], [1]);
  await relay.change(6, [3], [1]); // the same publication again
  await relay.change(7, [4], []);
  await waitFor(() => mirror.has(4), 5000, 'seq 7 applied');
  expect(ids(mirror)).toEqual([2, 3, 4]);
  expect(changes).toEqual(['+1', '+2', '-1', '+3', '+4']);
  expect(relay.stateCalls()).toBe(1);
});

test('a gap in seq: a quiet resync with the minimal difference, status live throughout', async () => {
  const { relay, mirror, changes, statuses } = await setup();
  await mirror.ready;
  relay.state.seq = 9;
  relay.state.sessions = entries(2, 3, 4); // 6..9 happened; the mirror saw none of 6..8
  await relay.change(9, [4], []);
  await waitFor(() => relay.stateCalls() === 2 && mirror.has(4), 5000, 'the resync');
  expect(ids(mirror)).toEqual([2, 3, 4]);
  expect(changes).toEqual(['+1', '+2', '-1', '+3', '+4']);
  expect(statuses).toEqual(['syncing', 'live']); // no flicker
  await relay.change(10, [5], []); // and it goes on from the new seq
  await waitFor(() => mirror.has(5), 5000, 'seq 10 applied');
});

test('a new epoch (the relay restarted): resync to its state', async () => {
  const { relay, mirror, changes } = await setup();
  await mirror.ready;
  Object.assign(relay.state, { epoch: 'e2', seq: 0, sessions: entries(2, 8) });
  await relay.heartbeat(0);
  await waitFor(() => mirror.has(8), 5000, 'the new epoch');
  expect(ids(mirror)).toEqual([2, 8]);
  expect(changes.slice(2)).toEqual(['-1', '+8']);
  await relay.change(1, [9], []); // seq 1 of epoch e2
  await waitFor(() => mirror.has(9), 5000, 'e2 seq 1 applied');
  await relay.change(2, [10], [], 'e1'); // a stale relay's late publication: another epoch → resync, not applied
  await waitFor(() => relay.stateCalls() === 3, 5000, 'a resync');
  expect(mirror.has(10)).toBe(false);
});

test('a heartbeat showing a seq the mirror has not seen: resync', async () => {
  const { relay, mirror } = await setup();
  await mirror.ready;
  Object.assign(relay.state, { seq: 7, sessions: entries(1, 2, 7) }); // 6 and 7 were lost on the way
  await relay.heartbeat(7);
  await waitFor(() => mirror.has(7), 5000, 'the resync');
  expect(relay.stateCalls()).toBe(2);
});

test('heartbeats that stop: stale after 2.5 × heartbeatMs, set kept; heartbeats again: live at once if nothing was missed, else resync', async () => {
  const { relay, mirror, errors } = await setup({ heartbeatMs: 100 });
  await mirror.ready;
  const beats = setInterval(() => void relay.heartbeat(relay.state.seq), 50);
  defer(() => clearInterval(beats));
  await sleep(400);
  expect(mirror.status).toBe('live'); // heartbeats keep it live
  clearInterval(beats);
  await waitFor(() => mirror.status === 'stale', 5000, 'stale without heartbeats');
  expect(ids(mirror)).toEqual([1, 2]);
  expect(errors.some((e) => CallTimeoutError.is(e) && e.procedure === `${PREFIX}.on_heartbeat`)).toBe(true);
  // Heard again with nothing missed (the seq it has): live at once, no get_state.
  const calls = relay.stateCalls();
  await relay.heartbeat(relay.state.seq);
  await waitFor(() => mirror.status === 'live', 5000, 'live again');
  expect(relay.stateCalls()).toBe(calls);
  await waitFor(() => mirror.status === 'stale', 5000, 'stale again without heartbeats');
  // Silent while the set changed (its on_change lost on the way): the next heartbeat is ahead, resync.
  Object.assign(relay.state, { seq: relay.state.seq + 1, sessions: entries(2, 3) });
  await relay.heartbeat(relay.state.seq);
  await waitFor(() => mirror.status === 'live' && mirror.has(3), 5000, 'live again, resynced');
  expect(ids(mirror)).toEqual([2, 3]);
  expect(relay.stateCalls()).toBe(calls + 1);
});

test('stale from upstream: a heartbeat with stale: true shows stale; without it, live again; get_state says it too', async () => {
  const { relay, mirror, statuses } = await setup({ stale: true });
  await waitFor(() => mirror.status === 'stale', 5000, 'stale from the state');
  await relay.heartbeat(relay.state.seq); // stale absent = false
  await waitFor(() => mirror.status === 'live', 5000, 'live');
  await relay.heartbeat(relay.state.seq, { stale: true });
  await waitFor(() => mirror.status === 'stale', 5000, 'stale');
  expect(statuses).toEqual(['syncing', 'stale', 'live', 'stale']);
  expect(ids(mirror)).toEqual([1, 2]);
});

test('a rogue publisher: malformed payloads are reported as MalformedPayloadError, never applied, then a resync', async () => {
  const { relay, mirror, errors } = await setup();
  await mirror.ready;
  await relay.raw('on_change', { epoch: 'e1', seq: 'six', joined: [{ session: 66 }], left: [] });
  await relay.raw('on_change', { epoch: 'e1', seq: 6, joined: [{ session: -1 }], left: [] });
  await relay.raw('on_heartbeat', 'not a dict');
  await waitFor(() => errors.length === 3 && relay.stateCalls() >= 2, 5000, 'three reports and a resync');
  expect(errors.every((e) => MalformedPayloadError.is(e))).toBe(true);
  expect(ids(mirror)).toEqual([1, 2]);
  expect(mirror.status).toBe('live');
});

test('no relay yet: stale (get_state unavailable), retried with backoff; the mirror goes live once a relay registers', async () => {
  const router = await startRouter();
  const client = await connect(router);
  const mirror = mirrorPresence(client.session, { prefix: PREFIX });
  defer(() => mirror.dispose());
  const { errors } = observe(mirror);
  await waitFor(() => errors.length >= 2, 5000, 'two failed attempts');
  expect(mirror.status).toBe('stale');
  expect(errors[0]?.procedure).toBe(`${PREFIX}.get_state`);
  await testRelay(await connect(router), { epoch: 'e1', seq: 0, heartbeatMs: QUIET, stale: false, sessions: entries(5) });
  await mirror.ready;
  expect(ids(mirror)).toEqual([5]);
});
