import { BehaviorSubject, EMPTY, Observable, Subject, share, switchMap, takeUntil } from 'rxjs';
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
  /** Asks for one more SUBSCRIBE on the current session. */
  readonly #retry = new Subject<void>();

  constructor(
    readonly topic: string,
    parse: (payload: Payload) => T | undefined,
    session$: Observable<WampSessionLike | null>,
    disposed$: Observable<unknown>,
    gone: WeakSet<WampSessionLike>,
  ) {
    this.#gone = gone;
    disposed$.subscribe(() => {
      this.subscribedOn$.complete();
      this.#retry.complete();
    });
    this.events$ = session$.pipe(
      switchMap((session) => (session ? this.#subscribeOn(session, parse) : EMPTY)),
      takeUntil(disposed$),
      share(),
    );
  }

  /**
   * Sends one more SUBSCRIBE on the current session when none got an answer in time (a router or
   * proxy that swallowed it). The earlier ones stay in flight: a slow router's answer still
   * counts. The first confirmed wins; any confirmed later is unsubscribed at once, and only the
   * winner's handler delivers events, so there is one WAMP subscription per topic, one event each.
   */
  resubscribe(): void {
    if (this.subscribedOn$.value === null) this.#retry.next();
  }

  #subscribeOn(session: WampSessionLike, parse: (payload: Payload) => T | undefined): Observable<T> {
    return new Observable<T>((subscriber) => {
      let handle: unknown;
      let active = true;
      /**
       * The attempt whose handler delivers: the first confirmed one, or the first to hear an event
       * (autobahn calls a handler for an EVENT that comes right behind its SUBSCRIBED, in the same
       * tick, before the SUBSCRIBED promise settles: that event must not be lost).
       */
      let winner: object | undefined;
      const attempt = (): void => {
        const self = {};
        const onEvent = (args?: unknown, kwargs?: unknown): void => {
          winner ??= self;
          if (winner !== self) return;
          const value = parse(eventPayload(args, kwargs));
          if (value !== undefined) subscriber.next(value);
        };
        const onSubscribed = (subscription: unknown): void => {
          if (!active || handle !== undefined || (winner !== undefined && winner !== self)) return quietly(() => session.unsubscribe(subscription as never));
          winner = self;
          handle = subscription;
          this.subscribedOn$.next(session);
        };
        const onDenied = (error: unknown): void => {
          // A subscribe that failed because the session closed is not the router's answer: the next
          // attach subscribes again.
          if (active && handle === undefined && session.isOpen) subscriber.error(toMetaError(error, this.topic));
        };
        try {
          session.subscribe(this.topic, onEvent).then(onSubscribed, onDenied);
        } catch (error) {
          onDenied(error);
        }
      };
      const retries = this.#retry.subscribe(() => handle === undefined && attempt());
      attempt();
      return () => {
        active = false;
        retries.unsubscribe();
        if (this.subscribedOn$.value === session) this.subscribedOn$.next(null);
        if (handle !== undefined && session.isOpen && !this.#gone.has(session)) quietly(() => session.unsubscribe(handle as never));
      };
    });
  }
}
