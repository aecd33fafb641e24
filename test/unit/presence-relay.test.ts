/**
 * The presence relay over a scripted realm, with injected timers: what it publishes, when, and in
 * which shape (API.md §6 wire protocol), without a router. The session records what the relay
 * registers and publishes.
 */
import { config } from 'rxjs';
import { SessionClosedError, SessionMeta, publishPresence } from '../../src';
import type { LiveSessionSetOptions, MetaError, PresenceEntry, SessionDetails } from '../../src';
import { FakeSession, WampError, flush, type FakeSessionOptions } from '../helpers/fake-session';
import { ScriptedRealm, metaTracker } from '../helpers/live-set';
import { PREFIX } from '../helpers/presence';

const metas = metaTracker();

/** A FakeSession that can also register and publish, as an autobahn Session does. */
class RelaySession extends FakeSession {
  readonly published: Array<{ topic: string; payload: Record<string, unknown> }> = [];
  readonly registered = new Map<string, () => unknown>();
  unregistered = 0;

  register(procedure: string, endpoint: () => unknown): Promise<{ procedure: string }> {
    this.registered.set(procedure, endpoint);
    return Promise.resolve({ procedure });
  }

  unregister(): Promise<void> {
    this.unregistered++;
    return Promise.resolve();
  }

  override publish(topic: string, args?: unknown[] | null, kwargs?: Record<string, unknown> | null, options?: Record<string, unknown>): Promise<void> | undefined {
    if (!topic.startsWith(PREFIX)) {
      super.publish(topic, args, kwargs);
      return undefined;
    }
    this.published.push({ topic: topic.slice(PREFIX.length + 1), payload: args![0] as Record<string, unknown> });
    return options?.acknowledge ? Promise.resolve() : undefined;
  }

  state(): Record<string, unknown> {
    return this.registered.get(`${PREFIX}.get_state`)!() as Record<string, unknown>;
  }

  changes(): Array<Record<string, unknown>> {
    return this.published.filter((p) => p.topic === 'on_change').map((p) => p.payload);
  }

  heartbeats(): Array<Record<string, unknown>> {
    return this.published.filter((p) => p.topic === 'on_heartbeat').map((p) => p.payload);
  }
}

beforeEach(() => jest.useFakeTimers({ doNotFake: ['setImmediate', 'queueMicrotask', 'nextTick'] }));
afterEach(() => {
  metas.disposeAll();
  jest.useRealTimers();
});

/**
 * A live set (no verification) on a session of `Kind` that a scripted realm answers, after the
 * first flush. `users` are in the realm already; `self` is the session's own role in it, if listed.
 */
async function liveOn<S extends RelaySession>(
  Kind: new (options: FakeSessionOptions) => S,
  { id = 1, users = [], self, options }: { id?: number; users?: number[]; self?: string; options?: LiveSessionSetOptions } = {},
) {
  const realm = new ScriptedRealm();
  for (const user of users) realm.add(user, 'user', false);
  const session = new Kind({ id, onCall: realm.answerNow });
  realm.sessions.push(session);
  if (self !== undefined) realm.add(id, self, false);
  const meta: SessionMeta = metas.make(session);
  const live = meta.liveSessions({ verifyIntervalMs: 0, ...options });
  await flush();
  return { realm, session, meta, live };
}

async function running(others: number[] = [11, 12], project?: (s: SessionDetails) => PresenceEntry) {
  const { realm, session, meta, live } = await liveOn(RelaySession, { users: others, self: 'service' });
  await live.ready;
  const relay = publishPresence(live, { prefix: PREFIX, heartbeatMs: 1000, ...(project && { project }) });
  const errors: MetaError[] = [];
  relay.errors$.subscribe((e) => errors.push(e));
  await relay.ready;
  return { realm, session, meta, live, relay, errors };
}

