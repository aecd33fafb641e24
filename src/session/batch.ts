/**
 * Many calls of one procedure as one batch, for a sync's thousands of `get`s: one pending entry
 * in the call pipeline instead of a promise, a pending entry and closures per call. Its own module,
 * so that bundles without a live set of the meta API (a presence mirror) do not carry it.
 */
import { closedError, type CallPipeline } from './calls';
import { toMetaError, type MetaError } from '../errors';
import type { SessionId, WampSessionLike } from '../types';

/** What {@link callEach} does with each call's outcome. */
export interface EachCall<T> {
  result(result: T, id: SessionId): void;
  /** The call for `id` was refused; a throw fails the whole batch with what it threw. */
  refused(error: MetaError, id: SessionId): void;
  /** Asked before each call is sent: false ends the batch (resolved; later answers are ignored). */
  wanted(): boolean;
}

/**
 * The calls of one {@link callEach}, registered as one pending entry: no promise, pending
 * entry or closure of the pipeline's per call. Its deadline is a stall deadline, moved by every
 * answer: the batch fails when nothing came back for the timeout (or the session closed).
 */
class Batch<T> {
  deadline: number;
  #next = 0;
  #inFlight = 0;
  #done = false;

  constructor(
    readonly procedure: string,
    private readonly pipeline: CallPipeline,
    private readonly session: WampSessionLike,
    private readonly ids: readonly SessionId[],
    private readonly limit: number,
    private readonly parse: (value: unknown, procedure: string) => T,
    private readonly calls: EachCall<T>,
    private readonly settled: (error: MetaError | undefined) => void,
  ) {
    this.deadline = pipeline.deadline();
  }

  /** Keeps `limit` calls in flight while ids are left and wanted; resolves when all are answered. */
  pump(): void {
    const { ids } = this;
    while (!this.#done && this.#inFlight < this.limit && this.#next < ids.length) {
      if (!this.calls.wanted()) return this.fail(undefined);
      this.#send(ids[this.#next++] as SessionId);
    }
    if (this.#inFlight === 0) this.fail(undefined);
  }

  /** Settles the batch once: rejected with `error`, or resolved without one. */
  fail(error: MetaError | undefined): void {
    if (this.#done) return;
    this.#done = true;
    this.pipeline.release(this);
    this.settled(error);
  }

  #send(id: SessionId): void {
    const { session, procedure } = this;
    this.#inFlight++;
    try {
      session.call(procedure, [id]).then(
        (value) => this.#answered(id, value, true),
        (error: unknown) => this.#answered(id, error, false),
      );
    } catch (error) {
      this.#inFlight--;
      if (!session.isOpen) return this.fail(closedError(procedure, undefined));
      this.#refused(toMetaError(error, procedure, id), id);
    }
  }

  #answered(id: SessionId, value: unknown, ok: boolean): void {
    if (this.#done) return;
    this.#inFlight--;
    this.deadline = this.pipeline.deadline();
    if (!ok) this.#refused(toMetaError(value, this.procedure, id), id);
    else this.#parsed(id, value);
    this.pump();
  }

  #parsed(id: SessionId, value: unknown): void {
    let result: T;
    try {
      result = this.parse(value, this.procedure);
    } catch (error) {
      return this.#refused(this.pipeline.reported(error), id);
    }
    this.calls.result(result, id);
  }

  #refused(error: MetaError, id: SessionId): void {
    try {
      this.calls.refused(error, id);
    } catch (fatal) {
      this.fail(fatal as MetaError);
    }
  }
}

/**
 * `procedure` with `[id]` for each of `ids` (known valid: nothing is checked), `limit` in flight,
 * each answer read by `parse` (as autobahn resolved it; a throw is a refusal, reported on
 * `errors$` too) and each outcome handed to `calls` as it comes. Rejects when no answer came for
 * the timeout (`CallTimeoutError`), when the session closes (`SessionClosedError`), or with what
 * `calls.refused` throws; otherwise resolves once every call is answered, or at once when
 * `calls.wanted()` turns false.
 */
export function callEach<T>(
  pipeline: CallPipeline,
  session: WampSessionLike | null,
  procedure: string,
  ids: readonly SessionId[],
  limit: number,
  parse: (value: unknown, procedure: string) => T,
  calls: EachCall<T>,
): Promise<void> {
  if (!session?.isOpen) return Promise.reject(closedError(procedure, undefined));
  return new Promise<void>((resolve, reject) => {
    const batch = new Batch(procedure, pipeline, session, ids, limit, parse, calls, (error) => (error ? reject(error) : resolve()));
    pipeline.track(batch);
    batch.pump();
  });
}
