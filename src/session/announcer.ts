/** The attached session, announced in order to everything that follows it. */
import { BehaviorSubject } from 'rxjs';
import type { WampSessionLike } from '../types';

export class SessionAnnouncer {
  /** Observers of the attached session (topic streams, live sets). */
  readonly session$ = new BehaviorSubject<WampSessionLike | null>(null);
  #current: WampSessionLike | null = null;
  #announcing = false;

  get current(): WampSessionLike | null {
    return this.#current;
  }

  /**
   * Makes `session` the current one and tells the observers. A change made by one of them while
   * they are being told (e.g. `attach` from a 'stale' listener) is announced after the current
   * round, so every observer sees the sessions in the same order and ends on the current one.
   */
  set(session: WampSessionLike | null): void {
    this.#current = session;
    if (this.#announcing) return;
    this.#announcing = true;
    try {
      while (this.session$.value !== this.#current) this.session$.next(this.#current);
    } finally {
      this.#announcing = false;
    }
  }

  complete(): void {
    this.session$.complete();
  }
}
