/**
 * mirrorPresence: a presence relay's set rebuilt in any client, by the live set's own sync
 * machine with the relay as its source: subscribe to `on_change` and `on_heartbeat` first, then
 * one `get_state`; changes applied in `seq` order; a gap, a new epoch or a heartbeat ahead of it
 * → a quiet resync (minimal difference, no flicker); no heartbeat for 2.5 × `heartbeatMs` →
 * `stale`. It never touches `wamp.session.*`.
 */
import { Subject, Subscription, type Observable } from 'rxjs';
import { systemClock, type Clock, type TimerHandle } from '../clock';
import { CallTimeoutError, InvalidArgumentError, NotAuthorizedError, toMetaError, type MetaError } from '../errors';
import { LiveSessionSet } from '../live/live-session-set';
import { RETRY_BASE_MS, RETRY_MAX_MS, type MachineConfig } from '../live/machine';
import { applyJoin, applyLeave, type SessionTable, type Tombstones } from '../live/reduce';
import type { SourceSink, SyncSource } from '../live/source';
import type { LiveSessionView, SessionSetChange } from '../live/types';
import type { Payload } from '../normalize';
import { DEFAULT_CALL_TIMEOUT_MS } from '../session/calls';
import { SessionFollower } from '../session/follower';
import { TopicStream, whenSubscribed } from '../topic-stream';
import type { WampConnectionLike, WampSessionLike } from '../types';
import { checkTimeout, checkUri } from '../validate';
import { DEFAULT_HEARTBEAT_MS, entryDetails, parseChange, parseHeartbeat, parseState, uris, type ChangeMessage, type HeartbeatMessage, type StateMessage } from './protocol';

/**
 * A presence set rebuilt from a relay: the same read interface as a live set.
 *
 * @example
 * ```ts
 * const presence: PresenceMirror = mirrorPresence(connection, { prefix: 'com.example.presence' });
 * presence.on('joined', (s) => console.log(s.authid, 'is online'));
 * ```
 */
export type PresenceMirror = LiveSessionView;

/**
 * Options of {@link mirrorPresence}.
 *
 * @example
 * ```ts
 * const options: MirrorPresenceOptions = { prefix: 'com.example.presence', callTimeoutMs: 5_000 };
 * ```
 */
export interface MirrorPresenceOptions {
  /** The relay's prefix (a WAMP URI): `<prefix>.get_state`, `<prefix>.on_change`, `<prefix>.on_heartbeat`. */
  readonly prefix: string;
  /** How long `get_state` and the SUBSCRIBEs may take. Default 10 000 ms. */
  readonly callTimeoutMs?: number;
}

/** Silence longer than this many heartbeats makes the mirror stale. */
const MISSED_HEARTBEATS = 2.5;
const acceptAll = (): boolean => true;

type MirrorEvent = { readonly change: ChangeMessage } | { readonly heartbeat: HeartbeatMessage };

class MirrorSource implements SyncSource<MirrorEvent, StateMessage> {
  readonly config: MachineConfig;
  readonly clock: Clock = systemClock;
  readonly #uris: ReturnType<typeof uris>;
  readonly #follower: SessionFollower;
  readonly #changes: TopicStream<MirrorEvent>;
  readonly #heartbeats: TopicStream<MirrorEvent>;
  #sink: SourceSink<MirrorEvent> | undefined;
  /** Where the set stands in the relay's numbering; undefined before the first state. */
  #epoch: string | undefined;
  #seq = 0;
  #heartbeatMs = DEFAULT_HEARTBEAT_MS;
  #watchdog: TimerHandle | undefined;

