/** `watch`: a live session set, shown by a view until stopped or the session ends for good. */
import { Subscription, type Observable } from 'rxjs';
import type { LiveStatus, SessionDetails, SessionFilter, SessionId, SessionSetChange } from '../index';
import { EXIT, type ExitCode } from './exit';
import { describeError, type CloseInfo } from './format';
import type { Link } from './link';
import type { WatchState, WatchView } from './views';

/** Sync progress is shown for sets at least this large. */
const PROGRESS_MIN = 100;

export interface WatchContext {
  readonly link: Link;
  readonly filter: SessionFilter | undefined;
  readonly view: WatchView;
  /** One emission per settled `wamp.session.get` of the link (sync progress). */
  readonly gets: Observable<void>;
  readonly err: (line: string) => void;
  readonly signal: AbortSignal | undefined;
  readonly describeClose: (close: CloseInfo) => string;
}

/**
 * Follows the live set through its public streams only (`changes$`, `sessions$`, `status$`,
 * `ready`). Everything that happens in one tick (a sync's whole result arrives in one) reaches the
 * view as one update. Resolves with the exit code: 0 when `signal` stops it, 1 when the session
 * ends for good or the meta API is denied.
 */
export function watch({ link, filter, view, gets, err, signal, describeClose }: WatchContext): Promise<ExitCode> {
  const live = link.meta.liveSessions(filter ?? {});
  const subscriptions = new Subscription();
  let status: LiveStatus = 'syncing';
  let sessions: ReadonlyMap<SessionId, SessionDetails> = new Map();
  let pending: SessionSetChange[] = [];
  let scheduled = false;
  // The SDK does not report sync progress: count its `get`s against a `list` of our own.
  const sync = { done: 0, total: 0 };

  const flush = (): void => {
    scheduled = false;
    const changes = pending;
    pending = [];
    const showProgress = status === 'syncing' && sync.total >= PROGRESS_MIN;
    const state: WatchState = { status, sessions, self: link.meta.session?.id, ...(showProgress && { progress: { ...sync } }) };
    view.update(changes, state);
  };
  const schedule = (): void => {
    if (scheduled) return;
    scheduled = true;
    queueMicrotask(flush);
  };

  return new Promise<ExitCode>((resolve) => {
    let finished = false;
    const finish = (code: ExitCode, line?: string): void => {
      if (finished) return;
      finished = true;
      signal?.removeEventListener('abort', onAbort);
      subscriptions.unsubscribe();
      view.close(); // first: an error line must land on the normal screen
      if (line) err(line);
      live.dispose();
      void link.close().then(() => resolve(code));
    };
    const onAbort = (): void => finish(EXIT.ok);
    signal?.addEventListener('abort', onAbort);

    subscriptions.add(
      gets.subscribe(() => {
        if (status !== 'syncing') return;
        sync.done++;
        flush(); // now: answers arrive in bursts, and a progress view wants each step
      }),
    );
    subscriptions.add(
      live.changes$.subscribe((change) => {
        pending.push(change);
        schedule();
      }),
    );
    subscriptions.add(
      live.sessions$.subscribe((next) => {
        sessions = next;
        schedule();
      }),
    );
    subscriptions.add(
      live.status$.subscribe((next) => {
        status = next;
        if (next === 'syncing') {
          Object.assign(sync, { done: 0, total: 0 });
          link.meta.list(filter).then(
            (ids) => (sync.total = ids.length),
            () => undefined, // progress is a nicety; the sync reports its own failures
          );
        }
        schedule();
      }),
    );
    live.ready.catch((error: unknown) => finish(EXIT.failed, describeError(error))); // e.g. meta API denied
    link.onClose((close) => {
      if (!close.willRetry) finish(EXIT.failed, describeClose(close));
    });
    if (signal?.aborted) onAbort(); // stopped before it started
  });
}
