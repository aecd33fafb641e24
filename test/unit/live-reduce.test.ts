/**
 * The pure core of the live session set (src/live/reduce.ts) and its snapshot store
 * (src/live/snapshot-store.ts): no session, no timer, plain (state, event) -> state.
 */
import { Tombstones, applyEvent, applyJoin, applyLeave, idOnly, replace, settle, type Accept, type LiveEvent } from '../../src/live/reduce';
import { SnapshotStore } from '../../src/live/snapshot-store';
import type { SessionDetails, SessionId } from '../../src';

const all: Accept = () => true;
const details = (session: SessionId, authrole = 'user'): SessionDetails => ({ session, authrole, raw: { session, authrole } });
const join = (d: SessionDetails): LiveEvent => ({ type: 'join', details: d });
const leave = (session: SessionId): LiveEvent => ({ type: 'leave', left: { session } });
const keys = (map: ReadonlyMap<SessionId, unknown>): SessionId[] => [...map.keys()].sort((a, b) => a - b);

describe('Tombstones', () => {
  test('remembers ids that left, dropping the oldest beyond capacity', () => {
    const gone = new Tombstones(2);
    gone.add(1);
    gone.add(2);
    gone.add(1); // already there: does not refresh or duplicate
    expect([gone.has(1), gone.has(2), gone.has(3)]).toEqual([true, true, false]);
    gone.add(3);
    expect([gone.has(1), gone.has(2), gone.has(3)]).toEqual([false, true, true]);
  });
});

describe('applyJoin / applyLeave / applyEvent', () => {
  test('a join adds the session once; a duplicate join is idempotent', () => {
    const table = new Map<SessionId, SessionDetails>();
    const gone = new Tombstones(8);
    expect(applyJoin(table, gone, details(1), all)).toEqual({ type: 'joined', session: details(1) });
    expect(applyJoin(table, gone, details(1), all)).toBeUndefined();
    expect(keys(table)).toEqual([1]);
  });

  test('richer details replace id-only ones silently, never the other way round', () => {
    const table = new Map<SessionId, SessionDetails>();
    const gone = new Tombstones(8);
    applyJoin(table, gone, idOnly(1), all);
    expect(applyJoin(table, gone, details(1), all)).toBeUndefined();
    expect(table.get(1)).toEqual(details(1));
    expect(applyJoin(table, gone, idOnly(1), all)).toBeUndefined();
    expect(table.get(1)).toEqual(details(1));
  });

  test('a join that is not accepted is ignored', () => {
    const table = new Map<SessionId, SessionDetails>();
    const onlyUsers: Accept = (d) => d.authrole === 'user';
    expect(applyJoin(table, new Tombstones(8), details(1, 'guest'), onlyUsers)).toBeUndefined();
    expect(table.size).toBe(0);
  });

  test('a leave removes the session with its last details and is final (no resurrection)', () => {
    const table = new Map<SessionId, SessionDetails>([[1, details(1)]]);
    const gone = new Tombstones(8);
    expect(applyLeave(table, gone, 1)).toEqual({ type: 'left', session: details(1) });
    expect(applyJoin(table, gone, details(1), all)).toBeUndefined();
    expect(table.size).toBe(0);
  });

  test('a leave for an unknown id is a no-op, but a late join for it is still refused', () => {
    const table = new Map<SessionId, SessionDetails>();
    const gone = new Tombstones(8);
    expect(applyLeave(table, gone, 7)).toBeUndefined();
    // The spec orders events per topic only: on_join may arrive after its on_leave.
    expect(applyEvent(table, gone, join(details(7)), all)).toBeUndefined();
    expect(table.size).toBe(0);
  });

  test('applyEvent dispatches joins and leaves', () => {
    const table = new Map<SessionId, SessionDetails>();
    const gone = new Tombstones(8);
    expect(applyEvent(table, gone, join(details(1)), all)?.type).toBe('joined');
    expect(applyEvent(table, gone, leave(1), all)?.type).toBe('left');
    expect(table.size).toBe(0);
  });
});

