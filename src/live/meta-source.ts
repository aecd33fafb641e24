/**
 * The WAMP Session Meta API as a source of a live set: `on_join`/`on_leave` for events,
 * `list` + `get` (only for ids the set lacks) for the snapshot, `count` for verification.
 */
import { Subscription, type Observable } from 'rxjs';
import type { Clock } from '../clock';
import { CallTimeoutError, DriftError, InvalidArgumentError, NoSuchSessionError, NotAuthorizedError, ProcedureUnavailableError, SessionClosedError, type MetaError } from '../errors';
import { callSafely } from '../emitter';
import type { EachCall } from '../session/batch';
import { whenSubscribed, type Current, type TopicStream } from '../topic-stream';
import type { SessionDetails, SessionFilter, SessionId, SessionLeft, WampSessionLike } from '../types';
import { ON_JOIN, ON_LEAVE } from '../uris';
import { checkFilter, checkPositiveInteger, checkTimeout } from '../validate';
import { applyEvent, idOnly, settle, type Accept, type LiveEvent, type SessionTable, type Tombstones } from './reduce';
import { RETRY_BASE_MS, RETRY_MAX_MS, type MachineConfig } from './machine';
import type { SourceSink, SyncSource } from './source';
import type { LiveSessionSetOptions, SessionSetChange } from './types';

/** What a live set needs from a `SessionMeta`: the session, the two event streams, three calls. */
export interface MetaApi {
  readonly session$: Current<WampSessionLike | null>;
  readonly joins: TopicStream<SessionDetails>;
  readonly leaves: TopicStream<SessionLeft>;
  /** Malformed meta events (the live set passes those of its topics on). */
  readonly errors$: Observable<MetaError>;
  readonly callTimeoutMs: number;
  readonly clock: Clock;
  list(filter?: SessionFilter): Promise<SessionId[]>;
  /**
   * `get` of ids the router just listed (valid by construction: no argument check), `limit` in
   * flight, each outcome to `calls` as it comes; one batch whose timeout (no answer for
   * `callTimeoutMs`) or close rejects it whole.
   */
  getListed(ids: readonly SessionId[], limit: number, calls: EachCall<SessionDetails>): Promise<void>;
  count(filter?: SessionFilter): Promise<number>;
  /** Publishes on `meta.errors$` (a drift found by a live set). */
  report(error: MetaError): void;
  /** Lets the meta API reach its sets: verify after a kill, dispose with it. Returns the undo. */
  register(set: { verifyNow(): void; dispose(): void }): () => void;
}

const DEFAULT_VERIFY_MS = 15_000;
/**
 * `get`s in flight by default (the package's sync benchmark, batched gets): 4096 stayed within
 * 1.1× the same calls made by hand at 1 000–10 000 sessions, on loopback and with 2 ms added each
 * way; 256 was up to 1.5×, 64 up to 3.8× on the slower link.
 */
const CONCURRENCY = 4096;

interface Settings {
  readonly filter: SessionFilter | undefined;
  readonly roles: readonly string[] | undefined;
  readonly includeSelf: boolean;
  readonly full: boolean;
  readonly concurrency: number;
  readonly verifyIntervalMs: number;
  readonly onDetailsError: LiveSessionSetOptions['onDetailsError'];
}

/** Checks the options before anything is subscribed. */
export function checkLiveOptions(options: LiveSessionSetOptions | undefined = {}): Settings {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object');
  const { includeSelf = true, details = 'full', syncConcurrency, onDetailsError, verifyIntervalMs = DEFAULT_VERIFY_MS } = options;
  const roles = checkFilter(options, 'options');
  if (typeof includeSelf !== 'boolean') throw new InvalidArgumentError('options.includeSelf', 'a boolean');
  if (details !== 'full' && details !== 'id') throw new InvalidArgumentError('options.details', "'full' or 'id'");
  if (onDetailsError !== undefined && typeof onDetailsError !== 'function') throw new InvalidArgumentError('options.onDetailsError', 'a function');
  return {
    filter: roles ? { authroles: roles } : undefined,
    roles,
    includeSelf,
    full: details === 'full',
    concurrency: syncConcurrency === undefined ? CONCURRENCY : checkPositiveInteger(syncConcurrency, 'options.syncConcurrency'),
    verifyIntervalMs: checkTimeout(verifyIntervalMs, 'options.verifyIntervalMs'),
    onDetailsError,
  };
}

