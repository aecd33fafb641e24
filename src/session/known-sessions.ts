/**
 * What a leave of each session seen will say (authid/authrole): Crossbar 22.6 sends only the id
 * in `on_leave` (crossbar#1691), the WAMP spec sends all three. Bounded, and kept only while
 * somebody observes leaves.
 */
import { sessionLeft } from '../normalize';
import type { SessionDetails, SessionId, SessionLeft } from '../types';

/** How many sessions' authid/authrole are remembered. */
const CAPACITY = 100_000;

/**
 * When the memory is full, its oldest 1% go at once: one pass over the Map per batch. Evicting
 * one by one with `keys().next()` rescans every deleted slot at the Map's front each time
 * (~30 µs per join at 100 000 sessions); a batch costs ~0.4 ms per 1000 joins.
 */
const EVICT_BATCH = CAPACITY / 100;

export class KnownSessions {
  readonly #known = new Map<SessionId, SessionLeft>();
  #observers = 0;

  /** Somebody observes leaves: remember from now on; returns the undo (forgets all when the last goes). */
  observe(): () => void {
    this.#observers++;
    return () => {
      if (--this.#observers === 0) this.#known.clear();
    };
  }

  remember(details: SessionDetails): SessionDetails {
    if (this.#observers === 0 || (details.authid === undefined && details.authrole === undefined)) return details;
    if (this.#known.size >= CAPACITY && !this.#known.has(details.session)) {
      let evict = EVICT_BATCH;
      for (const id of this.#known.keys()) {
        this.#known.delete(id);
        if (--evict === 0) break;
      }
    }
    this.#known.set(details.session, sessionLeft(details.session, details.authid, details.authrole));
    return details;
  }

  /** The leave with what is known of that session filled in; forgets it. */
  complete(left: SessionLeft): SessionLeft {
    const known = this.#known.get(left.session);
    this.#known.delete(left.session);
    if (!known) return left;
    if (left.authid === undefined && left.authrole === undefined) return known;
    return sessionLeft(left.session, left.authid ?? known.authid, left.authrole ?? known.authrole);
  }

  clear(): void {
    this.#known.clear();
  }
}
