/**
 * publishPresence: a live set (or the union of several, one per router node) republished on
 * application URIs, reduced by a projection, for mirrors in clients without meta rights.
 */
import { Subject, Subscription, type Observable } from 'rxjs';
import { systemClock, type TimerHandle } from '../clock';
import { quietly } from '../emitter';
import { InvalidArgumentError, NotAuthorizedError, SessionClosedError, toMetaError, type MetaError } from '../errors';
import { backoffMs } from '../live/machine';
import type { LiveSessionView, SessionSetChange } from '../live/types';
import type { SessionMeta } from '../session-meta';
import { ownerOf, sessionsOf } from '../session/registry';
import type { SessionDetails, SessionId, WampSessionLike } from '../types';
import { DISPOSED } from '../uris';
import { checkTimeout, checkUri } from '../validate';
import { DEFAULT_HEARTBEAT_MS, defaultProjection, entryDetails, uris, type PresenceEntry, type StateMessage } from './protocol';

/**
 * Options of {@link publishPresence}.
 *
 * @example
 * ```ts
 * const options: PublishPresenceOptions = {
 *   prefix: 'com.example.presence',
 *   project: (s) => ({ session: s.session, authid: s.authid, role: s.authrole }),
 *   heartbeatMs: 10_000,
 * };
 * ```
 */
export interface PublishPresenceOptions {
  /** A WAMP URI: the relay registers `<prefix>.get_state` and publishes `<prefix>.on_change` / `<prefix>.on_heartbeat`. */
  readonly prefix: string;
  /**
   * What of a session leaves the service. Default `{ session, authid, authrole }`: never the
   * transport, peer address or authextra unless you add them. Must return a JSON object with the
   * same `session`.
   */
  readonly project?: (session: SessionDetails) => PresenceEntry;
  /** The SessionMeta whose session registers and publishes. Default: the one live set's own; required with several sets. */
  readonly via?: SessionMeta;
  /** How often a heartbeat goes out. Default 10 000 ms; mirrors go stale after 2.5 of them missed. */
  readonly heartbeatMs?: number;
}

/**
 * A running presence relay.
 *
 * @example
 * ```ts
 * const relay: PresenceRelay = publishPresence(live, { prefix: 'com.example.presence' });
 * await relay.ready;
 * relay.errors$.subscribe((e) => console.warn('presence:', e.message));
 * ```
 */
export interface PresenceRelay {
  /** Resolves once `<prefix>.get_state` is registered and answering; rejects (`SessionClosedError`) if disposed first. */
  readonly ready: Promise<void>;
  /** Registration refused, publications that failed, projections that threw: reported, never thrown. */
  readonly errors$: Observable<MetaError>;
  /** Publishes a last heartbeat with `stale: true`, unregisters, stops. Idempotent. */
  dispose(): void;
}

/** Changes within this window go out as one publication (a burst of joins is not one publication each). */
const COALESCE_MS = 10;