  constructor(follower: SessionFollower, prefix: string, callTimeoutMs: number, disposed$: Observable<void>) {
    this.#follower = follower;
    this.#uris = uris(prefix);
    this.config = { verifyIntervalMs: 0, subscribeTimeoutMs: callTimeoutMs, retryBaseMs: RETRY_BASE_MS, retryMaxMs: RETRY_MAX_MS, staleWhileFailing: true };
    const { session$, gone } = follower;
    const parse = <T>(read: (payload: Payload, topic: string) => T, topic: string, wrap: (value: T) => MirrorEvent) => (payload: Payload) => {
      try {
        return wrap(read(payload, topic));
      } catch (error) {
        this.#malformed(error);
        return undefined;
      }
    };
    this.#changes = new TopicStream(this.#uris.onChange, parse(parseChange, this.#uris.onChange, (change) => ({ change })), session$, disposed$, gone);
    this.#heartbeats = new TopicStream(this.#uris.onHeartbeat, parse(parseHeartbeat, this.#uris.onHeartbeat, (heartbeat) => ({ heartbeat })), session$, disposed$, gone);
  }

  get topic(): string {
    return this.#changes.subscribedOn$.value === this.#follower.current ? this.#uris.onHeartbeat : this.#uris.onChange;
  }

  isFinal(error: MetaError): boolean {
    return NotAuthorizedError.is(error); // a relay not (yet) registered is retried
  }

