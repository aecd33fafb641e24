/**
 * Proves the real-router harness (test/helpers/fox-router.ts) against fox-wamp 0.7.28.
 * Every shape asserted here is what fox-wamp sends, NOT Crossbar 22.6.1; where they differ the
 * Crossbar behaviour (fixtures/crossbar/) is named in a comment.
 */
import autobahn from 'autobahn';
import WebSocket from 'ws';
import { connect, defer, startRouter } from '../helpers/teardown';

// autobahn console.warn()s every close ("connection closed", "auto-reconnect disabled!").
autobahn.log.warn = () => {};

type Received = { args: unknown[]; kwargs: Record<string, unknown>; details: autobahn.EventDetails };

/** Subscribes and returns a function resolving with the next event on `topic`. */
async function recorder(session: autobahn.Session, topic: string): Promise<() => Promise<Received>> {
  const queue: Received[] = [];
  let wake: (() => void) | undefined;
  await session.subscribe(topic, (args, kwargs, details) => {
    queue.push({ args, kwargs, details });
    wake?.();
  });
  return async () => {
    while (queue.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    return queue.shift()!;
  };
}

/** The router sees a socket close a moment after the client does: poll router-side state. */
async function eventually<T>(read: () => T, expected: T): Promise<void> {
  for (let i = 0; i < 100 && !Object.is(JSON.stringify(read()), JSON.stringify(expected)); i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  expect(read()).toEqual(expected);
}

function wampError(call: Promise<unknown>): Promise<{ error: string; args: unknown[] }> {
  return call.then(
    (value) => Promise.reject(new Error(`expected a WAMP error, got ${JSON.stringify(value)}`)),
    (err: autobahn.Error) => ({ error: err.error, args: err.args }),
  );
}

test('starts on a random loopback port with realm1', async () => {
  const r = await startRouter();
  expect(r.url).toBe(`ws://127.0.0.1:${r.port}`);
  expect(r.port).toBeGreaterThan(0);
  expect(r.realm).toBe('realm1');
  expect(r.sessionIds()).toEqual([]);
});

test('count / list / get as fox-wamp answers them', async () => {
  const r = await startRouter();
  const a = await connect(r);
  const b = await connect(r);
  const ids = [a.session.id, b.session.id];
  expect(r.sessionIds().sort()).toEqual([...ids].sort());

  // +1: fox's internal meta session (Crossbar never counts its service session).
  expect(await a.session.call('wamp.session.count')).toBe(3);
  // fox ignores filter_authroles (Crossbar: [] → 0).
  expect(await a.session.call('wamp.session.count', [[]])).toBe(3);

  // fox flattens the list onto the RESULT args (Crossbar: args [[ids]]), so autobahn hands over a
  // Result with one arg per session — and a bare number if only one session were in the realm.
  const list = (await a.session.call('wamp.session.list')) as autobahn.Result;
  expect(list).toBeInstanceOf(autobahn.Result);
  expect(list.args).toHaveLength(3);
  expect(list.args).toEqual(expect.arrayContaining(ids));
  expect(list.kwargs).toEqual({});

  // Only {session}, for any integer id (Crossbar: full SessionDetails / wamp.error.no_such_session).
  expect(await a.session.call('wamp.session.get', [b.session.id])).toEqual({ session: b.session.id });
  expect(await a.session.call('wamp.session.get', [1234567])).toEqual({ session: 1234567 });
  expect(await wampError(a.session.call('wamp.session.get', ['abc']))).toEqual({
    error: 'wamp.error.callee_failure',
    args: ['unable to get session id'],
  });
});

test('on_join / on_leave as an autobahn observer receives them', async () => {
  const r = await startRouter();
  const observer = await connect(r);
  const nextJoin = await recorder(observer.session, 'wamp.session.on_join');
  const nextLeave = await recorder(observer.session, 'wamp.session.on_leave');

  const joiner = await connect(r, { authid: 'alice', authrole: 'user' });
  const id = joiner.session.id;
  const join = await nextJoin();
  // Wire args null (autobahn gives []), details in kwargs; no authid/authrole even when HELLO had
  // them (Crossbar: args [SessionDetails], no kwargs).
  expect(join.args).toEqual([]);
  expect(join.kwargs).toEqual({ session: id, authmethod: 'anonymous', transport: { protocol: 'wamp.2.json' } });
  expect(join.details).toEqual({
    publication: expect.any(Number),
    topic: 'wamp.session.on_join',
    publisher: expect.any(Number), // the internal meta session
    retained: false,
  });
  // The harness still knows who it is (HELLO authid + authextra.role).
  expect(r.identity(id!)).toEqual({ authid: 'alice', authrole: 'user' });

  await joiner.close();
  const leave = await nextLeave();
  expect(leave.args).toEqual([id]); // same as Crossbar: only the id
  expect(leave.kwargs).toEqual({});
});

test('on_join / on_leave on the wire', async () => {
  const r = await startRouter();
  const ws = new WebSocket(r.url, 'wamp.2.json');
  const frames: unknown[][] = [];
  const waiters: Array<() => void> = [];
  ws.on('message', (data) => {
    frames.push(JSON.parse(String(data)));
    waiters.splice(0).forEach((w) => w());
  });
  defer(() => ws.terminate());
  const next = async (type: number) => {
    for (;;) {
      const i = frames.findIndex((f) => f[0] === type);
      if (i >= 0) return frames.splice(i, 1)[0];
      await new Promise<void>((resolve) => waiters.push(resolve));
    }
  };
  await new Promise((resolve) => ws.once('open', resolve));
  ws.send(JSON.stringify([1, 'realm1', { roles: { subscriber: {} } }]));
  await next(2); // WELCOME
  ws.send(JSON.stringify([32, 1, {}, 'wamp.session.on_join']));
  ws.send(JSON.stringify([32, 2, {}, 'wamp.session.on_leave']));
  await next(33);
  await next(33);

  const c = await connect(r);
  const id = c.session.id;
  const [, , , joinDetails, joinArgs, joinKwargs] = await next(36);
  expect(joinDetails).toEqual({ topic: 'wamp.session.on_join', publisher: expect.any(Number) });
  expect(joinArgs).toBeNull();
  expect(joinKwargs).toEqual({ session: id, authmethod: 'anonymous', transport: { protocol: 'wamp.2.json' } });

  await c.close();
  const [, , , , leaveArgs, leaveKwargs] = await next(36);
  expect(leaveArgs).toEqual([id]);
  expect(leaveKwargs).toBeNull();
});

test('wamp.session.kill: victim gets GOODBYE reason + message, caller gets null', async () => {
  const r = await startRouter();
  const killer = await connect(r);
  const victim = await connect(r);
  const nextLeave = await recorder(killer.session, 'wamp.session.on_leave');
  const victimId = victim.session.id; // autobahn nulls session.id on close

  const closed = victim.nextClose();
  const result = await killer.session.call('wamp.session.kill', [victimId], {
    reason: 'com.example.kicked',
    message: 'bye',
  });
  expect(result).toBeNull(); // RESULT [null], as Crossbar
  const { reason, details } = await closed;
  expect(reason).toBe('closed');
  expect(details).toMatchObject({ reason: 'com.example.kicked', message: 'bye', will_retry: false });
  expect((await nextLeave()).args).toEqual([victimId]);
  await eventually(() => r.sessionIds(), [killer.session.id]);
});

test('wamp.session.kill: defaults and errors as Crossbar', async () => {
  const r = await startRouter();
  const killer = await connect(r);
  const victim = await connect(r);

  const closed = victim.nextClose();
  await killer.session.call('wamp.session.kill', [victim.session.id]);
  expect((await closed).details).toMatchObject({ reason: 'wamp.close.normal', message: '' });

  expect(await wampError(killer.session.call('wamp.session.kill', [1234567]))).toEqual({
    error: 'wamp.error.no_such_session',
    args: ['no session with ID 1234567 exists on this router'],
  });
  expect((await wampError(killer.session.call('wamp.session.kill', []))).error).toBe('wamp.error.runtime_error');
});

test('kill_by_authid / kill_by_authrole return the killed ids and include the caller', async () => {
  const r = await startRouter();
  const observer = await connect(r);
  const alice1 = await connect(r, { authid: 'alice', authrole: 'user' });
  const alice2 = await connect(r, { authid: 'alice', authrole: 'user' });
  const bob = await connect(r, { authid: 'bob', authrole: 'user' });
  const aliceIds = [alice1.session.id, alice2.session.id]; // autobahn nulls session.id on close

  const aliceClosed = Promise.all([alice1.nextClose(), alice2.nextClose()]);
  const killed = await observer.session.call('wamp.session.kill_by_authid', ['alice'], { message: 'go' });
  // RESULT args [[ids]] on the wire, so autobahn hands over the list (as with Crossbar).
  expect(killed).toEqual(expect.arrayContaining(aliceIds));
  expect(killed).toHaveLength(2);
  for (const { details } of await aliceClosed) {
    expect(details).toMatchObject({ reason: 'wamp.close.normal', message: 'go' });
  }
  expect(await observer.session.call('wamp.session.kill_by_authid', ['nobody'])).toEqual([]);

  // bob kills his own role: killed too, and like Crossbar he never gets a RESULT.
  const bobClosed = bob.nextClose();
  let answered = false;
  void bob.session.call('wamp.session.kill_by_authrole', ['user']).then(
    () => (answered = true),
    () => (answered = true),
  );
  expect((await bobClosed).details.reason).toBe('wamp.close.normal');
  await eventually(() => r.sessionIds(), [observer.session.id]);
  expect(answered).toBe(false);

  // The procedures are not left busy by the unanswered self-kill.
  expect(await observer.session.call('wamp.session.kill_by_authrole', ['user'])).toEqual([]);
});

test('stop() + restart() on the same port: a retrying client reconnects with a new session', async () => {
  const r = await startRouter();
  const c = await connect(r, { retry: true });
  const firstId = c.session.id;
  const port = r.port;

  const lost = c.nextClose();
  await r.stop();
  expect((await lost).reason).toBe('lost');
  expect((await lost).details.will_retry).toBe(true);
  // At least one attempt against the closed port (ECONNREFUSED) must still come back as onclose.
  expect((await c.nextClose()).details.will_retry).toBe(true);

  const reopened = c.nextOpen();
  await r.restart();
  const session = await reopened;
  expect(r.port).toBe(port);
  expect(session.id).not.toBe(firstId);
  expect(r.sessionIds()).toEqual([session.id]);
  expect(await session.call('wamp.session.count')).toBe(2);
});

test('subscriptionCount follows subscribe / unsubscribe / leave', async () => {
  const r = await startRouter();
  const a = await connect(r);
  const b = await connect(r);
  const topic = 'wamp.session.on_join';
  expect(r.subscriptionCount(topic)).toBe(0);

  const subA = await a.session.subscribe(topic, () => {});
  await b.session.subscribe(topic, () => {});
  expect(r.subscriptionCount(topic)).toBe(2);
  expect(r.subscriptionCount('wamp.session.on_leave')).toBe(0);

  await a.session.unsubscribe(subA);
  expect(r.subscriptionCount(topic)).toBe(1);
  await b.close(); // the router drops a leaving session's subscriptions
  await eventually(() => r.subscriptionCount(topic), 0);
});
