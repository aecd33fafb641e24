/**
 * Property tests of the LiveSessionSet: random interleavings of joins, leaves, duplicate and late
 * events, SUBSCRIBED confirmations, list/get answers computed by the router at one moment and
 * delivered at another (in any order), denied gets, disconnects and re-attaches to a new session.
 * The model is the router's own state: the set of sessions alive in the realm.
 */
import fc from 'fast-check';
import type { LiveSessionSetOptions, SessionId } from '../../src';
import { FakeSession, WampError, flush, type SentCall } from '../helpers/fake-session';
import { ON_JOIN, ON_LEAVE, ScriptedRealm, idsOf, metaTracker, record, replay, sorted, type Outcome } from '../helpers/live-set';

const metas = metaTracker();
afterEach(() => metas.disposeAll());

type Kind = 'join' | 'leave' | 'dupJoin' | 'dupLeave' | 'confirm' | 'process' | 'deny' | 'deliver' | 'disconnect' | 'attach';
type Step = readonly [Kind, number];

// Weighted: the router's work and the answers dominate, reconnects are rarer.
const KINDS: Kind[] = [
  ...Array<Kind>(4).fill('join'),
  ...Array<Kind>(3).fill('leave'),
  'dupJoin',
  'dupLeave',
  ...Array<Kind>(2).fill('confirm'),
  ...Array<Kind>(4).fill('process'),
  'deny',
  ...Array<Kind>(4).fill('deliver'),
  'disconnect',
  'attach',
];

const step: fc.Arbitrary<Step> = fc.tuple(fc.constantFrom(...KINDS), fc.nat(1000));

const options: fc.Arbitrary<LiveSessionSetOptions> = fc.record({
  details: fc.constantFrom<'full' | 'id'>('full', 'id'),
  syncConcurrency: fc.integer({ min: 1, max: 3 }),
  includeSelf: fc.boolean(),
  authroles: fc.constantFrom<string[] | undefined>(undefined, ['user']),
});

const pick = <T>(items: readonly T[], n: number): T | undefined => (items.length === 0 ? undefined : items[n % items.length]);

const NOT_AUTHORIZED: Outcome = { ok: false, error: new WampError('wamp.error.not_authorized', ['denied']) };

