/**
 * Meta events as an unreliable path delivers them: duplicated, reordered, or about sessions this
 * client never saw. The WAMP spec only orders events per topic, and brokers can replay; the live
 * set must treat join and leave as a two-phase set (a leave is final, API.md §5 guarantee 4).
 * Payloads are Crossbar 22.6.1 shapes (on_join `[details]`, on_leave `[id]`, list `[[ids]]`),
 * played by FakeSession.
 */
import fc from 'fast-check';
import { SessionMeta } from '../../src';
import type { LiveSessionSet, LiveSessionSetOptions, MetaError, SessionId, SessionSetChange } from '../../src';
import { FakeSession, PENDING, flush, type SentCall } from '../helpers/fake-session';
import '../helpers/hygiene';
import { defer } from '../helpers/teardown';

const ON_JOIN = 'wamp.session.on_join';
const ON_LEAVE = 'wamp.session.on_leave';

interface Realm {
  session: FakeSession;
  meta: SessionMeta;
  live: LiveSessionSet;
  changes: SessionSetChange[];
  errors: MetaError[];
  /** Answers the pending `list` (when created with `holdList`). */
  answerList(): void;
  join(id: SessionId): void;
  leave(id: SessionId): void;
}

/** A router that lists `listed` and knows every id's details, with a live set following it. */
async function realm(listed: readonly SessionId[], options: LiveSessionSetOptions & { holdList?: boolean } = {}): Promise<Realm> {
  const { holdList = false, ...liveOptions } = options;
  let pendingList: SentCall | undefined;
  const session = new FakeSession({
    onCall(call) {
      if (call.procedure === 'wamp.session.list') {
        if (!holdList) return [...listed];
        pendingList = call;
        return PENDING;
      }
      if (call.procedure === 'wamp.session.get') {
        const id = (call.args as number[])[0]!;
        return { session: id, authid: `user-${id}`, authrole: 'user' };
      }
      return PENDING;
    },
  });
  const meta = new SessionMeta(session);
  const live = meta.liveSessions(liveOptions);
  defer(() => meta.dispose());
  const changes: SessionSetChange[] = [];
  const errors: MetaError[] = [];
  live.changes$.subscribe((change) => changes.push(change));
  meta.errors$.subscribe((error) => errors.push(error));
  await flush();
  return {
    session,
    meta,
    live,
    changes,
    errors,
    answerList: () => pendingList?.resolve([...listed]),
    join: (id) => session.publish(ON_JOIN, [{ session: id, authid: `user-${id}`, authrole: 'user' }]),
    leave: (id) => session.publish(ON_LEAVE, [id]),
  };
}

const ids = (live: LiveSessionSet): SessionId[] => [...live.values()].map((s) => s.session).sort((a, b) => a - b);
const summary = (changes: readonly SessionSetChange[]): string[] => changes.map((c) => `${c.type}:${c.session.session}`);

test('a duplicated join is applied once, and so is a duplicated leave', async () => {
  const r = await realm([1, 2]);
  await r.live.ready;
  r.changes.length = 0;
  r.join(3);
  r.join(3);
  r.leave(3);
  r.leave(3);
  expect(summary(r.changes)).toEqual(['joined:3', 'left:3']);
  expect(ids(r.live)).toEqual([1, 2]);
  expect(r.errors).toEqual([]);
});

test('a join that arrives after its leave does not bring the session back', async () => {
  const r = await realm([1]);
  await r.live.ready;
  r.changes.length = 0;
  r.leave(5);
  r.join(5);
  r.leave(1);
  r.join(1); // a replayed join of a listed session that has left since
  expect(summary(r.changes)).toEqual(['left:1']);
  expect(ids(r.live)).toEqual([]);
});

test('a leave for a session never seen changes nothing and reports nothing, before and after the sync', async () => {
  const r = await realm([1, 2], { holdList: true });
  r.leave(77); // buffered during the sync
  r.answerList();
  await r.live.ready;
  r.leave(88);
  expect(summary(r.changes)).toEqual(['joined:1', 'joined:2']);
  expect(r.live.size).toBe(2);
  expect(r.errors).toEqual([]);
  expect(r.live.status).toBe('live');
});

test('a leave seen during the sync wins over the snapshot that still lists the session', async () => {
  const r = await realm([1, 2, 3], { holdList: true });
  r.leave(2);
  r.join(4);
  r.join(4);
  r.answerList();
  await r.live.ready;
  expect(ids(r.live)).toEqual([1, 3, 4]);
  expect(summary(r.changes).sort()).toEqual(['joined:1', 'joined:3', 'joined:4']);
});

/**
 * The model: a session is in the set when it was listed or a join for it arrived, and no leave
 * for it arrived, whatever the order, the duplicates, or which side of the sync they fell on.
 */
function model(listed: readonly SessionId[], events: ReadonlyArray<{ type: 'join' | 'leave'; id: SessionId }>): SessionId[] {
  const left = new Set(events.filter((e) => e.type === 'leave').map((e) => e.id));
  const seen = new Set([...listed, ...events.filter((e) => e.type === 'join').map((e) => e.id)]);
  return [...seen].filter((id) => !left.has(id)).sort((a, b) => a - b);
}

test('duplicated and reordered events around the sync end in the model set; replaying changes$ gives the set (300 runs)', async () => {
  const pool = [1, 2, 3, 4, 5, 6, 7, 8, 2 ** 53 - 1, 2 ** 53];
  const event = fc.record({ type: fc.constantFrom<'join' | 'leave'>('join', 'leave'), id: fc.constantFrom(...pool) });
  await fc.assert(
    fc.asyncProperty(fc.subarray(pool), fc.array(event, { maxLength: 30 }), fc.nat(), fc.constantFrom<'id' | 'full'>('id', 'full'), async (listed, events, cut, details) => {
      const r = await realm(listed, { holdList: true, details });
      const during = events.slice(0, cut % (events.length + 1));
      during.forEach((e) => r[e.type](e.id));
      r.answerList();
      await r.live.ready;
      events.slice(during.length).forEach((e) => r[e.type](e.id));

      expect(ids(r.live)).toEqual(model(listed, events));
      // Every change is legal where it happens, and replaying them from empty gives the set.
      const replay = new Set<SessionId>();
      for (const { type, session } of r.changes) {
        expect(replay.has(session.session)).toBe(type === 'left');
        if (type === 'joined') replay.add(session.session);
        else replay.delete(session.session);
      }
      expect([...replay].sort((a, b) => a - b)).toEqual(ids(r.live));
      expect(r.errors).toEqual([]);
      r.meta.dispose();
    }),
    { numRuns: 300 },
  );
});
