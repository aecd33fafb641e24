import { BehaviorSubject, EMPTY, Observable, share, switchMap, takeUntil } from 'rxjs';
import { toMetaError } from './errors';
import { eventPayload, type Payload } from './normalize';
import type { WampSessionLike } from './types';

/** Unsubscribe without caring whether the session is still open: it may be gone already. */
function quietly(run: () => PromiseLike<unknown>): void {
  try {
    Promise.resolve(run()).then(undefined, () => undefined);
  } catch {
    // autobahn throws "session not open" synchronously; nothing is left to unsubscribe then.
  }
}

/**
 * One WAMP topic as a lazy, shared Observable (the RxJS `WebSocketSubject` pattern): the first
 * observer makes the WAMP subscription, later ones share it, the last unsubscribe removes it.
 * It follows `session$`: a new session gets a new WAMP subscription (autobahn subscriptions do
 * not survive a reconnect, autobahn-js #265), and while detached the observers simply wait.
 * `parse` runs once per event however many observers there are; `undefined` drops the event.
 */
export class TopicStream<T> {
  /** Parsed events of the topic on the current session. */
  readonly events$: Observable<T>;
  /** The session on which the WAMP subscription is confirmed (SUBSCRIBED), or null. */
  readonly subscribedOn$ = new BehaviorSubject<WampSessionLike | null>(null);
  /** Sessions known closed: no UNSUBSCRIBE is sent on them. */
  readonly #gone: WeakSet<WampSessionLike>;

  constructor(
    readonly topic: string,
    parse: (payload: Payload) => T | undefined,
    session$: Observable<WampSessionLike | null>,
    disposed$: Observable<unknown>,
    gone: WeakSet<WampSessionLike>,
  ) {
    this.#gone = gone;
    disposed$.subscribe(() => this.subscribedOn$.complete());
    this.events$ = session$.pipe(
      switchMap((session) => (session ? this.#subscribeOn(session, parse) : EMPTY)),
      takeUntil(disposed$),
      share(),
    );
  }

  #subscribeOn(session: WampSessionLike, parse: (payload: Payload) => T | undefined): Observable<T> {
    return new Observable<T>((subscriber) => {
      let handle: unknown;
      let active = true;
      const onEvent = (args?: unknown, kwargs?: unknown): void => {
        const value = parse(eventPayload(args, kwargs));
        if (value !== undefined) subscriber.next(value);
      };
      const onSubscribed = (subscription: unknown): void => {
        if (!active) return quietly(() => session.unsubscribe(subscription as never));
        handle = subscription;
        this.subscribedOn$.next(session);
      };
      const onDenied = (error: unknown): void => {
        // A subscribe that failed because the session closed is not the router's answer: the next
        // attach subscribes again.
        if (active && session.isOpen) subscriber.error(toMetaError(error, this.topic));
      };
      try {
        session.subscribe(this.topic, onEvent).then(onSubscribed, onDenied);
      } catch (error) {
        onDenied(error);
      }
      return () => {
        active = false;
        if (this.subscribedOn$.value === session) this.subscribedOn$.next(null);
        if (handle !== undefined && session.isOpen && !this.#gone.has(session)) quietly(() => session.unsubscribe(handle as never));
      };
    });
  }
}
