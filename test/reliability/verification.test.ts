/**
 * A live set that proves it is right, against a real router (fox-wamp 0.7.28 in-process), with the
 * observer's traffic going through a WAMP-level fault proxy (test/helpers/meta-faults.ts): a link
 * that goes silent while the socket stays open, SUBSCRIBEs nobody answers, meta events lost on the
 * way. Short intervals (200 ms) keep the suite quick; the exact timing rules (stale within two
 * intervals) are proved with injected timers in test/unit/live-verify.test.ts. The times measured
 * here go to test/artifacts/verification.json for the record.
 */
import fs from 'node:fs';
import path from 'node:path';
import autobahn from 'autobahn';
import { CallTimeoutError, DriftError } from '../../src';
import type { LiveSessionSet, MetaError, SessionSetChange } from '../../src';
import { startMetaFaultProxy } from '../helpers/meta-faults';
import { expectLiveEqualsList, liveIds, openObserver, openReferee, sortIds } from '../helpers/reliability';
import { connect, defer, startRouter } from '../helpers/teardown';
import { sleep, waitFor } from '../helpers/wait';

autobahn.log.warn = () => {};

const INTERVAL_MS = 200;
const TIMEOUT_MS = 300;
const measured: Record<string, number> = {};

afterAll(() => {
  const dir = path.join(__dirname, '..', 'artifacts');
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'verification.json'), JSON.stringify({ intervalMs: INTERVAL_MS, callTimeoutMs: TIMEOUT_MS, ...measured }, null, 2));
});

async function setup(peerCount: number) {
  const router = await startRouter();
  const proxy = await startMetaFaultProxy(router.url);
  defer(() => proxy.close());
  const referee = await openReferee(router.url);
  defer(() => referee.close());
  let opens = 0;
  const observer = openObserver(proxy.url, { callTimeoutMs: TIMEOUT_MS, onSession: () => opens++ });
  defer(() => observer.close());
  await observer.nextOpen();
  const peers = await Promise.all(Array.from({ length: peerCount }, () => connect(router)));
  return { router, proxy, referee, observer, peers, opens: () => opens };
}

function watch(live: LiveSessionSet): { errors: MetaError[]; changes: SessionSetChange[] } {
  const errors: MetaError[] = [];
  const changes: SessionSetChange[] = [];
  live.on('error', (e) => errors.push(e));
  live.changes$.subscribe((c) => changes.push(c));
  return { errors, changes };
}

test('a silent link (socket open) shows stale, and the set comes back live and right without a reconnect once bytes flow', async () => {
  const { router, proxy, referee, observer, peers, opens } = await setup(4);
  const live = observer.meta.liveSessions({ verifyIntervalMs: INTERVAL_MS });
  const { errors } = watch(live);
  await live.ready;
  await expectLiveEqualsList(live, referee.meta);

  proxy.silence(true);
  const silentAt = Date.now();
  await peers[0]!.close();
  await peers[1]!.close();
  await connect(router);
  await waitFor(() => live.status !== 'live', 10_000, 'the set stops saying live');
  measured.silentToStaleMs = Date.now() - silentAt;
  expect(live.status).toBe('stale');
  expect(errors.some((e) => CallTimeoutError.is(e) && e.procedure === 'wamp.session.count')).toBe(true);
  expect(live.getSnapshot()).toMatchObject({ status: 'stale', error: expect.any(CallTimeoutError) });
  expect(live.size).toBeGreaterThan(0); // the last known set is kept

  proxy.silence(false);
  const flowingAt = Date.now();
  await expectLiveEqualsList(live, referee.meta, 10_000);
  measured.flowingToLiveMs = Date.now() - flowingAt;
  expect(opens()).toBe(1); // no reconnect: the same session recovered
  expect(live.getSnapshot().error).toBeUndefined();
});

test('a SUBSCRIBE nobody answers is reported and sent again; the set goes live once one is answered, without a reconnect', async () => {
  const { proxy, referee, observer, opens } = await setup(2);
  proxy.swallowSubscribes(true);
  const live = observer.meta.liveSessions({ verifyIntervalMs: INTERVAL_MS });
  const { errors } = watch(live);
  await waitFor(() => errors.length >= 2, 10_000, 'two SUBSCRIBE timeouts reported');
  expect(live.status).toBe('syncing');
  for (const error of errors) {
    expect(CallTimeoutError.is(error)).toBe(true);
    expect(['wamp.session.on_join', 'wamp.session.on_leave']).toContain(error.procedure);
  }
  expect(proxy.stats().subscribesSwallowed).toBeGreaterThanOrEqual(4); // both topics, at least twice

  proxy.swallowSubscribes(false);
  await live.ready;
  await expectLiveEqualsList(live, referee.meta);
  expect(opens()).toBe(1);
});

test('5 lost leaves and 4 lost joins are repaired: exactly those changes, one DriftError { joined: 4, left: 5 }', async () => {
  const { router, proxy, referee, observer, peers } = await setup(6);
  const live = observer.meta.liveSessions({ verifyIntervalMs: INTERVAL_MS });
  const { errors, changes } = watch(live);
  const metaErrors: MetaError[] = [];
  observer.meta.errors$.subscribe((e) => metaErrors.push(e));
  await live.ready;
  await expectLiveEqualsList(live, referee.meta);
  await sleep(3 * INTERVAL_MS); // calibrated and verified at least once
  changes.length = 0;

  proxy.dropEvents('wamp.session.on_leave', 5);
  proxy.dropEvents('wamp.session.on_join', 4);
  const leaving = peers.slice(0, 5);
  const gone = sortIds(leaving.map((p) => p.session.id!));
  await Promise.all(leaving.map((p) => p.close()));
  const joining = await Promise.all(Array.from({ length: 4 }, () => connect(router)));
  const lostAt = Date.now();
  await waitFor(() => errors.some((e) => DriftError.is(e)), 10_000, 'a DriftError');
  measured.driftToRepairMs = Date.now() - lostAt;

  expect(proxy.stats().eventsDropped).toEqual({ 'wamp.session.on_join': 4, 'wamp.session.on_leave': 5 });
  const drifts = errors.filter((e) => DriftError.is(e));
  expect(drifts).toHaveLength(1);
  expect(drifts[0]).toMatchObject({ code: 'drift', joined: 4, left: 5 });
  expect(metaErrors.filter((e) => DriftError.is(e))).toEqual(drifts);
  const of = (type: string) => sortIds(changes.filter((c) => c.type === type).map((c) => c.session.session));
  expect({ left: of('left'), joined: of('joined') }).toEqual({ left: gone, joined: sortIds(joining.map((p) => p.session.id!)) });
  expect(live.status).toBe('live');
  await expectLiveEqualsList(live, referee.meta);
});

test('churn with nothing lost: zero drift reports, zero errors, the set equals list()', async () => {
  const { router, referee, observer } = await setup(0);
  const live = observer.meta.liveSessions({ verifyIntervalMs: 100 });
  const { errors } = watch(live);
  await live.ready;
  const end = Date.now() + 3000;
  const residents = [];
  let churned = 0;
  const worker = async (): Promise<void> => {
    while (Date.now() < end) {
      const client = await connect(router);
      if (churned++ % 10 === 0) residents.push(client);
      else await client.close();
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  await expectLiveEqualsList(live, referee.meta);
  await sleep(3 * 100);
  expect(churned).toBeGreaterThan(50);
  expect(errors).toEqual([]);
  expect(liveIds(live).length).toBeGreaterThan(residents.length);
});