test('get_state: epoch, seq, heartbeatMs, stale and the projected sessions; nothing private', async () => {
  const { session } = await running();
  const state = session.state();
  expect(state).toMatchObject({ seq: 0, heartbeatMs: 1000, stale: false });
  expect(typeof state.epoch).toBe('string');
  expect(state.sessions).toEqual([
    { session: 11, authid: 'user-11', authrole: 'user' },
    { session: 12, authid: 'user-12', authrole: 'user' },
    { session: 1, authid: 'user-1', authrole: 'service' },
  ]);
  expect(JSON.stringify(state)).not.toContain('peer'); // Crossbar's transport.peer stays in the service
  expect(session.heartbeats()).toEqual([{ epoch: state.epoch, seq: 0 }]); // announced once registered
});

test('a burst of 1000 joins in one tick is one publication, seq + 1', async () => {
  const { realm, session } = await running();
  for (let i = 0; i < 1000; i++) realm.add(100 + i);
  expect(session.changes()).toEqual([]);
  jest.advanceTimersByTime(10);
  const changes = session.changes();
  expect(changes).toHaveLength(1);
  expect(changes[0]).toMatchObject({ seq: 1, left: [] });
  expect((changes[0]!.joined as unknown[]).length).toBe(1000);
});

test('a join and its leave in the same window publish nothing; leaves go out as ids', async () => {
  const { realm, session } = await running();
  realm.add(50);
  realm.remove(50);
  realm.remove(11);
  jest.advanceTimersByTime(10);
  expect(session.changes()).toEqual([expect.objectContaining({ seq: 1, joined: [], left: [11] })]);
});

test('get_state sends pending changes first, so its seq covers every entry in it', async () => {
  const { realm, session } = await running();
  realm.add(60);
  const state = session.state();
  expect(session.changes()).toEqual([expect.objectContaining({ seq: 1, joined: [{ session: 60, authid: 'user-60', authrole: 'user' }] })]);
  expect(state.seq).toBe(1);
  expect((state.sessions as PresenceEntry[]).map((e) => e.session)).toContain(60);
});

test('heartbeats every heartbeatMs with the last seq; at once with stale: true when the set goes stale', async () => {
  const { realm, session, meta } = await running();
  jest.advanceTimersByTime(1000);
  expect(session.heartbeats().at(-1)).toEqual({ epoch: session.state().epoch, seq: 0 });
  realm.add(70);
  jest.advanceTimersByTime(1000); // the change goes out before the heartbeat that counts it
  expect(session.heartbeats().at(-1)).toMatchObject({ seq: 1 });
  meta.detach(); // the set goes stale: said at once, while the session can still say it
  expect(session.heartbeats().at(-1)).toMatchObject({ seq: 1, stale: true });
  const before = session.published.length;
  jest.advanceTimersByTime(3000);
  expect(session.published.length).toBe(before); // detached: nothing goes out
  meta.attach(session);
  await flush();
  expect(session.heartbeats().at(-1)).toEqual({ epoch: session.state().epoch, seq: 1 }); // re-registered, resynced: live again
});

test('a custom projection decides what leaves; one that throws or lies is reported and skipped', async () => {
  const project = (s: SessionDetails): PresenceEntry => {
    if (s.session === 12) throw new Error('bug in projection');
    if (s.session === 11) return { session: 999 };
    return { session: s.session, name: s.authid?.toUpperCase() };
  };
  const { session, errors } = await running([11, 12], project);
  expect(session.state().sessions).toEqual([{ session: 1, name: 'USER-1' }]);
  expect(errors).toHaveLength(2);
});

test('dispose: a last heartbeat with stale: true, unregistered, silent afterwards', async () => {
  const { realm, session, relay } = await running();
  relay.dispose();
  expect(session.heartbeats().at(-1)).toMatchObject({ stale: true });
  expect(session.unregistered).toBe(1);
  const count = session.published.length;
  realm.add(80);
  jest.advanceTimersByTime(5000);
  expect(session.published.length).toBe(count);
  relay.dispose(); // idempotent
});

