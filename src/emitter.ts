import type { EventMap } from 'typed-emitter';

/**
 * Calls user code so that a throw neither stops the library nor the other listeners: the error
 * is rethrown asynchronously, as RxJS does for subscribers.
 */
export function callSafely<A extends unknown[]>(listener: (...args: A) => unknown, ...args: A): void {
  try {
    listener(...args);
  } catch (error) {
    setTimeout(() => {
      throw error;
    });
  }
}

/**
 * Undoes something on a session (unsubscribe, unregister) without caring whether it works: the
 * session may be closing or gone. autobahn throws "session not open" synchronously; nothing is
 * left to undo then.
 */
export function quietly(run: () => PromiseLike<unknown>): void {
  try {
    Promise.resolve(run()).then(undefined, () => undefined);
  } catch {
    // the session is closed: nothing to undo
  }
}

/**
 * A tiny typed event emitter (typed-emitter's `EventMap` contract) that runs in browsers too,
 * where Node's `events` module does not exist. Each listener maps to whether it is a `once` one.
 */
export class Emitter<Events extends EventMap> {
  readonly #listeners = new Map<keyof Events, Map<Events[keyof Events], boolean>>();

  on<E extends keyof Events>(event: E, listener: Events[E], once = false): void {
    let listeners = this.#listeners.get(event);
    if (!listeners) this.#listeners.set(event, (listeners = new Map()));
    listeners.set(listener, once);
  }

  off<E extends keyof Events>(event: E, listener: Events[E]): void {
    this.#listeners.get(event)?.delete(listener);
  }

  /** Whether anybody listens to `event`. */
  listens(event: keyof Events): boolean {
    return (this.#listeners.get(event)?.size ?? 0) > 0;
  }

  emit<E extends keyof Events>(event: E, ...args: Parameters<Events[E]>): void {
    const listeners = this.#listeners.get(event);
    if (!listeners) return;
    for (const [listener, once] of [...listeners]) {
      if (once) listeners.delete(listener);
      callSafely(listener, ...args);
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
