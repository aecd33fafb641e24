/**
 * The live session set against a real router: fox-wamp 0.7.28 in-process (test/helpers/fox-router.ts)
 * with autobahn clients. fox-wamp, not Crossbar: its `list` includes its internal meta session
 * (so the set does too), its `get` answers `{session}` only and never `no_such_session`, its
 * on_join has no authid/authrole; a restart gives every session a new id.
 */
import autobahn from 'autobahn';
import { SessionMeta } from '../../src';
import type { LiveSessionSet, LiveStatus } from '../../src';
import { connectClient, startFoxRouter, type ClientOptions, type FoxRouterHandle, type TestClient } from '../helpers/fox-router';
import { ON_JOIN, ON_LEAVE, idsOf, record, replay, sorted } from '../helpers/live-set';
import { waitFor } from '../helpers/wait';

autobahn.log.warn = () => {}; // every close is logged otherwise

const CONCURRENCY = 20;

/** Runs `task` for 0..n-1 with at most CONCURRENCY at a time. */
async function bounded<T>(n: number, task: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      out[i] = await task(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, n) }, worker));
  return out;
}

/** Resolves once the set has not changed for `quietMs` (bounded: fails after `timeoutMs`). */
async function quiet(live: LiveSessionSet, quietMs = 300, timeoutMs = 10_000): Promise<void> {
  let last = Date.now();
  const touch = (): void => {
    last = Date.now();
  };
  live.on('joined', touch).on('left', touch).on('status', touch);
  try {
    await waitFor(() => live.status === 'live' && Date.now() - last >= quietMs, timeoutMs, 'a quiet live set');
  } finally {
    live.off('joined', touch).off('left', touch).off('status', touch);
  }
}

let router: FoxRouterHandle | undefined;
let connection: autobahn.Connection | undefined;
let meta: SessionMeta | undefined;
const clients = new Set<TestClient>();

afterAll(async () => {
  meta?.dispose();
  try {
    connection?.close(); // also stops a reconnect loop, should a test have failed mid-restart
  } catch {
    // already closed
  }
  await bounded(clients.size, (i) => [...clients][i]!.close());
  await router?.stop();
});

async function client(url: string, options?: ClientOptions): Promise<TestClient> {
  const c = await connectClient(url, options);
  clients.add(c);
  return c;
}

async function leave(c: TestClient): Promise<void> {
  await c.close();
  clients.delete(c);
}

test('a live set over fox-wamp: churn during the first sync, a router restart, dispose', async () => {
  router = await startFoxRouter();
  const url = router.url;

  // The observer: a retrying connection SessionMeta follows across reconnects.
  connection = new autobahn.Connection({
    url,
    realm: router.realm,
    use_es6_promises: true,
    max_retries: -1,
    initial_retry_delay: 0.1,
    max_retry_delay: 0.3,
    retry_delay_jitter: 0,
  });
  meta = SessionMeta.fromConnection(connection);
  const opened = new Promise<void>((resolve) => (connection!.onopen = () => resolve()));
  connection.open();
  await opened;

  // 50 sessions before the set starts (20 of them reconnect after a restart).
  const before = await bounded(50, (i) => client(url, { retry: i < 20 }));

  // ---- 200 clients joining and 80 leaving while the initial sync runs (on top of 50 already there) ----
  const live = meta.liveSessions({ syncConcurrency: 1 }); // one get at a time: more churn overlaps the sync
  const rec = record(live);
  const statuses: LiveStatus[] = [];
  live.status$.subscribe((s) => statuses.push(s));
  const joined = bounded(200, () => client(url));
  const left = bounded(30, (i) => leave(before[20 + i]!)).then(() => undefined);
  const [newcomers] = await Promise.all([joined, left, live.ready]);
  // And some of the newcomers leave again.
  await bounded(50, (i) => leave(newcomers[i]!));

  await quiet(live);
  expect(idsOf(live)).toEqual(sorted(await meta.list()));
  expect(live.size).toBe(router.sessionIds().length + 1); // + fox's internal meta session
  expect(sorted(replay(rec.changes).keys())).toEqual(idsOf(live));
  expect(statuses).toEqual(['syncing', 'live']);

  // ---- router stopped, sessions change, router restarted ----
  const old = idsOf(live);
  const changesBefore = rec.changes.length;
  await router.stop(); // every socket dropped: non-retrying clients are gone for good
  await waitFor(() => live.status === 'stale', 5000, 'status stale');
  expect(idsOf(live)).toEqual(old); // the last known set is kept

  await router.restart();
  const reborn = await bounded(30, () => client(url)); // new ones, while the 20 reconnect
  await waitFor(() => router!.sessionIds().length === 1 + 20 + reborn.length, 10_000, 'everyone back');
  await quiet(live);

  const now = idsOf(live);
  expect(now).toEqual(sorted(await meta.list()));
  expect(now.filter((id) => old.includes(id))).toEqual([]); // all ids are new after a restart
  const diff = rec.changes.slice(changesBefore);
  const lefts = diff.filter((c) => c.type === 'left').map((c) => c.session.session);
  const joins = diff.filter((c) => c.type === 'joined').map((c) => c.session.session);
  expect(sorted(lefts)).toEqual(old); // each old session left exactly once
  expect(sorted(joins)).toEqual(now); // each new one joined exactly once
  expect(statuses).toEqual(['syncing', 'live', 'stale', 'syncing', 'live']);

  // ---- dispose ----
  const subscriptions = (): number[] => [router!.subscriptionCount(ON_JOIN), router!.subscriptionCount(ON_LEAVE)];
  expect(subscriptions()).toEqual([1, 1]);
  const changesAtDispose = rec.changes.length;
  live.dispose();
  await waitFor(() => subscriptions().every((n) => n === 0), 2000, 'no meta subscription left on the router');
  await leave(reborn[0]!);
  expect(rec.changes.length).toBe(changesAtDispose); // silent: no left, nothing after
  expect(statuses.at(-1)).toBe('closed');
}, 30_000);

