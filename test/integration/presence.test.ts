/**
 * Presence against a real router (fox-wamp 0.7.28 in-process): a relay in an admin service
 * republishes its live set, and mirrors in ordinary clients (whose CALLs and SUBSCRIBEs on
 * `wamp.session.*` are refused, test/helpers/ordinary-proxy.ts) rebuild it. The admin goes through
 * the details proxy so sessions have authid/authrole, as on Crossbar.
 */
import autobahn from 'autobahn';
import { InvalidArgumentError, NotAuthorizedError, SessionMeta, mirrorPresence, publishPresence } from '../../src';
import type { LiveSessionSet, LiveSessionView, PresenceMirror, SessionSetChange } from '../../src';
import { startDetailsProxy } from '../helpers/details-proxy';
import { startOrdinaryProxy } from '../helpers/ordinary-proxy';
import { sortIds } from '../helpers/reliability';
import { connect, defer, startRouter } from '../helpers/teardown';
import { sleep, waitFor } from '../helpers/wait';
import type { FoxRouterHandle } from '../helpers/fox-router';
import { PREFIX } from '../helpers/presence';

autobahn.log.warn = () => {};


/** An admin service on `router` (through the details proxy): a SessionMeta and its live set. */
async function admin(router: FoxRouterHandle): Promise<{ meta: SessionMeta; live: LiveSessionSet }> {
  const details = await startDetailsProxy(router);
  defer(() => details.close());
  const client = await connect(details.url, { authid: 'presence-service', authrole: 'service' });
  const meta = new SessionMeta(client.session);
  defer(() => meta.dispose());
  const live = meta.liveSessions();
  await live.ready;
  return { meta, live };
}

/** An ordinary user's mirror, through the permissions proxy. */
async function ordinary(router: FoxRouterHandle, authid = 'visitor') {
  const proxy = await startOrdinaryProxy(router.url);
  defer(() => proxy.close());
  const client = await connect(proxy.url, { authid, authrole: 'user' });
  const mirror = mirrorPresence(client.session, { prefix: PREFIX, callTimeoutMs: 2000 });
  defer(() => mirror.dispose());
  return { proxy, client, mirror };
}

/** What a mirror should hold: the live set through the default projection. */
function projected(view: LiveSessionView): Array<Record<string, unknown>> {
  return [...view.values()]
    .map((s) => JSON.parse(JSON.stringify({ session: s.session, authid: s.authid, authrole: s.authrole })) as Record<string, unknown>)
    .sort((a, b) => (a.session as number) - (b.session as number));
}

function entries(mirror: PresenceMirror): unknown[] {
  return [...mirror.values()].map((s) => s.raw).sort((a, b) => ((a as { session: number }).session - (b as { session: number }).session));
}

async function expectMirrorEquals(mirror: PresenceMirror, live: LiveSessionView, timeoutMs = 8000): Promise<void> {
  const same = () => mirror.status === 'live' && JSON.stringify(entries(mirror)) === JSON.stringify(projected(live));
  await waitFor(same, timeoutMs, 'mirror equals the projected live set').catch(() => undefined);
  expect({ status: mirror.status, entries: entries(mirror) }).toEqual({ status: 'live', entries: projected(live) });
}

test('an ordinary client, denied wamp.session.*, mirrors the relay: equal after churn, only safe fields, no meta call', async () => {
  const router = await startRouter();
  const { meta, live } = await admin(router);
  const relay = publishPresence(live, { prefix: PREFIX, heartbeatMs: 500 });
  defer(() => relay.dispose());
  await relay.ready;
  const relayErrors: unknown[] = [];
  relay.errors$.subscribe((e) => relayErrors.push(e));

  const peers = await Promise.all(['alice', 'bob', 'carol'].map((authid) => connect(router, { authid, authrole: 'user' })));
  const { proxy, client, mirror } = await ordinary(router);
  await mirror.ready;
  await expectMirrorEquals(mirror, live);

  await peers[0]!.close();
  await connect(router, { authid: 'dave', authrole: 'admin' });
  await expectMirrorEquals(mirror, live);
  expect(entries(mirror)).toContainEqual(expect.objectContaining({ authid: 'dave', authrole: 'admin' }));
  for (const entry of entries(mirror)) expect(Object.keys(entry as object).sort()).toEqual(expect.arrayContaining(['session']));
  for (const s of mirror.values()) expect(s.transport).toBeUndefined(); // no peer address leaves the service
  expect(mirror.byAuthid().get('bob')).toHaveLength(1);
  expect(meta.session).not.toBeNull();

  expect(proxy.metaAttempts()).toBe(0); // the mirror never touched wamp.session.*
  expect(proxy.stateCalls()).toBe(1); // one call, whatever the size of the realm
  await expect(new SessionMeta(client.session).count()).rejects.toBeInstanceOf(NotAuthorizedError); // and would be refused
  expect(relayErrors).toEqual([]);
});