function isFinal(error: MetaError): boolean {
  return NotAuthorizedError.is(error) || ProcedureUnavailableError.is(error);
}

/** A live set's source on the meta API of `api`. */
export class MetaSource implements SyncSource<LiveEvent, SessionDetails[]> {
  readonly config: MachineConfig;
  readonly clock: Clock;
  readonly isFinal = isFinal;
  readonly #api: MetaApi;
  readonly #settings: Settings;
  readonly #accept: Accept;
  #session: WampSessionLike | null = null;
  #sink: SourceSink<LiveEvent> | undefined;
  /** The router's count minus the set's size when in step (fox-wamp counts its own meta session). */
  #offset = 0;

  constructor(api: MetaApi, settings: Settings) {
    this.#api = api;
    this.#settings = settings;
    this.clock = api.clock;
    this.config = { verifyIntervalMs: settings.verifyIntervalMs, subscribeTimeoutMs: api.callTimeoutMs, retryBaseMs: RETRY_BASE_MS, retryMaxMs: RETRY_MAX_MS };
    const { roles, includeSelf } = settings;
    // A session whose authrole the router does not report is let through: the router's own `list`
    // filter is then all there is (fox-wamp has none).
    this.#accept = (d) => (includeSelf || d.session !== this.#session?.id) && (!roles || d.authrole === undefined || roles.includes(d.authrole));
  }

  /** The topic whose SUBSCRIBE is still unconfirmed (for the timeout's `procedure`). */
  get topic(): string {
    return this.#api.joins.subscribedOn$.value === this.#session ? ON_LEAVE : ON_JOIN;
  }

  connect(sink: SourceSink<LiveEvent>): () => void {
    const api = this.#api;
    this.#sink = sink;
    const subscription = new Subscription();
    const fatal = (error: MetaError): void => sink.dispatch({ type: 'close', error });
    subscription.add(api.joins.events$.subscribe({ next: (details) => sink.event({ type: 'join', details }), error: fatal }));
    subscription.add(api.leaves.events$.subscribe({ next: (left) => sink.event({ type: 'leave', left }), error: fatal }));
    // Malformed events concern every set; call results concern their caller (own list/get: fetch).
    subscription.add(
      api.errors$.subscribe((error) => {
        if (error.procedure === ON_JOIN || error.procedure === ON_LEAVE) sink.report(error);
      }),
    );
    subscription.add(
      whenSubscribed(api.session$, [api.joins, api.leaves], {
        session: (session) => {
          this.#session = session;
          sink.dispatch({ type: session ? 'attach' : 'detach' });
        },
        subscribed: () => sink.dispatch({ type: 'subscribed' }),
      }),
    );
    const unregister = api.register({ verifyNow: () => sink.dispatch({ type: 'verifyNow' }), dispose: () => sink.dispatch({ type: 'close' }) });
    return () => {
      unregister();
      subscription.unsubscribe();
    };
  }

  resubscribe(): void {
    this.#api.joins.resubscribe();
    this.#api.leaves.resubscribe();
  }

