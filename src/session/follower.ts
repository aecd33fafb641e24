/**
 * The session a SessionMeta or a presence mirror works on: attached by hand or followed across an
 * autobahn `Connection`'s reconnects, announced to whatever follows it, with its calls settled
 * when it closes. One place for the lifecycle both share.
 */
import type { Clock } from '../clock';
import { InvalidArgumentError, SessionClosedError, type MetaError } from '../errors';
import type { Payload } from '../normalize';
import type { Current } from '../topic-stream';
import type { CloseDetails, SessionId, WampConnectionLike, WampSessionLike } from '../types';
import { DISPOSED } from '../uris';
import { SessionAnnouncer } from './announcer';
import { CallPipeline } from './calls';
import { followConnection } from './connection-hooks';
import { watchSession } from './liveness';

export class SessionFollower {
  /** Sessions known closed: no UNSUBSCRIBE is sent on them. */
  readonly gone = new WeakSet<WampSessionLike>();
  readonly #announcer = new SessionAnnouncer();
  readonly #calls: CallPipeline;
  readonly #clock: Clock;
  readonly #onClosed: () => void;
  #unwatch: (() => void) | undefined;
  #release: (() => void) | undefined;
  #disposed = false;

  /** `report` hears malformed call results; `onClosed` runs whenever the session is let go. */
  constructor(callTimeoutMs: number, clock: Clock, report: (error: unknown) => MetaError, onClosed: () => void = () => undefined) {
    this.#clock = clock;
    this.#calls = new CallPipeline(callTimeoutMs, clock, report);
    this.#onClosed = onClosed;
  }

  /** The attached session, then each change. */
  get session$(): Current<WampSessionLike | null> {
    return this.#announcer.session$;
  }

  get current(): WampSessionLike | null {
    return this.#announcer.current;
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  /** Attaches every session `connection` opens, detaches on each close, chaining the user's handlers. */
  follow<S extends WampSessionLike>(connection: WampConnectionLike<S>): void {
    this.#release = followConnection(
      connection,
      (session) => {
        if (!this.#disposed) this.attach(session);
      },
      (details) => {
        if (!this.#disposed) this.closed(this.current, details, true);
      },
    );
    const open = connection.session;
    if (open?.isOpen) this.attach(open);
  }

  attach(session: WampSessionLike): void {
    if (this.#disposed) throw new SessionClosedError({ reason: DISPOSED });
    if (typeof session !== 'object' || session === null || typeof session.call !== 'function' || typeof session.subscribe !== 'function') {
      throw new InvalidArgumentError('session', 'a WAMP session (autobahn Session)');
    }
    const current = this.current;
    if (current === session) return;
    if (current) this.closed(current, undefined);
    this.#unwatch = watchSession(session, this.#clock, (close) => this.closed(session, close, true));
    this.#announcer.set(session);
  }

  /**
   * The attached session closed (`gone`) or is let go: settle everything that depended on it.
   * A gone session is not sent UNSUBSCRIBEs: autobahn still reports it open inside
   * `Connection.onclose`, but its socket is closing.
   */
  closed(session: WampSessionLike | null, close: CloseDetails | undefined, gone = false): void {
    if (session === null || this.current !== session) return;
    if (gone) this.gone.add(session);
    this.#unwatch?.();
    this.#unwatch = undefined;
    this.#calls.failAll(close);
    this.#onClosed();
    this.#announcer.set(null);
  }

  /** One call on the attached session (see CallPipeline). */
  invoke<T>(procedure: string, prepare: () => [unknown[]?, Record<string, unknown>?], parse: (payload: Payload, procedure: string) => T, id?: SessionId): Promise<T> {
    return this.#calls.invoke(this.current, procedure, prepare, parse, id);
  }

  /** The pipeline the calls on the attached session go through (for a batch, see batch.ts). */
  get calls(): CallPipeline {
    return this.#calls;
  }

  /** Lets the session go, restores the connection's handlers; the announcer completes. Idempotent. */
  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#release?.();
    this.closed(this.current, { reason: DISPOSED });
    this.#announcer.complete();
  }
}