test('get_state answered late while sessions come and go: the mirror ends equal, nobody resurrected', async () => {
  const router = await startRouter();
  const { live } = await admin(router);
  const relay = publishPresence(live, { prefix: PREFIX, heartbeatMs: 500 });
  defer(() => relay.dispose());
  await relay.ready;
  const early = await Promise.all(Array.from({ length: 6 }, (_, i) => connect(router, { authid: `early-${i}` })));

  const proxy = await startOrdinaryProxy(router.url);
  defer(() => proxy.close());
  proxy.delayState(400);
  const client = await connect(proxy.url);
  const mirror = mirrorPresence(client.session, { prefix: PREFIX });
  defer(() => mirror.dispose());
  const changes: SessionSetChange[] = [];
  mirror.changes$.subscribe((c) => changes.push(c));
  await sleep(100); // get_state answered by the relay, held by the proxy
  const gone = sortIds(early.slice(0, 4).map((c) => c.session.id!));
  await Promise.all(early.slice(0, 4).map((c) => c.close()));
  await connect(router, { authid: 'late' });
  await mirror.ready;
  await expectMirrorEquals(mirror, live);

  for (const id of gone) expect(mirror.has(id)).toBe(false);
  const leftAt = new Map(changes.map((c, i) => [`${c.type}:${c.session.session}`, i]));
  for (const id of gone) expect(leftAt.has(`joined:${id}`) && leftAt.has(`left:${id}`) && leftAt.get(`joined:${id}`)! > leftAt.get(`left:${id}`)!).toBe(false);
});

test('two routers, one presence: publishPresence([liveA, liveB], { via }) publishes their union', async () => {
  const routerA = await startRouter();
  const routerB = await startRouter();
  const a = await admin(routerA);
  const b = await admin(routerB);
  const relay = publishPresence([a.live, b.live], { prefix: PREFIX, via: a.meta, heartbeatMs: 500 });
  defer(() => relay.dispose());
  await relay.ready;
  await connect(routerA, { authid: 'on-a' });
  await connect(routerB, { authid: 'on-b' });
  const { mirror } = await ordinary(routerA);
  await mirror.ready;
  const union = (): string[] => [...a.live.values(), ...b.live.values()].map((s) => s.authid ?? '').sort();
  await waitFor(() => JSON.stringify([...mirror.values()].map((s) => s.authid ?? '').sort()) === JSON.stringify(union()), 8000, 'the union');
  expect([...mirror.values()].map((s) => s.authid)).toEqual(expect.arrayContaining(['on-a', 'on-b']));
  await connect(routerB, { authid: 'later-on-b' });
  await waitFor(() => [...mirror.values()].some((s) => s.authid === 'later-on-b'), 8000, 'a join on B reaches the mirror on A');
});

test('a relay that stops says so (stale), and a restarted relay (new epoch) is mirrored again without a reconnect', async () => {
  const router = await startRouter();
  const { live } = await admin(router);
  const relay = publishPresence(live, { prefix: PREFIX, heartbeatMs: 200 });
  await relay.ready;
  const { mirror } = await ordinary(router);
  await mirror.ready;
  relay.dispose();
  await waitFor(() => mirror.status === 'stale', 5000, 'stale once the relay is gone');
  expect(mirror.size).toBeGreaterThan(0); // the last known set is kept

  const restarted = publishPresence(live, { prefix: PREFIX, heartbeatMs: 200 });
  defer(() => restarted.dispose());
  await restarted.ready;
  await connect(router, { authid: 'after-restart' });
  await expectMirrorEquals(mirror, live);
});

test('bad input: a prefix that is not a URI, several sets without via → InvalidArgumentError at once', async () => {
  const router = await startRouter();
  const { live } = await admin(router);
  const client = await connect(router);
  expect(() => publishPresence(live, { prefix: 'not a uri' })).toThrow(InvalidArgumentError);
  expect(() => publishPresence(live, { prefix: '' })).toThrow(InvalidArgumentError);
  expect(() => publishPresence([live, live], { prefix: PREFIX })).toThrow(InvalidArgumentError);
  expect(() => publishPresence([], { prefix: PREFIX })).toThrow(InvalidArgumentError);
  expect(() => publishPresence(live, { prefix: PREFIX, heartbeatMs: -1 })).toThrow(InvalidArgumentError);
  expect(() => mirrorPresence(client.session, { prefix: 'com..example' })).toThrow(InvalidArgumentError);
  expect(() => mirrorPresence(client.session, { prefix: PREFIX, callTimeoutMs: Number.NaN })).toThrow(InvalidArgumentError);
});