  connect(sink: SourceSink<MirrorEvent>): () => void {
    this.#sink = sink;
    const subscription = new Subscription();
    const fatal = (error: MetaError): void => sink.dispatch({ type: 'close', error });
    subscription.add(this.#changes.events$.subscribe({ next: (event) => this.#heard(event), error: fatal }));
    subscription.add(this.#heartbeats.events$.subscribe({ next: (event) => this.#heard(event), error: fatal }));
    subscription.add(
      whenSubscribed(this.#follower.session$, [this.#changes, this.#heartbeats], {
        session: (session) => {
          this.#epoch = undefined;
          this.#stopWatchdog();
          sink.dispatch({ type: session ? 'attach' : 'detach' });
        },
        subscribed: () => sink.dispatch({ type: 'subscribed' }),
      }),
    );
    return () => {
      this.#stopWatchdog();
      subscription.unsubscribe();
    };
  }

  resubscribe(): void {
    this.#changes.resubscribe();
    this.#heartbeats.resubscribe();
  }

  fetch(): Promise<StateMessage> {
    return this.#follower.invoke(this.#uris.getState, () => [], parseState);
  }

  keep(buffered: readonly MirrorEvent[]): MirrorEvent[] {
    return buffered.slice(); // filtered by seq once the state tells where it stands
  }

  settle(state: StateMessage, buffered: readonly MirrorEvent[], gone: Tombstones, next: SessionTable): void {
    for (const entry of state.sessions) next.set(entry.session, entryDetails(entry, this.#uris.getState));
    this.#epoch = state.epoch;
    this.#seq = state.seq;
    this.#heartbeatMs = state.heartbeatMs;
    this.#sink?.dispatch({ type: 'upstream', stale: state.stale });
    // Changes published after the state was taken, in order.
    const changes = buffered.flatMap((e) => ('change' in e && e.change.epoch === state.epoch ? [e.change] : [])).sort((a, b) => a.seq - b.seq);
    for (const change of changes) if (change.seq === this.#seq + 1) this.#applyChange(change, next, gone);
    // What the buffer shows beyond them (a gap, another epoch, a heartbeat ahead) is what a live
    // mirror resyncs on: so does this one, once this sync is done (not at the next publication).
    const behind = buffered.some((e) => {
      const { epoch, seq } = 'change' in e ? e.change : e.heartbeat;
      return epoch !== state.epoch || seq > this.#seq;
    });
    if (behind) queueMicrotask(() => this.#sink?.dispatch({ type: 'resync' }));
    this.#armWatchdog();
  }

  apply(event: MirrorEvent, table: SessionTable, gone: Tombstones): SessionSetChange[] | 'resync' | undefined {
    if ('heartbeat' in event) {
      const { epoch, seq, stale = false } = event.heartbeat;
      this.#sink?.dispatch({ type: 'upstream', stale });
      return epoch !== this.#epoch || seq > this.#seq ? 'resync' : undefined;
    }
    const { change } = event;
    if (change.epoch !== this.#epoch) return 'resync'; // the relay restarted
    if (change.seq <= this.#seq) return undefined; // seen already (router links deliver twice)
    if (change.seq !== this.#seq + 1) return 'resync'; // a gap
    return this.#applyChange(change, table, gone);
  }

  #applyChange(change: ChangeMessage, table: SessionTable, gone: Tombstones): SessionSetChange[] {
    const out: SessionSetChange[] = [];
    for (const id of change.left) {
      const left = applyLeave(table, gone, id);
      if (left) out.push(left);
    }
    for (const entry of change.joined) {
      const joined = applyJoin(table, gone, entryDetails(entry, this.#uris.onChange), acceptAll);
      if (joined) out.push(joined);
    }
    this.#seq = change.seq;
    return out;
  }

  /**
   * Anything from the relay proves it is there: the watchdog starts over, and a lost mirror is
   * live again, at once when the message shows it missed nothing (same epoch; a heartbeat's seq
   * is the set's, a change's the next one), else after a resync.
   */
  #heard(event: MirrorEvent): void {
    if (this.#epoch !== undefined) {
      this.#armWatchdog();
      const { epoch, seq } = 'heartbeat' in event ? event.heartbeat : event.change;
      const inStep = epoch === this.#epoch && seq === ('heartbeat' in event ? this.#seq : this.#seq + 1);
      this.#sink?.dispatch({ type: 'heard', inStep });
    }
    this.#sink?.event(event);
  }

  #armWatchdog(): void {
    this.#stopWatchdog();
    const silence = this.#heartbeatMs * MISSED_HEARTBEATS;
    this.#watchdog = this.clock.setTimeout(() => {
      this.#watchdog = undefined;
      this.#sink?.dispatch({ type: 'silent', error: new CallTimeoutError(silence, { procedure: this.#uris.onHeartbeat }) });
    }, silence);
  }

  #stopWatchdog(): void {
    this.clock.clearTimeout(this.#watchdog);
    this.#watchdog = undefined;
  }

  /** A payload a rogue publisher could have sent: reported, never applied, followed by a resync. */
  #malformed(error: unknown): void {
    const reported = toMetaError(error, this.#uris.onChange);
    this.#sink?.report(reported);
    this.#sink?.dispatch({ type: 'resync' });
  }
}

/**
 * Rebuilds a presence relay's set (see {@link publishPresence}) in any client: one `get_state`
 * call and two subscriptions on the relay's prefix, whatever the size of the realm; no meta API
 * rights needed. Follows an autobahn `Connection` across reconnects (or works on one session).
 *
 * @example
 * ```ts
 * const presence = mirrorPresence(connection, { prefix: 'com.example.presence' });
 * presence.subscribe(() => {
 *   const { status, sessions } = presence.getSnapshot();
 *   console.log(status, [...sessions.values()].map((s) => s.authid));
 * });
 * ```
 */
export function mirrorPresence<S extends WampSessionLike>(target: WampConnectionLike<S> | WampSessionLike, options: MirrorPresenceOptions): PresenceMirror {
  if (typeof options !== 'object' || options === null) throw new InvalidArgumentError('options', 'an object with a prefix');
  const prefix = checkUri(options.prefix, 'options.prefix');
  const callTimeoutMs = checkTimeout(options.callTimeoutMs, 'options.callTimeoutMs', DEFAULT_CALL_TIMEOUT_MS);
  if (typeof target !== 'object' || target === null) throw new InvalidArgumentError('target', 'an autobahn Connection or Session');
  const disposed$ = new Subject<void>();
  const follower = new SessionFollower(callTimeoutMs, systemClock, (error) => toMetaError(error, prefix));
  if (typeof (target as WampSessionLike).call === 'function') follower.attach(target as WampSessionLike);
  else follower.follow(target as WampConnectionLike<S>);
  const mirror = LiveSessionSet.fromSource(new MirrorSource(follower, prefix, callTimeoutMs, disposed$));
  mirror.status$.subscribe({
    complete: () => {
      follower.dispose();
      disposed$.next();
      disposed$.complete();
    },
  });
  return mirror;
}
