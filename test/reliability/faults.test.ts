/**
 * Network and router faults against a real router: fox-wamp 0.7.28 (in-process, or in a child
 * process where it must die), with the observer's traffic going through a fault-injecting TCP
 * proxy (test/helpers/fault-proxy.ts), the way Ably tests presence. In every scenario the live set
 * of the observer (SessionMeta.fromConnection over a retrying autobahn Connection) must end up
 * equal to what the router lists to a referee client connected directly, once things are quiet.
 * fox lists its own internal meta session too; both sides see it, so it is part of both sets.
 */
import autobahn from 'autobahn';
import { CallTimeoutError } from '../../src';
import type { LiveSessionSet, MetaError, SessionId } from '../../src';
import { startFaultProxy } from '../helpers/fault-proxy';
import type { TestClient } from '../helpers/fox-router';
import { expectNoLeftovers } from '../helpers/hygiene';
import { startRouterProcess } from '../helpers/router-process';
import {
  expectLiveEqualsList,
  liveIds,
  openObserver,
  openReferee,
  signal,
  sortIds,
  type ObserverOptions,
} from '../helpers/reliability';
import { connect, defer, startRouter } from '../helpers/teardown';
import { sleep, waitFor } from '../helpers/wait';

autobahn.log.warn = () => {}; // every close and retry is logged otherwise

async function inProcessSetup() {
  const router = await startRouter();
  const proxy = await startFaultProxy(router.port);
  defer(() => proxy.close());
  const referee = await openReferee(router.url);
  defer(() => referee.close());
  return { router, proxy, referee };
}

const peers = (url: string, n: number): Promise<TestClient[]> => Promise.all(Array.from({ length: n }, () => connect(url)));

function observe(url: string, options?: ObserverOptions) {
  const observer = openObserver(url, options);
  defer(() => observer.close());
  return observer;
}

/** Status changes and set changes in the order the live set emitted them. */
function journal(live: LiveSessionSet): string[] {
  const entries: string[] = [];
  live.status$.subscribe((status) => entries.push(`status:${status}`));
  live.changes$.subscribe((change) => entries.push(`${change.type}:${change.session.session}`));
  return entries;
}

/** The changes in a journal, as sorted id lists. */
function changesIn(entries: readonly string[]): { left: SessionId[]; joined: SessionId[] } {
  const ids = (type: string) => sortIds(entries.filter((e) => e.startsWith(`${type}:`)).map((e) => Number(e.split(':')[1])));
  return { left: ids('left'), joined: ids('joined') };
}

const difference = (before: readonly SessionId[], after: readonly SessionId[]) => ({
  left: before.filter((id) => !after.includes(id)),
  joined: after.filter((id) => !before.includes(id)),
});

/** Runs `before` just before the first call of `procedure` on this session goes out. */
function beforeFirstCall(session: autobahn.Session, procedure: string, before: () => void): void {
  const call = session.call.bind(session) as (procedure: string, ...rest: unknown[]) => Promise<unknown>;
  let done = false;
  session.call = ((name: string, ...rest: unknown[]) => {
    if (name === procedure && !done) {
      done = true;
      before();
    }
    return call(name, ...rest);
  }) as typeof session.call;
}

test.each([
  ['wamp.session.list', 'the first sync', 1],
  ['wamp.session.get', 'the first sync', 1],
  ['wamp.session.get', 'a resync after a reconnect', 2],
])('a connection cut while %s of %s is in flight: reconnect, resync, and the set equals list()', async (held, _which, onOpen) => {
  const { router, proxy, referee } = await inProcessSetup();
  const [leaver] = await peers(router.url, 3);
  const holding = signal();
  let opens = 0;
  const observer = observe(proxy.url, {
    // Stall the transport just before the sync's `held` call goes out: the sync is then in flight.
    onSession(session) {
      if (++opens === onOpen) beforeFirstCall(session, held, () => (proxy.pause(), holding.resolve()));
    },
  });
  const live = observer.meta.liveSessions();
  const entries = journal(live);
  const errors: MetaError[] = [];
  live.on('error', (error) => errors.push(error));
  if (onOpen === 2) {
    await live.ready;
    proxy.cut();
  }

  await holding.promise;
  // The realm changes under the hanging sync, then the connection breaks.
  await leaver!.close();
  await connect(router.url);
  proxy.cut();
  proxy.resume();

  await live.ready;
  await expectLiveEqualsList(live, referee.meta);
  const statuses = entries.filter((e) => e.startsWith('status:')).map((e) => e.slice('status:'.length));
  const hung = ['syncing', 'stale', 'syncing', 'live']; // the sync that hung never went live
  expect(statuses).toEqual(onOpen === 1 ? hung : ['syncing', 'live', 'stale', ...hung]);
  expect(errors).toEqual([]); // a lost connection is a status, not an error
  expect(proxy.stats()).toMatchObject({ cut: onOpen, accepted: onOpen + 1 });
});

