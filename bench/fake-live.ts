/**
 * A live session set over test/helpers/fake-session.ts (no router, no socket), with the two
 * subscribers a UI would have: one on `sessions$` (keeps the latest map, reads its size) and one
 * on `changes$`. Events go in as Crossbar sends them.
 */
import { SessionMeta, type LiveSessionSet, type SessionDetails, type SessionId } from '../dist/index.mjs';
import { FakeSession } from '../test/helpers/fake-session';
import type { Details } from './crossbar-details';

export interface FakeLive {
  readonly fake: FakeSession;
  readonly live: LiveSessionSet;
  /** Crossbar's on_join: args `[details]`, no kwargs. */
  join(details: Details): void;
  /** Crossbar's on_leave: args `[id]` only. */
  leave(id: number): void;
  /** Emissions seen by the `sessions$` and `changes$` subscribers (proves they ran), last map size. */
  seen(): { maps: number; changes: number; size: number };
  /** The map `sessions$` emitted last. */
  latest(): ReadonlyMap<SessionId, SessionDetails>;
  dispose(): void;
}

export async function fakeLive(): Promise<FakeLive> {
  // The router lists nobody yet: the set is filled by on_join events.
  const fake = new FakeSession({ onCall: (call) => (call.procedure === 'wamp.session.list' ? [] : undefined) });
  const meta = new SessionMeta(fake);
  const live = meta.liveSessions();
  let latest: ReadonlyMap<SessionId, SessionDetails> = new Map();
  let size = 0;
  let maps = 0;
  let changes = 0;
  const sessions = live.sessions$.subscribe((map) => {
    latest = map; // held, as a UI would, until the next one
    size = map.size;
    maps++;
  });
  const changed = live.changes$.subscribe(() => changes++);
  await live.ready;
  return {
    fake,
    live,
    join: (details) => fake.publish('wamp.session.on_join', [details]),
    leave: (id) => fake.publish('wamp.session.on_leave', [id]),
    seen: () => ({ maps, changes, size }),
    latest: () => latest,
    dispose() {
      sessions.unsubscribe();
      changed.unsubscribe();
      meta.dispose();
      fake.calls.length = 0;
    },
  };
}