test('a new session of its SessionMeta: registered again, and what changed meanwhile goes out', async () => {
  const { realm, session, meta } = await running();
  const next = new RelaySession({ id: 2, onCall: realm.answerNow });
  realm.sessions.push(next);
  meta.attach(next);
  await flush();
  expect(next.registered.has(`${PREFIX}.get_state`)).toBe(true);
  expect(session.state().epoch).toBe(next.state().epoch); // same relay, same epoch
});

/** A RelaySession whose REGISTERED comes when the test says. */
class SlowRegisterSession extends RelaySession {
  readonly pendingRegisters: Array<() => void> = [];
  readonly unregisteredWhat: unknown[] = [];

  override register(procedure: string, endpoint: () => unknown): Promise<{ procedure: string }> {
    return new Promise((resolve) => this.pendingRegisters.push(() => resolve(super.register(procedure, endpoint))));
  }

  override unregister(registration?: unknown): Promise<void> {
    this.unregisteredWhat.push(registration);
    return super.unregister();
  }
}

/** A synced live set on a session whose REGISTERs wait for the test. */
async function slowRegistering() {
  const { session, meta, live } = await liveOn(SlowRegisterSession, { self: 'service' });
  return { session, meta, live };
}

test('disposed while its REGISTER is in flight: the registration that comes back is unregistered, not left on the router', async () => {
  const { session, meta, live } = await slowRegistering();
  const relay = publishPresence(live, { prefix: PREFIX, heartbeatMs: 1000 });
  await flush();
  expect(session.pendingRegisters).toHaveLength(1);
  relay.dispose();
  session.pendingRegisters[0]!();
  await flush();
  expect(session.unregisteredWhat).toEqual([{ procedure: `${PREFIX}.get_state` }]);
});

test('a session let go while still open (detach, attach of another): its get_state registration is removed', async () => {
  const { realm, session, meta } = await running();
  meta.detach(); // the session stays open: it would go on answering get_state, and block the next REGISTER
  expect(session.unregistered).toBe(1);
  const next = new RelaySession({ id: 2, onCall: realm.answerNow });
  realm.sessions.push(next);
  meta.attach(next);
  await flush();
  expect(next.registered.has(`${PREFIX}.get_state`)).toBe(true);
  expect(session.unregistered).toBe(1);
});

test('a session let go while its REGISTER is in flight: the late registration is removed', async () => {
  const { session, meta, live } = await slowRegistering();
  publishPresence(live, { prefix: PREFIX, heartbeatMs: 1000 });
  await flush();
  meta.detach();
  session.pendingRegisters[0]!();
  await flush();
  expect(session.unregisteredWhat).toEqual([{ procedure: `${PREFIX}.get_state` }]);
});

test('the union of several sets: a session that leaves one set but is still in another stays in the presence', async () => {
  // Two router nodes, each with its own meta session; session 11 is seen by both sets (e.g. two
  // sets of one realm with overlapping filters, or one session known to two nodes).
  const node = async (id: number) => {
    const node = await liveOn(RelaySession, { id, users: [11], options: { includeSelf: false } });
    await node.live.ready;
    return node;
  };
  const a = await node(1);
  const b = await node(2);
  const relay = publishPresence([a.live, b.live], { prefix: PREFIX, heartbeatMs: 1000, via: a.meta });
  await relay.ready;
  a.realm.remove(11);
  jest.advanceTimersByTime(10);
  expect(b.live.has(11)).toBe(true);
  expect(a.session.changes()).toEqual([]); // still present through b
  expect((a.session.state().sessions as PresenceEntry[]).map((e) => e.session)).toEqual([11]);
  b.realm.remove(11);
  jest.advanceTimersByTime(10);
  expect(a.session.changes()).toEqual([expect.objectContaining({ seq: 1, joined: [], left: [11] })]);
  relay.dispose();
});