async function run(initial: number, opts: LiveSessionSetOptions, steps: readonly Step[]): Promise<void> {
  const realm = new ScriptedRealm();
  let nextId = 100;
  const joinPayloads = new Map<SessionId, Record<string, unknown>>();
  const leftIds: SessionId[] = [];
  /** Leaves delivered to the current session: only for those can an on_join still come late. */
  const leavesSeen = new Set<SessionId>();
  for (let i = 0; i < initial; i++) realm.add(nextId++, i % 2 ? 'user' : 'guest', false);

  let current: FakeSession | null = realm.connect();
  const meta = metas.make(current);
  const live = meta.liveSessions(opts);
  const rec = record(live);
  const processed: Array<{ call: SentCall; outcome: Outcome }> = [];
  const isProcessed = (call: SentCall) => processed.some((p) => p.call === call);
  const own = new Set<SessionId>([current.id!]);

  // A session that left the realm and is out of the set stays out, whatever comes later.
  const buried = new Set<SessionId>();
  let checkedChanges = 0;
  const changeSeen = new Map<SessionId, 'joined' | 'left'>();
  const check = (): void => {
    for (const change of rec.changes.slice(checkedChanges)) {
      const id = change.session.session;
      const before = changeSeen.get(id);
      // Ids are never reused: one joined, then at most one left, never anything after.
      if (change.type === 'joined' ? before !== undefined : before !== 'joined') {
        throw new Error(`${change.type} ${id} after ${before ?? 'nothing'}`);
      }
      changeSeen.set(id, change.type);
    }
    checkedChanges = rec.changes.length;
    for (const id of leftIds) if (!live.has(id)) buried.add(id);
    for (const id of own) if (!realm.alive.has(id) && !live.has(id)) buried.add(id);
    for (const id of buried) if (live.has(id)) throw new Error(`resurrected ${id}`);
  };

  const attach = (): void => {
    current = realm.connect();
    own.add(current.id!);
    leavesSeen.clear(); // a new session gets only events published after it subscribed
    meta.attach(current);
  };

  for (const [kind, n] of steps) {
    const pendingHere = current ? realm.pending(current).filter((c) => !isProcessed(c)) : [];
    switch (kind) {
      case 'join': {
        const joined = realm.add(nextId++, n % 2 ? 'user' : 'guest');
        joinPayloads.set(joined.session, joined.dict);
        break;
      }
      case 'leave': {
        const id = pick([...realm.alive.keys()].filter((i) => !own.has(i)), n);
        if (id !== undefined) {
          realm.remove(id);
          leftIds.push(id);
          if (current && current.active(ON_LEAVE) > 0) leavesSeen.add(id);
        }
        break;
      }
      case 'dupJoin': {
        // A duplicate, or an on_join arriving after its on_leave (events are ordered per topic only).
        // Not a late on_join of a session whose on_leave this session did not get: nothing tells
        // that one from a new session (and a router delivering in order never sends it).
        const id = pick([...joinPayloads.keys()].filter((i) => realm.alive.has(i) || leavesSeen.has(i)), n);
        if (id !== undefined) realm.publish(ON_JOIN, [joinPayloads.get(id)!]);
        break;
      }
      case 'dupLeave': {
        const id = pick(leftIds, n);
        if (id !== undefined) realm.publish(ON_LEAVE, [id]);
        break;
      }
      case 'confirm': {
        const waiting = current?.pendingSubscribes ?? [];
        if (waiting.length > 0) waiting.splice(n % waiting.length, 1)[0]!.confirm();
        break;
      }
      case 'process': {
        const call = pick(pendingHere, n);
        if (call) processed.push({ call, outcome: realm.outcome(call) });
        break;
      }
      case 'deny': {
        const call = pick(pendingHere.filter((c) => c.procedure === 'wamp.session.get'), n);
        if (call) processed.push({ call, outcome: NOT_AUTHORIZED });
        break;
      }
      case 'deliver': {
        if (processed.length === 0) break;
        const { call, outcome } = processed.splice(n % processed.length, 1)[0]!;
        realm.deliver(call, outcome);
        break;
      }
      case 'disconnect':
        if (current) realm.close(current);
        current = null;
        break;
      case 'attach':
        if (!current) attach();
        break;
    }
    await flush(2);
    check();
  }

  // Quiescence: a session attached, every SUBSCRIBE confirmed, every answer delivered.
  if (!current) attach();
  const session = current!;
  for (let round = 0; ; round++) {
    if (round > 200) throw new Error('no quiescence');
    session.confirmSubscribes();
    for (const { call, outcome } of processed.splice(0)) realm.deliver(call, outcome);
    for (const call of realm.pending(session)) realm.answer(call);
    await flush(3);
    check();
    if (realm.pending(session).length === 0 && session.pendingSubscribes.length === 0) break;
  }

  expect(live.status).toBe('live');
  const expected = [...realm.alive.values()]
    .filter((s) => !opts.authroles || opts.authroles.includes(s.authrole))
    .filter((s) => opts.includeSelf !== false || s.session !== session.id)
    .map((s) => s.session);
  expect(idsOf(live)).toEqual(sorted(expected));
  expect(sorted(replay(rec.changes).keys())).toEqual(sorted(expected));
  meta.dispose();
}

test('after any interleaving the live set equals the sessions alive at the router; a left session never reappears; changes replay to the set', async () => {
  await fc.assert(
    fc.asyncProperty(fc.integer({ min: 0, max: 5 }), options, fc.array(step, { minLength: 5, maxLength: 60, size: 'max' }), run),
    { numRuns: 1000 },
  );
});

test('the interleaving that once left a ghost: a join seen before on_leave is SUBSCRIBED, its leave unseen', async () => {
  // Found by the property above before the fix in LiveSessionSet#sync (joins buffered before `list`
  // is sent are dropped: `list` has those still alive).
  const steps: Step[] = [
    ['confirm', 0], // on_join only
    ['join', 1],
    ['leave', 0],
  ];
  await run(0, { details: 'id' }, steps);
});