describe('settle', () => {
  test('buffered events go on top of the snapshot', () => {
    const next = settle([details(1), details(2)], [join(details(3)), leave(2)], new Tombstones(8), all, new Map<number, SessionDetails>());
    expect(keys(next)).toEqual([1, 3]);
  });

  test('a buffered leave wins over the snapshot and over a buffered join, in any order', () => {
    const gone = new Tombstones(8);
    const next = settle([details(1), details(2)], [leave(1), join(details(2)), leave(2), join(details(1))], gone, all, new Map<number, SessionDetails>());
    expect(next.size).toBe(0);
    expect([gone.has(1), gone.has(2)]).toEqual([true, true]);
  });

  test('ids that left before (tombstones) stay out; the filter applies to snapshot and buffer alike', () => {
    const gone = new Tombstones(8);
    gone.add(1);
    const onlyUsers: Accept = (d) => d.authrole === 'user';
    const next = settle([details(1), details(2), details(3, 'guest')], [join(details(4, 'guest')), join(details(5))], gone, onlyUsers, new Map<number, SessionDetails>());
    expect(keys(next)).toEqual([2, 5]);
  });

  test('duplicates in snapshot and buffer give one entry, richest details kept', () => {
    const next = settle([idOnly(1), idOnly(1)], [join(details(1)), join(details(1))], new Tombstones(8), all, new Map<number, SessionDetails>());
    expect([...next.values()]).toEqual([details(1)]);
  });
});

describe('replace', () => {
  test('emits only the minimal difference and moves the table to the new set', () => {
    const same = details(2);
    const table = new Map<SessionId, SessionDetails>([
      [1, details(1)],
      [2, same],
      [3, details(3)],
    ]);
    const refreshed = { ...details(3), authid: 'new' };
    const next = new Map<SessionId, SessionDetails>([
      [2, same],
      [3, refreshed],
      [4, details(4)],
    ]);
    const changes = replace(table, new Map(table), next);
    expect(changes).toEqual([
      { type: 'left', session: details(1) },
      { type: 'joined', session: details(4) },
    ]);
    expect(keys(table)).toEqual([2, 3, 4]);
    expect(table.get(3)).toBe(refreshed); // details refreshed without a change
  });

  test('works when the current set is the table itself (as the shell calls it)', () => {
    const store = new SnapshotStore();
    for (const id of [1, 2, 3]) store.set(id, details(id));
    const changes = replace(store, store.map, new Map([[3, details(3)], [4, details(4)]]));
    expect(changes.map((c) => `${c.type} ${c.session.session}`)).toEqual(['left 1', 'left 2', 'joined 4']);
    expect(keys(store.map)).toEqual([3, 4]);
  });
});