test('a projection whose entry mirrors cannot read (authid: 42) is reported and skipped, not published to every mirror', async () => {
  const project = (s: SessionDetails): PresenceEntry => (s.session === 12 ? { session: 12, authid: 42 } : { session: s.session, authid: s.authid });
  const { realm, session, errors } = await running([11, 12], project);
  expect((session.state().sessions as PresenceEntry[]).map((e) => e.session)).toEqual([11, 1]);
  expect(errors).toHaveLength(1);
  realm.add(13, 'user', true, { session: 13, authid: 'user-13', authrole: 'user' });
  jest.advanceTimersByTime(10);
  expect(session.changes()).toEqual([expect.objectContaining({ joined: [{ session: 13, authid: 'user-13' }] })]);
});

test('ready does not stay pending for ever when the relay is disposed before it registered: it rejects (SessionClosedError)', async () => {
  const meta = metas.make(null);
  const live = meta.liveSessions({ verifyIntervalMs: 0 });
  const relay = publishPresence(live, { prefix: PREFIX, heartbeatMs: 1000 });
  relay.dispose();
  await expect(relay.ready).rejects.toBeInstanceOf(SessionClosedError);
});

test('a session that closed a moment ago (REGISTER throws "session not open", as autobahn does): nothing thrown, registered on the next one', async () => {
  class StrictSession extends RelaySession {
    override register(procedure: string, endpoint: () => unknown): Promise<{ procedure: string }> {
      if (!this.isOpen) throw 'session not open';
      return super.register(procedure, endpoint);
    }
  }
  const unhandled: unknown[] = [];
  config.onUnhandledError = (error) => unhandled.push(error);
  try {
    const { realm, session, meta, live } = await liveOn(StrictSession);
    session.drop(); // the transport dropped; the liveness check has not noticed yet
    const relay = publishPresence(live, { prefix: PREFIX, heartbeatMs: 1000 });
    await flush();
    jest.advanceTimersByTime(1); // RxJS reports an error thrown by an observer on a timer
    expect(unhandled).toEqual([]);
    const next = new StrictSession({ id: 2, onCall: realm.answerNow });
    realm.sessions.push(next);
    meta.attach(next);
    await relay.ready;
    expect(next.registered.has(`${PREFIX}.get_state`)).toBe(true);
  } finally {
    config.onUnhandledError = null;
  }
});

test('a REGISTER refused for a while (the router still holds the registration of the session before a reconnect): retried with backoff', async () => {
  class BusySession extends RelaySession {
    refusals = 2;
    override register(procedure: string, endpoint: () => unknown): Promise<{ procedure: string }> {
      if (this.refusals-- > 0) return Promise.reject(new WampError('wamp.error.procedure_already_exists'));
      return super.register(procedure, endpoint);
    }
  }
  const { session, live } = await liveOn(BusySession);
  const relay = publishPresence(live, { prefix: PREFIX, heartbeatMs: 60_000 });
  const errors: MetaError[] = [];
  relay.errors$.subscribe((e) => errors.push(e));
  let ready = false;
  void relay.ready.then(() => (ready = true));
  for (let i = 0; i < 40 && !ready; i++) {
    jest.advanceTimersByTime(250);
    await flush();
  }
  expect(ready).toBe(true);
  expect(session.registered.has(`${PREFIX}.get_state`)).toBe(true);
  expect(errors.map((e) => e.code)).toHaveLength(2); // each refusal reported
});

test('disposed from an errors$ observer while a heartbeat goes out: no timer left running', async () => {
  class FailingSession extends RelaySession {
    override publish(topic: string, args?: unknown[] | null, kwargs?: Record<string, unknown> | null, options?: Record<string, unknown>): Promise<void> | undefined {
      if (topic === `${PREFIX}.on_heartbeat` && this.registered.size > 0 && this.published.length > 0) throw new Error('socket write failed');
      return super.publish(topic, args, kwargs, options);
    }
  }
  const { live } = await liveOn(FailingSession);
  await live.ready;
  const timers = jest.getTimerCount();
  const relay = publishPresence(live, { prefix: PREFIX, heartbeatMs: 1000 });
  relay.errors$.subscribe(() => relay.dispose());
  await relay.ready; // the first heartbeat goes out
  jest.advanceTimersByTime(1000); // the next one fails: the observer disposes the relay
  expect(jest.getTimerCount()).toBe(timers);
});
