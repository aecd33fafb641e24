import { BehaviorSubject, Observable, Subject, type Subscription } from 'rxjs';
import { quietly } from './emitter';
import { toMetaError } from './errors';
import { eventPayload, type Payload } from './normalize';
import type { WampSessionLike } from './types';

/** One run of the shared stream: from its first observer to its last, an error or the dispose. */
interface Connection<T> {
  /** Multicasts to the observers of this run. */
  readonly hub: Subject<T>;
  /** Stops following the session and removes the WAMP subscription. */
  stop(): void;
}

/**
 * One WAMP topic as a lazy, shared Observable (the RxJS `WebSocketSubject` pattern): the first
 * observer makes the WAMP subscription, later ones share it, the last unsubscribe removes it.
 * It follows `session$`: a new session gets a new WAMP subscription (autobahn subscriptions do
 * not survive a reconnect, autobahn-js #265), and while detached the observers simply wait.
 * `parse` runs once per event however many observers there are; `undefined` drops the event.
 * An error (the router denied the SUBSCRIBE) ends the run: the next observer starts a new one.
 * Written with rxjs's classes only (what `switchMap`, `takeUntil` and `share` would do), so an
 * app that does not use those operators does not bundle them for this library.
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
  readonly #parse: (payload: Payload) => T | undefined;
  readonly #session$: Observable<WampSessionLike | null>;
  #connection: Connection<T> | undefined;
  #disposed = false;

  constructor(
    readonly topic: string,
    parse: (payload: Payload) => T | undefined,
    session$: Observable<WampSessionLike | null>,
    disposed$: Observable<unknown>,
    gone: WeakSet<WampSessionLike>,
  ) {
    this.#gone = gone;
    this.#parse = parse;
    this.#session$ = session$;
    disposed$.subscribe(() => {
      this.#disposed = true;
      const connection = this.#connection;
      this.#connection = undefined;
      connection?.stop();
      connection?.hub.complete();
      this.subscribedOn$.complete();
      this.#retry.complete();
    });
    this.events$ = new Observable<T>((subscriber) => {
      if (this.#disposed) return subscriber.complete();
      let connection = this.#connection;
      const first = connection === undefined;
      connection ??= this.#connection = { hub: new Subject<T>(), stop: () => undefined };
      const subscription = connection.hub.subscribe(subscriber);
      if (first) this.#start(connection);
      return () => {
        subscription.unsubscribe();
        if (this.#connection === connection && !connection.hub.observed) {
          this.#connection = undefined;
          connection.stop();
        }
      };
    });
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

  /** Follows the session for a run: the WAMP subscription on each session, none while detached. */
  #start(connection: Connection<T>): void {
    let stopped = false;
    let source: Subscription | undefined;
    let onSession: (() => void) | undefined;
    let latest: WampSessionLike | null | undefined;
    connection.stop = () => {
      stopped = true;
      source?.unsubscribe();
      onSession?.();
      onSession = undefined;
    };
    source = this.#session$.subscribe((session) => {
      latest = session;
      onSession?.();
      onSession = undefined;
      if (!session || stopped) return;
      const teardown = this.#subscribeOn(session, connection);
      if (stopped || latest !== session) teardown(); // refused at once, or session$ moved on meanwhile
      else onSession = teardown;
    });
    if (stopped) source.unsubscribe();
  }

  /** The router refused: the observers of this run get the error, then the run stops. */
  #fail(connection: Connection<T>, error: unknown): void {
    if (this.#connection === connection) this.#connection = undefined;
    connection.hub.error(toMetaError(error, this.topic));
    connection.stop();
  }

  /** The WAMP subscription on `session`; returns its teardown. */
  #subscribeOn(session: WampSessionLike, connection: Connection<T>): () => void {
    const parse = this.#parse;
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
        if (winner !== self || !active) return;
        const value = parse(eventPayload(args, kwargs));
        if (value !== undefined) connection.hub.next(value);
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
        if (active && handle === undefined && session.isOpen) this.#fail(connection, error);
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
  }
}

/** An observable that also has its current value (a `BehaviorSubject`, read-only). */
export type Current<T> = Observable<T> & { readonly value: T };

/** What {@link whenSubscribed} tells. */
export interface SubscribedListener {
  /** The attached session changed (null: detached). */
  session(session: WampSessionLike | null): void;
  /** Every topic's SUBSCRIBE is confirmed on the attached session (again, after any change). */
  subscribed(): void;
}

/**
 * Follows the attached session and the topics' confirmations: what a live set's source needs
 * before it may sync (`combineLatest` of the three, read from their current values).
 */
export function whenSubscribed(session$: Current<WampSessionLike | null>, topics: readonly { readonly subscribedOn$: Current<WampSessionLike | null> }[], on: SubscribedListener): Subscription {
  let current: WampSessionLike | null = null;
  let started = false;
  const check = (): void => {
    if (!started) return;
    const session = session$.value;
    if (session !== current) {
      current = session;
      on.session(session);
    }
    if (session && topics.every((topic) => topic.subscribedOn$.value === session)) on.subscribed();
  };
  const subscription = session$.subscribe(check);
  for (const topic of topics) subscription.add(topic.subscribedOn$.subscribe(check));
  started = true;
  check();
  return subscription;
}
