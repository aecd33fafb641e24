/**
 * Documentation snippets (README-style usage), type-checked with the tests
 * (`npx tsc -p test/tsconfig.json --noEmit`) so they cannot drift from the API. Not run.
 */
import autobahn from 'autobahn';
import { distinctUntilChanged, filter, map, type Observable } from 'rxjs';
import { SessionMeta, type LiveSessionSet, type LiveSnapshot, type SessionDetails, type SessionId } from '../../src';

// ---- Wiring: one SessionMeta that follows an autobahn Connection across reconnects ----

export function connect(url: string): LiveSessionSet {
  const connection = new autobahn.Connection({ url, realm: 'realm1', max_retries: -1 });
  const meta = SessionMeta.fromConnection(connection);
  connection.open();
  return meta.liveSessions({ authroles: ['user', 'admin'] });
}

// ---- React ----

// React is not a dependency of this package; this is React 18's signature of the one hook used.
declare function useSyncExternalStore<Snapshot>(
  subscribe: (onStoreChange: () => void) => () => void,
  getSnapshot: () => Snapshot,
  getServerSnapshot?: () => Snapshot,
): Snapshot;

/** The live set as React state: re-renders on every change of the set or its status, never tears (immutable snapshots). */
export function useLiveSessions(live: LiveSessionSet): LiveSnapshot {
  return useSyncExternalStore(live.subscribe, live.getSnapshot);
}

/** A component body (JSX left out: no React types here). */
export function OnlineAdmins({ live }: { live: LiveSessionSet }): string[] {
  const { status, sessions } = useLiveSessions(live);
  if (status !== 'live') return [`(${status})`];
  return [...sessions.values()].filter((s) => s.authrole === 'admin').map((s) => s.authid ?? `#${s.session}`);
}

// ---- RxJS only ----

/** Sessions per authrole, recomputed whenever the set changes (sessions$ replays the current set). */
export function countsByRole$(live: LiveSessionSet): Observable<ReadonlyMap<string, number>> {
  return live.sessions$.pipe(
    map((sessions) => {
      const counts = new Map<string, number>();
      for (const s of sessions.values()) counts.set(s.authrole ?? '(none)', (counts.get(s.authrole ?? '(none)') ?? 0) + 1);
      return counts;
    }),
    distinctUntilChanged((a, b) => a.size === b.size && [...a].every(([role, n]) => b.get(role) === n)),
  );
}

/** "alice joined" notifications for one role, from the change stream. */
export function arrivals$(live: LiveSessionSet, authrole: string): Observable<string> {
  return live.changes$.pipe(
    filter((change) => change.type === 'joined' && change.session.authrole === authrole),
    map(({ session }) => `${session.authid ?? session.session} joined`),
  );
}