function newEpoch(): string {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

class Relay implements PresenceRelay {
  readonly ready: Promise<void>;
  readonly errors$: Observable<MetaError>;
  readonly #sets: readonly LiveSessionView[];
  readonly #uris: ReturnType<typeof uris>;
  readonly #project: (session: SessionDetails) => PresenceEntry;
  readonly #heartbeatMs: number;
  readonly #epoch = newEpoch();
  readonly #errors = new Subject<MetaError>();
  readonly #entries = new Map<SessionId, PresenceEntry>();
  readonly #joined = new Map<SessionId, PresenceEntry>();
  readonly #left = new Set<SessionId>();
  readonly #subscription = new Subscription();
  readonly #clock = systemClock;
  #seq = 0;
  #stale = true;
  #session: WampSessionLike | null = null;
  #registration: unknown;
  #flushTimer: TimerHandle | undefined;
  #heartbeatTimer: TimerHandle | undefined;
  #registerRetry: TimerHandle | undefined;
  #registerAttempts = 0;
  #disposed = false;
  #disposing = false;
  #registered!: () => void;
  #notRegistered!: (error: MetaError) => void;

  constructor(
    sets: readonly LiveSessionView[],
    session$: Observable<WampSessionLike | null>,
    prefix: string,
    project: (session: SessionDetails) => PresenceEntry,
    heartbeatMs: number,
  ) {
    this.#sets = sets;
    this.#uris = uris(prefix);
    this.#project = project;
    this.#heartbeatMs = heartbeatMs;
    this.errors$ = this.#errors.asObservable();
    this.ready = new Promise<void>((resolve, reject) => {
      this.#registered = resolve;
      this.#notRegistered = reject;
    });
    this.ready.catch(() => undefined); // rejection is for those who await it, never unhandled
    // Started a microtask later, so that what the first projections report reaches `errors$`
    // observers subscribed right after publishPresence() returned.
    queueMicrotask(() => this.#start(session$));
  }

  #start(session$: Observable<WampSessionLike | null>): void {
    if (this.#disposed) return;
    // The current sessions and every change after them, with nothing in between (synchronous).
    for (const set of this.#sets) for (const details of set.values()) this.#add(details, false);
    this.#stale = this.#anyStale();
    for (const set of this.#sets) {
      this.#subscription.add(set.changes$.subscribe((change) => this.#onChange(change)));
      this.#subscription.add(set.status$.subscribe(() => this.#onStatus()));
    }
    this.#subscription.add(session$.subscribe((session) => this.#onSession(session)));
    this.#beat();
  }

  dispose(): void {
    if (this.#disposed || this.#disposing) return; // an errors$ observer may call it again from within
    this.#disposing = true;
    this.#flush();
    this.#stale = true;
    this.#publishHeartbeat();
    this.#disposed = true;
    this.#subscription.unsubscribe();
    this.#clock.clearTimeout(this.#flushTimer);
    this.#clock.clearTimeout(this.#heartbeatTimer);
    this.#clock.clearTimeout(this.#registerRetry);
    this.#unregister();
    this.#notRegistered(new SessionClosedError({ reason: DISPOSED })); // a no-op once registered
    this.#errors.complete();
  }

  #anyStale(): boolean {
    return this.#sets.some((set) => set.status !== 'live');
  }

  /** A session's entry, or undefined (reported) when the projection fails or lies. */
  #entry(details: SessionDetails): PresenceEntry | undefined {
    try {
      const entry = this.#project(details);
      if (typeof entry === 'object' && entry !== null && entry.session === details.session) {
        entryDetails(entry, this.#uris.getState); // what every mirror reads of it (authid a string, …): throws when it cannot
        return entry;
      }
      this.#report(new InvalidArgumentError('options.project', `an object with session ${details.session}`));
    } catch (error) {
      this.#report(error);
    }
    return undefined;
  }

  #add(details: SessionDetails, publish: boolean): void {
    const entry = this.#entry(details);
    if (!entry) return;
    this.#entries.set(details.session, entry);
    if (publish) this.#joined.set(details.session, entry);
  }

  #onChange({ type, session }: SessionSetChange): void {
    const id = session.session;
    if (type === 'joined') this.#add(session, true);
    // The union: a session still in another set stays (the set that emitted `left` no longer has it).
    else if (!this.#sets.some((set) => set.has(id)) && this.#entries.delete(id) && !this.#joined.delete(id)) this.#left.add(id);
    if (this.#flushTimer === undefined) this.#flushTimer = this.#clock.setTimeout(() => this.#flush(), COALESCE_MS);
  }

  #onStatus(): void {
    const stale = this.#anyStale();
    if (stale === this.#stale) return;
    if (stale) {
      this.#flush();
      this.#stale = true;
      this.#publishHeartbeat(); // at once when `stale` changes
      return;
    }
    // A set says `live` before it emits the changes of its sync (status first): wait for them
    // (same call stack), so mirrors never see "live" with the set still missing them.
    queueMicrotask(() => {
      if (this.#disposed || this.#anyStale()) return;
      this.#flush();
      this.#stale = false;
      this.#publishHeartbeat();
    });
  }

  #onSession(session: WampSessionLike | null): void {
    this.#clock.clearTimeout(this.#registerRetry);
    if (session !== this.#session) this.#registerAttempts = 0;
    this.#unregister(); // a session let go while still open would go on answering, and hold the URI
    this.#session = session;
    if (!session || this.#disposed) return;
    if (typeof session.register !== 'function' || typeof session.publish !== 'function') {
      return this.#report(new InvalidArgumentError('via', 'a SessionMeta on a session that can register and publish'));
    }
    const endpoint = (): StateMessage => this.#state();
    let registering: unknown;
    try {
      registering = session.register(this.#uris.getState, endpoint);
    } catch (error) {
      // autobahn throws "session not open" at once: the next session registers again
      if (session.isOpen) this.#report(toMetaError(error, this.#uris.getState));
      return;
    }
    Promise.resolve(registering).then(
      (registration) => {
        if (this.#session !== session || this.#disposed) return unregisterFrom(session, registration);
        this.#registerAttempts = 0;
        this.#registration = registration;
        this.#registered();
        this.#flush(); // what changed while this relay had no session
        this.#publishHeartbeat();
      },
      (error: unknown) => {
        const refused = toMetaError(error, this.#uris.getState);
        this.#report(refused);
        // Refused for now (e.g. the router still holds the registration of this service's session
        // before a reconnect): try again with backoff while this session is the one; denied is final.
        if (this.#session !== session || this.#disposed || NotAuthorizedError.is(refused) || !session.isOpen) return;
        const delay = backoffMs(this.#registerAttempts++);
        this.#registerRetry = this.#clock.setTimeout(() => {
          if (this.#session === session && !this.#disposed && this.#registration === undefined) this.#onSession(session);
        }, delay);
      },
    );
  }

  /** `get_state`'s answer, after the pending changes went out (so `seq` covers everything in it). */
  #state(): StateMessage {
    this.#flush();
    return { epoch: this.#epoch, seq: this.#seq, heartbeatMs: this.#heartbeatMs, stale: this.#stale, sessions: [...this.#entries.values()] };
  }

  #flush(): void {
    this.#clock.clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    if (this.#joined.size === 0 && this.#left.size === 0) return;
    if (!this.#registration) return; // kept until a session registered again
    this.#seq++;
    this.#publish(this.#uris.onChange, { epoch: this.#epoch, seq: this.#seq, joined: [...this.#joined.values()], left: [...this.#left] });
    this.#joined.clear();
    this.#left.clear();
  }

  #beat(): void {
    this.#heartbeatTimer = this.#clock.setTimeout(() => {
      this.#flush();
      this.#publishHeartbeat();
      if (!this.#disposed) this.#beat(); // an errors$ observer may have disposed the relay meanwhile
    }, this.#heartbeatMs);
  }

  #publishHeartbeat(): void {
    if (this.#registration) this.#publish(this.#uris.onHeartbeat, this.#stale ? { epoch: this.#epoch, seq: this.#seq, stale: true } : { epoch: this.#epoch, seq: this.#seq });
  }

  #publish(topic: string, payload: Record<string, unknown>): void {
    const session = this.#session;
    if (!session?.isOpen || this.#disposed) return;
    try {
      const sent = session.publish?.(topic, [payload], {}, { acknowledge: true });
      if (sent) Promise.resolve(sent).then(undefined, (error: unknown) => this.#report(toMetaError(error, topic)));
    } catch (error) {
      this.#report(toMetaError(error, topic));
    }
  }

  #unregister(): void {
    const registration = this.#registration;
    this.#registration = undefined;
    if (this.#session && registration !== undefined) unregisterFrom(this.#session, registration);
  }

  #report(error: unknown): void {
    if (!this.#disposed) this.#errors.next(toMetaError(error, this.#uris.getState));
  }
}

/** Removes a registration, quietly: the session may be closing. */
function unregisterFrom(session: WampSessionLike, registration: unknown): void {
  if (session.isOpen && typeof session.unregister === 'function') quietly(() => session.unregister!(registration as never));
}

/**
 * Republishes a live set, reduced to safe fields, on application URIs under `prefix`, so that
 * clients without meta rights can mirror it ({@link mirrorPresence}). Give it several live sets
 * (one per router node of a realm: meta events stay on their own node) and a `via` to publish
 * their union. Re-registers across reconnects of its session; a new epoch each time it starts.
 *
 * @example
 * ```ts
 * const live = meta.liveSessions({ authroles: ['user'] });
 * const relay = publishPresence(live, { prefix: 'com.example.presence' });
 * await relay.ready;
 * // later: relay.dispose();
 * ```
 */
export function publishPresence(sets: LiveSessionView | readonly LiveSessionView[], options: PublishPresenceOptions): PresenceRelay {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object with a prefix');
  const prefix = checkUri(options.prefix, 'options.prefix');
  const list: readonly LiveSessionView[] = Array.isArray(sets) ? sets : [sets as LiveSessionView];
  if (list.length === 0 || !list.every((set) => typeof set === 'object' && set !== null && typeof set.values === 'function')) {
    throw new InvalidArgumentError('sets', 'a live set or a non-empty list of them');
  }
  const project = options.project ?? defaultProjection;
  if (typeof project !== 'function') throw new InvalidArgumentError('options.project', 'a function');
  const heartbeatMs = checkTimeout(options.heartbeatMs, 'options.heartbeatMs', DEFAULT_HEARTBEAT_MS);
  if (heartbeatMs === 0) throw new InvalidArgumentError('options.heartbeatMs', 'a positive number of milliseconds');
  const via = options.via ?? (list.length === 1 ? ownerOf.get(list[0]!) : undefined);
  const session$ = via === undefined ? undefined : sessionsOf.get(via);
  if (!session$) throw new InvalidArgumentError('options.via', list.length > 1 ? 'a SessionMeta (required with several live sets)' : 'a SessionMeta');
  return new Relay(list, session$, prefix, project, heartbeatMs);
}
