/** The call pipeline: argument checks first, then exactly one of result, error, timeout or close. */
import type { Clock, TimerHandle } from '../clock';
import { CallTimeoutError, SessionClosedError, toMetaError, type InvalidArgumentError, type MetaError } from '../errors';
import { resultPayload, type Payload } from '../normalize';
import type { CloseDetails, SessionId, WampSessionLike } from '../types';

/** `callTimeoutMs` when none is given (API.md §1). */
export const DEFAULT_CALL_TIMEOUT_MS = 10_000;

/** What a call fails with when there is no open session, or it closed while the call waited. */
export function closedError(procedure: string, close: CloseDetails | undefined): SessionClosedError {
  return new SessionClosedError({
    procedure,
    reason: close?.reason ?? undefined,
    closeMessage: close?.message || undefined,
  });
}

/** A call waiting for its answer; `fail` settles it at most once. */
export interface PendingCall {
  readonly procedure: string;
  readonly deadline: number;
  fail(error: MetaError): void;
}

export class CallPipeline {
  readonly #pending = new Set<PendingCall>();
  /** Batches have deadlines that move, so they are checked apart from the calls (in deadline order). */
  readonly #batches = new Set<PendingCall>();
  readonly #timeoutMs: number;
  readonly #clock: Clock;
  /** Malformed results are reported (on `errors$`) as well as rejected. */
  readonly #report: (error: unknown) => MetaError;
  #deadlines: TimerHandle | undefined;

  constructor(timeoutMs: number, clock: Clock, report: (error: unknown) => MetaError) {
    this.#timeoutMs = timeoutMs;
    this.#clock = clock;
    this.#report = report;
  }

  /**
   * One call on `session`: `prepare` checks the arguments first (nothing is sent on bad input),
   * `parse` reads the answer. No promise stays pending: result, error, timeout or close.
   */
  invoke<T>(
    session: WampSessionLike | null,
    procedure: string,
    prepare: () => [unknown[]?, Record<string, unknown>?],
    parse: (payload: Payload, procedure: string) => T,
    sessionId?: SessionId,
  ): Promise<T> {
    let args: unknown[] | undefined;
    let kwargs: Record<string, unknown> | undefined;
    try {
      [args, kwargs] = prepare();
    } catch (error) {
      return Promise.reject(error as InvalidArgumentError);
    }
    if (!session?.isOpen) return Promise.reject(closedError(procedure, undefined));
    return new Promise<T>((resolve, reject) => {
      const call: PendingCall = {
        procedure,
        deadline: this.#timeoutMs > 0 ? this.#clock.now() + this.#timeoutMs : Infinity,
        fail: (error) => {
          if (this.#pending.delete(call)) reject(error);
        },
      };
      this.#pending.add(call);
      if (this.#timeoutMs > 0 && this.#deadlines === undefined) this.#arm(this.#timeoutMs);
      const onResult = (value: unknown): void => {
        if (!this.#pending.has(call)) return;
        let result: T;
        try {
          result = parse(resultPayload(value), procedure);
        } catch (error) {
          return call.fail(this.#report(error));
        }
        this.#pending.delete(call);
        resolve(result);
      };
      try {
        const kw = kwargs && Object.keys(kwargs).length > 0 ? kwargs : undefined;
        session.call(procedure, args, kw).then(onResult, (error: unknown) => call.fail(toMetaError(error, procedure, sessionId)));
      } catch (error) {
        call.fail(session.isOpen ? toMetaError(error, procedure, sessionId) : closedError(procedure, undefined));
      }
    });
  }

  /** Registers a batch (see batch.ts): its deadline is checked with the calls'. */
  track(batch: PendingCall): void {
    this.#batches.add(batch);
    if (this.#timeoutMs > 0 && this.#deadlines === undefined) this.#arm(this.#timeoutMs);
  }

  /** A deadline for what is sent (or answered) now. */
  deadline(): number {
    return this.#timeoutMs > 0 ? this.#clock.now() + this.#timeoutMs : Infinity;
  }

  /** A malformed result, reported (on `errors$`) as a MetaError. */
  reported(error: unknown): MetaError {
    return this.#report(error);
  }

  /** A batch is settled: no longer pending. */
  release(batch: PendingCall): void {
    this.#batches.delete(batch);
  }

  /** The session closed or was let go: every pending call rejects with its close. */
  failAll(close: CloseDetails | undefined): void {
    for (const call of [...this.#pending]) call.fail(closedError(call.procedure, close));
    for (const batch of [...this.#batches]) batch.fail(closedError(batch.procedure, close));
    this.#clock.clearTimeout(this.#deadlines);
    this.#deadlines = undefined;
  }

  /**
   * One timer for all pending calls: they share the timeout, so their deadlines come in call
   * order. A timer per call cost more than the rest of the SDK's work on a call. Batches (few)
   * are all looked at, as an answer moves a batch's deadline.
   */
  #arm(delay: number): void {
    this.#deadlines = this.#clock.setTimeout(() => {
      this.#deadlines = undefined;
      const now = this.#clock.now();
      let next = Infinity;
      for (const call of this.#pending) {
        if (call.deadline > now) {
          next = call.deadline;
          break;
        }
        call.fail(new CallTimeoutError(this.#timeoutMs, { procedure: call.procedure }));
      }
      for (const batch of [...this.#batches]) {
        if (batch.deadline > now) next = Math.min(next, batch.deadline);
        else batch.fail(new CallTimeoutError(this.#timeoutMs, { procedure: batch.procedure }));
      }
      if (next < Infinity) this.#arm(next - now);
    }, delay);
  }
}
