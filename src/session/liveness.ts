/** Noticing that an attached autobahn session closed. */
import type { Clock, TimerHandle } from '../clock';
import type { CloseDetails, WampSessionLike } from '../types';
import { CLOSE_LOST } from '../uris';

/**
 * autobahn does not tell a bare `Session` that its transport dropped (only `Connection.onclose`
 * hears it), so while attached we look at `isOpen` this often. GOODBYE/ABORT arrive at once via
 * `onleave`, and `fromConnection` hears every close at once.
 */
const LIVENESS_CHECK_MS = 1000;

/** Chains `onleave` (GOODBYE/ABORT) and polls `isOpen`; calls `closed` when either tells. Returns the undo. */
export function watchSession(session: WampSessionLike, clock: Clock, closed: (details: CloseDetails) => void): () => void {
  const previous = session.onleave;
  const onleave = (reason: string, details: CloseDetails): void => {
    closed({ reason, message: details?.message });
    previous?.call(session, reason, details);
  };
  session.onleave = onleave;
  let timer: TimerHandle | undefined;
  const poll = (): void => {
    timer = clock.setTimeout(() => {
      if (!session.isOpen) return closed({ reason: CLOSE_LOST });
      poll();
    }, LIVENESS_CHECK_MS);
  };
  poll();
  return () => {
    clock.clearTimeout(timer);
    if (session.onleave === onleave) session.onleave = previous;
  };
}
