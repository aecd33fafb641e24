/**
 * What a presence relay needs to find from the public objects it is given, without widening
 * their public types: the session a SessionMeta is on, and the SessionMeta a live set came from.
 */
import type { Observable } from 'rxjs';
import type { WampSessionLike } from '../types';

/** A SessionMeta → the sessions it is attached to (its announcer). */
export const sessionsOf = new WeakMap<object, Observable<WampSessionLike | null>>();

/** A live set → the SessionMeta that made it. */
export const ownerOf = new WeakMap<object, object>();
