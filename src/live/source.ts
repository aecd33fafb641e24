/**
 * What a live set needs from where its sessions come from: the narrow interface that the meta API
 * and a presence relay both implement, so one sync machine and one shell serve both.
 */
import type { Clock } from '../clock';
import type { MetaError } from '../errors';
import type { SessionDetails, SessionId } from '../types';
import type { MachineConfig, MachineEvent } from './machine';
import type { SessionTable, Tombstones } from './reduce';
import type { SessionSetChange } from './types';

/** How a source talks to the shell that drives it. */
export interface SourceSink<E> {
  /** A machine event: `attach`/`detach`, `subscribed`, `resync`, `silent`/`heard`, `upstream`, `verifyNow`, `close`. */
  dispatch(event: MachineEvent): void;
  /** A change event from the source; the shell buffers it during a sync, applies it otherwise. */
  event(event: E): void;
  /** An error the set survives (a malformed event). */
  report(error: MetaError): void;
}

/** A source of sessions: E are its change events, F what one fetch of its snapshot gives. */
export interface SyncSource<E, F> {
  readonly config: MachineConfig;
  readonly clock: Clock;
  /** What a SUBSCRIBE that got no answer in time is reported as (its `procedure`). */
  readonly topic: string;
  /** Starts following (sessions, subscriptions, events); returns the teardown. */
  connect(sink: SourceSink<E>): () => void;
  /** Sends the SUBSCRIBEs again: the earlier ones got no answer in time. */
  resubscribe(): void;
  /** Errors after which retrying cannot help. */
  isFinal(error: MetaError): boolean;
  /** The snapshot. `known` is what the set has: details are fetched only for ids it lacks. */
  fetch(known: ReadonlyMap<SessionId, SessionDetails>, isCurrent: () => boolean): Promise<F>;
  /** Events buffered before a sync starts that still matter once it ends. */
  keep(buffered: readonly E[]): E[];
  /** Writes into `next` (empty) the set that the snapshot with the events buffered since makes. */
  settle(fetched: F, buffered: readonly E[], gone: Tombstones, next: SessionTable): void;
  /** One event on a synced set: its changes, or `'resync'` when it shows the set missed something. */
  apply(event: E, table: SessionTable, gone: Tombstones): SessionSetChange | SessionSetChange[] | undefined | 'resync';
  /**
   * How far the source is from `size()` (read when the answer arrives), e.g. from the router's
   * count; `calibrate` on the first check after a sync. Absent for sources verified passively.
   */
  check?(size: () => number, calibrate: boolean): Promise<number>;
  /**
   * For a repair (a check found the set off): the events that were lost, as they would have
   * arrived. Only what stays wrong across two looks at the source counts (events still in flight
   * at the first look are no drift); the set keeps applying events meanwhile. Absent: a repair
   * is a quiet resync.
   */
  repair?(table: ReadonlyMap<SessionId, SessionDetails>, gone: Tombstones, isCurrent: () => boolean): Promise<E[]>;
  /**
   * A repair changed the set (`joined` sessions added, `left` removed): the error the set reports
   * it as, after telling whoever else must know (the meta API's `errors$`). Sources that repair
   * have it.
   */
  drifted?(joined: number, left: number): MetaError;
}