describe('SnapshotStore', () => {
  test('reads like a map', () => {
    const store = new SnapshotStore();
    store.set(1, details(1));
    store.set(2, details(2));
    store.delete(2);
    store.delete(99); // absent: no-op
    expect([store.size, store.has(1), store.has(2), store.get(1)]).toEqual([1, true, false, details(1)]);
    expect([...store.values()]).toEqual([details(1)]);
  });

  test('a snapshot is the same object until the set changes', () => {
    const store = new SnapshotStore();
    store.set(1, details(1));
    const a = store.snapshot();
    expect(store.snapshot()).toBe(a);
    store.delete(99); // not a change
    expect(store.snapshot()).toBe(a);
    store.set(2, details(2));
    expect(store.snapshot()).not.toBe(a);
  });

  test('snapshots are immutable: later sets, overwrites and deletes do not show in them', () => {
    const store = new SnapshotStore();
    store.set(1, details(1));
    store.set(2, details(2));
    const before = store.snapshot();
    const iterator = before.entries(); // taken before the changes, read after them
    store.set(3, details(3));
    store.set(1, { ...details(1), authid: 'changed' });
    store.delete(2);
    const after = store.snapshot();

    expect(before.size).toBe(2);
    expect([before.has(1), before.has(2), before.has(3)]).toEqual([true, true, false]);
    expect(before.get(1)).toEqual(details(1));
    expect(new Map(iterator)).toEqual(new Map([[1, details(1)], [2, details(2)]]));
    expect(new Map(before)).toEqual(new Map([[1, details(1)], [2, details(2)]]));
    expect(keys(new Map([...before.keys()].map((k) => [k, k])))).toEqual([1, 2]);
    expect([...before.values()]).toEqual(expect.arrayContaining([details(1), details(2)]));
    const seen: SessionId[] = [];
    before.forEach((value, key, map) => {
      expect(map).toBe(before);
      expect(value.session).toBe(key);
      seen.push(key);
    });
    expect(seen.sort()).toEqual([1, 2]);

    expect(after.size).toBe(2);
    expect(new Map(after)).toEqual(new Map([[1, { ...details(1), authid: 'changed' }], [3, details(3)]]));
  });

  test('a snapshot keeps what it saw of an id changed several times, the first changed id as the later ones', () => {
    const store = new SnapshotStore();
    store.set(1, details(1));
    store.set(2, details(2));
    const before = store.snapshot();
    for (let round = 0; round < 3; round++) {
      store.set(1, { ...details(1), authid: `one${round}` }); // the first id it keeps
      store.set(2, { ...details(2), authid: `two${round}` });
      store.set(3, details(3));
      store.delete(3);
    }
    store.delete(1);
    expect([before.get(1), before.get(2), before.has(3), before.size]).toEqual([details(1), details(2), false, 2]);
    expect(new Map(before)).toEqual(new Map([[1, details(1)], [2, details(2)]]));
    expect(new Map(store.snapshot())).toEqual(new Map([[2, { ...details(2), authid: 'two2' }]]));
  });

  test('a snapshot iterates in the same order before and after it copies itself out', () => {
    const store = new SnapshotStore();
    for (const id of [1, 2, 3]) store.set(id, details(id));
    for (let i = 0; i < 62; i++) {
      store.set(100, { ...details(100), authid: `v${i}` });
      store.snapshot();
    }
    store.delete(100);
    const held = store.snapshot();
    store.set(1, { ...details(1), authid: 'changed' });
    const before = [...held.keys()];
    store.snapshot(); // the 64th: `held` copies itself out here
    expect([...held.keys()]).toEqual(before);
    expect(held.get(1)).toEqual(details(1));
  });

  test('a chain of more than 64 snapshots still reads right, old and new, after compaction', () => {
    const store = new SnapshotStore();
    const model = new Map<SessionId, SessionDetails>();
    const history: Array<[ReadonlyMap<SessionId, SessionDetails>, Map<SessionId, SessionDetails>]> = [];
    for (let step = 0; step < 300; step++) {
      // Mix of adds, overwrites and deletes, one change per snapshot.
      const id = ((step * 7) % 23) + 1;
      if (step % 3 === 2 && model.has(id)) {
        store.delete(id);
        model.delete(id);
      } else {
        const d = { ...details(id), authid: `v${step}` };
        store.set(id, d);
        model.set(id, d);
      }
      history.push([store.snapshot(), new Map(model)]);
      // Read an old snapshot now and then: the >64-hop read compacts it mid-run.
      if (step % 97 === 96) expect(history[0]![0].get(1)).toEqual(history[0]![1].get(1));
    }
    for (const [snapshot, expected] of history) {
      expect(snapshot.size).toBe(expected.size);
      for (let id = 0; id < 25; id++) expect(snapshot.get(id)).toBe(expected.get(id));
      expect(new Map(snapshot)).toEqual(expected);
    }
  });
});

test('a snapshot held while no newer one is taken stays right through many changes (it copies itself out instead of growing)', () => {
  const store = new SnapshotStore();
  for (let id = 1; id <= 10; id++) store.set(id, { session: id, raw: null });
  const held = store.snapshot();
  for (let id = 1000; id < 11_000; id++) {
    store.set(id, { session: id, raw: null });
    store.delete(id);
  }
  store.delete(1);
  expect([...held.keys()].sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  expect(held.get(1)).toEqual({ session: 1, raw: null });
  expect(held.has(5000)).toBe(false);
  const now = store.snapshot();
  expect(now).not.toBe(held);
  expect(now.size).toBe(9);
  expect(now.has(1)).toBe(false);
});