  async fetch(known: ReadonlyMap<SessionId, SessionDetails>, isCurrent: () => boolean): Promise<SessionDetails[]> {
    const wanted = await this.#listed();
    const out: SessionDetails[] = [];
    const missing: SessionId[] = [];
    for (const id of wanted) {
      const had = known.get(id);
      if (had && (had.raw !== null || !this.#settings.full)) out.push(had);
      else if (this.#settings.full) missing.push(id);
      else out.push(idOnly(id));
    }
    if (missing.length > 0 && isCurrent()) await this.#getAll(missing, out, isCurrent);
    return out;
  }

  async repair(table: ReadonlyMap<SessionId, SessionDetails>, gone: Tombstones, isCurrent: () => boolean): Promise<LiveEvent[]> {
    // Only what the set held before the first look can have lost its leave: a join that arrives
    // meanwhile may be newer than a list (fox-wamp sends results and events out of order).
    const held = new Set(table.keys());
    const missing = (ids: ReadonlySet<SessionId>): SessionId[] => [...ids].filter((id) => !table.has(id) && !gone.has(id));
    const extra = (ids: ReadonlySet<SessionId>): SessionId[] => [...held].filter((id) => table.has(id) && !ids.has(id));
    const first = new Set(await this.#listed());
    if (missing(first).length === 0 && extra(first).length === 0) return [];
    // Look again a round trip later: what events in flight explained is gone from the difference.
    const second = new Set(isCurrent() ? await this.#listed() : []);
    const joined = missing(second).filter((id) => first.has(id));
    const left = extra(second).filter((id) => !first.has(id));
    const details: SessionDetails[] = [];
    if (!this.#settings.full) details.push(...joined.map(idOnly));
    else if (joined.length > 0 && isCurrent()) await this.#getAll(joined, details, isCurrent);
    return [...left.map((session): LiveEvent => ({ type: 'leave', left: { session } })), ...details.map((d): LiveEvent => ({ type: 'join', details: d }))];
  }

  keep(buffered: readonly LiveEvent[]): LiveEvent[] {
    // Joins seen so far happened before `list` runs, so `list` has those still alive. Kept, they
    // would bring back one whose leave came before on_leave was SUBSCRIBED (a ghost). Leaves stay:
    // their on_join may still arrive (the spec orders events per topic only).
    return buffered.filter((event) => event.type === 'leave');
  }

  settle(fetched: SessionDetails[], buffered: readonly LiveEvent[], gone: Tombstones, next: SessionTable): void {
    settle(fetched, buffered, gone, this.#accept, next);
  }

  apply(event: LiveEvent, table: SessionTable, gone: Tombstones): SessionSetChange | undefined {
    return applyEvent(table, gone, event, this.#accept);
  }

  /**
   * The router's count against the set's size when the answer arrives: the router sends the
   * events it published before it answered on the same connection, so by then the set has them.
   */
  async check(size: () => number, calibrate: boolean): Promise<number> {
    const count = await this.#api.count(this.#settings.filter);
    if (calibrate) this.#offset = count - size();
    return count - size() - this.#offset;
  }

  drifted(joined: number, left: number): MetaError {
    const drift = new DriftError(joined, left);
    this.#api.report(drift);
    return drift;
  }

  /** The router's list, without this session unless `includeSelf`. */
  async #listed(): Promise<SessionId[]> {
    const ids = await this.#api.list(this.#settings.filter);
    const self = this.#session?.id;
    return this.#settings.includeSelf ? ids : ids.filter((id) => id !== self);
  }

  /** `get` for each id, `concurrency` in flight, into `out`. */
  #getAll(ids: readonly SessionId[], out: SessionDetails[], isCurrent: () => boolean): Promise<void> {
    const { onDetailsError, concurrency } = this.#settings;
    return this.#api.getListed(ids, concurrency, {
      result: (details) => void out.push(details),
      refused: (error, id) => {
        if (NoSuchSessionError.is(error)) return; // gone since `list`: absent (guarantee 3)
        if (SessionClosedError.is(error) || CallTimeoutError.is(error)) throw error; // the whole sync fails
        // Denied or malformed details: the session is alive (it was listed), keep its id.
        out.push(idOnly(id));
        this.#sink?.report(error);
        if (onDetailsError) callSafely(onDetailsError, error, id);
      },
      wanted: isCurrent,
    });
  }
}