test('sessions that join and leave during an outage: stale meanwhile, then exactly the difference (3 cuts)', async () => {
  const { router, proxy, referee } = await inProcessSetup();
  const others = await peers(router.url, 3);
  const observer = observe(proxy.url);
  const live = observer.meta.liveSessions();
  await live.ready;
  await expectLiveEqualsList(live, referee.meta);
  const entries = journal(live);

  for (let round = 0; round < 3; round++) {
    const before = liveIds(live);
    const refusedBefore = proxy.stats().refused;
    const oldSelf = observer.connection.session?.id as number;
    entries.length = 0;
    proxy.refuse(true);
    proxy.cut();
    await waitFor(() => live.status === 'stale', 5000, 'status stale');

    // While the observer cannot get back in: two sessions leave, three join.
    const leaving = others.splice(0, 2);
    const gone = leaving.map((c) => c.session.id as number);
    await Promise.all(leaving.map((c) => c.close()));
    others.push(...(await peers(router.url, 3)));
    await waitFor(() => !router.sessionIds().some((id) => gone.includes(id)), 5000, 'the router saw them leave');
    await waitFor(() => proxy.stats().refused > refusedBefore, 5000, 'a refused reconnect attempt'); // autobahn kept trying

    expect(live.status).toBe('stale');
    expect(liveIds(live)).toEqual(before); // the last known set is kept, not emptied
    expect(entries).toEqual(['status:stale']);

    proxy.refuse(false);
    const after = await expectLiveEqualsList(live, referee.meta);
    const expected = difference(before, after);
    expect(changesIn(entries)).toEqual(expected);
    // Exactly those changes, each once, all after the status that explains them.
    expect(entries).toHaveLength(3 + expected.left.length + expected.joined.length);
    expect(entries.slice(0, 3)).toEqual(['status:stale', 'status:syncing', 'status:live']);
    // Those who left during the outage and the observer's own old session are among those gone,
    // its new session among those joined.
    expect(expected.left).toEqual(sortIds([...gone, oldSelf]));
    expect(expected.joined).toContain(observer.connection.session?.id);
  }

  // Three reconnects later the router holds one subscription per topic, and none after dispose.
  expect([router.subscriptionCount('wamp.session.on_join'), router.subscriptionCount('wamp.session.on_leave')]).toEqual([1, 1]);
  observer.meta.dispose();
  await expectNoLeftovers(router);
  expect(proxy.stats()).toMatchObject({ cut: 3 });
});

test('a router killed with SIGKILL and restarted on the same port: the set becomes the new list(), all ids new', async () => {
  const router = await startRouterProcess();
  defer(() => router.kill());
  const proxy = await startFaultProxy(router.port);
  defer(() => proxy.close());
  await peers(router.url, 2);
  const referee = await openReferee(router.url);
  defer(() => referee.close());
  const observer = observe(proxy.url);
  const live = observer.meta.liveSessions();
  await live.ready;
  const before = await expectLiveEqualsList(live, referee.meta);
  const entries = journal(live);

  await router.kill('SIGKILL');
  await waitFor(() => live.status === 'stale', 5000, 'status stale');
  expect(liveIds(live)).toEqual(before);

  await router.start();
  await peers(router.url, 3);
  const newReferee = await openReferee(router.url);
  defer(() => newReferee.close());
  const after = await expectLiveEqualsList(live, newReferee.meta, 10_000);

  expect(after.filter((id) => before.includes(id))).toEqual([]); // a new router: every id is new
  expect(after).toHaveLength(6); // 3 peers, the referee, the observer, fox's meta session
  expect(changesIn(entries)).toEqual({ left: before, joined: after });
});

test('a router slower than callTimeoutMs: CallTimeoutError on the error event, sync retried with backoff, recovery once it is fast again', async () => {
  const { router, proxy, referee } = await inProcessSetup();
  await peers(router.url, 2);
  const TIMEOUT_MS = 300;
  const observer = observe(proxy.url, { callTimeoutMs: TIMEOUT_MS });
  await observer.nextOpen();
  proxy.delay(1000, 'down');
  const live = observer.meta.liveSessions();
  const errors: Array<{ at: number; error: MetaError }> = [];
  live.on('error', (error) => errors.push({ at: Date.now(), error }));

  const listFailures = () => errors.filter(({ error }) => error.procedure === 'wamp.session.list');
  await waitFor(() => listFailures().length >= 3, 15_000, 'three failed sync attempts');
  expect(live.status).toBe('syncing');
  proxy.delay(0);
  await live.ready;
  await expectLiveEqualsList(live, referee.meta);

  // The SUBSCRIBEs were answered late too: reported, and the late answer still counted.
  expect(errors[0]!.error).toMatchObject({ procedure: 'wamp.session.on_join', timeoutMs: TIMEOUT_MS });
  const seen = listFailures().slice(0, 3);
  for (const { error } of seen) {
    expect(CallTimeoutError.is(error)).toBe(true);
    expect(error).toMatchObject({ procedure: 'wamp.session.list', timeoutMs: TIMEOUT_MS });
  }
  // Each retry waits at least half of 250 ms * 2^attempt (exponential backoff with jitter) and then
  // the timeout again; setTimeout never fires early, so these lower bounds are not flaky.
  for (let i = 1; i < seen.length; i++) {
    expect(seen[i]!.at - seen[i - 1]!.at).toBeGreaterThanOrEqual(TIMEOUT_MS + 125 * 2 ** (i - 1) - 5);
  }
});

test('a black-holed transport (bytes dropped, socket open): calls still settle, the set shows stale, and the next reconnect resyncs', async () => {
  const { router, proxy, referee } = await inProcessSetup();
  const [leaver] = await peers(router.url, 2);
  const observer = observe(proxy.url, { callTimeoutMs: 300 });
  const live = observer.meta.liveSessions({ verifyIntervalMs: 200 });
  await live.ready;
  const before = await expectLiveEqualsList(live, referee.meta);

  proxy.drop('both');
  await leaver!.close();
  await connect(router.url);
  await sleep(100);
  // No promise waits forever, even when nothing ever comes back.
  await expect(observer.meta.count()).rejects.toBeInstanceOf(CallTimeoutError);
  // Verification notices: the set stops claiming to be live, and keeps what it knew.
  await waitFor(() => live.status === 'stale', 5000, 'status stale');
  expect(liveIds(live)).toEqual(before);

  proxy.drop('none');
  proxy.cut();
  await expectLiveEqualsList(live, referee.meta);
});
