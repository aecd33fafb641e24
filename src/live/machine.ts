/**
 * The sync state machine of a live set, pure: `transition(state, event, config)` returns the next
 * state and the effects the shell must perform (the TanStack query-core reducer idea). No I/O, no
 * timers, no randomness here: the shell runs the effects and feeds their outcomes back as events,
 * each tagged with the `epoch` it was started in, so that an answer from a superseded sync, check
 * or session is ignored.
 *
 * Phases and the public status they show:
 * - `waiting`     no session attached yet                              → `syncing`
 * - `idle`        no session attached (any more)                       → `stale`
 * - `subscribing` attached, waiting for the event topics' SUBSCRIBED   → `syncing`
 * - `syncing`     fetching the snapshot (events are buffered)          → `syncing`
 * - `live`        in step with the source; verified every interval     → `live` (`stale` while the upstream says so)
 * - `lost`        a check got no answer: the link may be silent; also   → `stale`
 *                 while the resync that follows runs
 * - `closed`      disposed, or the source refused for good             → `closed`
 */
import { CallTimeoutError, type MetaError } from '../errors';
import type { LiveStatus } from './types';

export type Phase = 'waiting' | 'idle' | 'subscribing' | 'syncing' | 'live' | 'lost' | 'closed';

/**
 * How a sync runs: `sync` shows status `syncing` (first sync, after a reconnect or a lost link);
 * `repair` keeps `live` and reports what it changed as drift; `quiet` keeps `live` and reports
 * nothing (a presence mirror catching up after a gap).
 */
export type SyncMode = 'sync' | 'repair' | 'quiet';

export interface MachineState {
  readonly phase: Phase;
  /** Bumped by every session change and every sync started: outcomes of older epochs are stale. */
  readonly epoch: number;
  /** A sync in flight (also while `live`: a repair or a quiet resync). */
  readonly sync: SyncMode | undefined;
  readonly checking: boolean;
  /** A verifyNow came while a check was in flight (its count may predate the kill): check again when it is answered. */
  readonly recheck: boolean;
  /** Whether the last check found the source calibrated (`false` until the first check after a sync). */
  readonly calibrated: boolean;
  /** The difference the last check found, waiting for a second check to confirm it. */
  readonly mismatch: number | undefined;
  /** Consecutive failures, for backoff. */
  readonly attempt: number;
  /** The source says its own upstream is stale (a presence relay whose live sets are). */
  readonly upstreamStale: boolean;
  /** The error that explains the current status, if any. */
  readonly error: MetaError | undefined;
}

export type MachineEvent =
  | { readonly type: 'attach' }
  | { readonly type: 'detach' }
  | { readonly type: 'subscribed' }
  | { readonly type: 'subscribeTimeout'; readonly topic: string }
  | { readonly type: 'synced'; readonly epoch: number }
  | { readonly type: 'syncFailed'; readonly epoch: number; readonly error: MetaError }
  | { readonly type: 'retry' }
  | { readonly type: 'tick' }
  | { readonly type: 'verifyNow' }
  | { readonly type: 'checked'; readonly epoch: number; readonly difference: number }
  | { readonly type: 'checkFailed'; readonly epoch: number; readonly error: MetaError }
  | { readonly type: 'resync' }
  /** A passive source (heartbeats) heard nothing for too long. */
  | { readonly type: 'silent'; readonly error: MetaError }
  /** A passive source hears its upstream again; `inStep`: and it shows nothing was missed meanwhile. */
  | { readonly type: 'heard'; readonly inStep?: boolean }
  | { readonly type: 'upstream'; readonly stale: boolean }
  | { readonly type: 'close'; readonly error?: MetaError };

export type Timer = 'retry' | 'verify' | 'subscribe';

export type Effect =
  /** Fetch the snapshot and settle it with the buffered events; answer `synced` / `syncFailed`. */
  | { readonly type: 'sync'; readonly epoch: number; readonly mode: SyncMode }
  /** Ask the source whether the set is right; answer `checked` / `checkFailed`. `calibrate`: the first after a sync. */
  | { readonly type: 'check'; readonly epoch: number; readonly calibrate: boolean }
  /** (Re)arm a timer after `delay` ms, or cancel it (`delay` undefined). `backoff`: add jitter. */
  | { readonly type: 'timer'; readonly timer: Timer; readonly delay: number | undefined }
  /** Send the SUBSCRIBEs again (the earlier ones got no answer). */
  | { readonly type: 'resubscribe' }
  /** Tell the user about an error the set survives. */
  | { readonly type: 'report'; readonly error: MetaError };

export interface MachineConfig {
  /** Interval between checks while live; 0 = no verification. */
  readonly verifyIntervalMs: number;
  /** How long a SUBSCRIBE may stay unconfirmed; 0 = for ever. */
  readonly subscribeTimeoutMs: number;
  /** Backoff of retries: base × 2^attempt, at most max. */
  readonly retryBaseMs: number;
  readonly retryMaxMs: number;
  /** A first sync that fails shows `stale` (a mirror whose relay is unavailable), not `syncing`. */
  readonly staleWhileFailing?: boolean;
}

/** A mismatch is checked again this soon (or after one interval, if shorter) before it is repaired. */
export const CONFIRM_MS = 1000;

export const initialState: MachineState = {
  phase: 'waiting',
  epoch: 0,
  sync: undefined,
  checking: false,
  recheck: false,
  calibrated: false,
  mismatch: undefined,
  attempt: 0,
  upstreamStale: false,
  error: undefined,
};

/** The status a state shows to users. */
export function statusOf(state: MachineState): LiveStatus {
  switch (state.phase) {
    case 'closed':
      return 'closed';
    case 'idle':
    case 'lost':
      return 'stale';
    case 'live':
      return state.upstreamStale ? 'stale' : 'live';
    default:
      return 'syncing';
  }
}

/** Errors after which retrying cannot help: the source refuses for good (denied, not offered). */
export type IsFinal = (error: MetaError) => boolean;

/** The retry backoff sources use (and a presence relay's REGISTER): from 250 ms, doubling, at most 10 s. */
export const RETRY_BASE_MS = 250;
export const RETRY_MAX_MS = 10_000;

/** `baseMs` × 2^`attempt`, at most `maxMs`. */
export function backoffMs(attempt: number, baseMs = RETRY_BASE_MS, maxMs = RETRY_MAX_MS): number {
  return Math.min(baseMs * 2 ** attempt, maxMs);
}

function backoff(state: MachineState, config: MachineConfig): number {
  return backoffMs(state.attempt, config.retryBaseMs, config.retryMaxMs);
}

const timer = (name: Timer, delay: number | undefined): Effect => ({ type: 'timer', timer: name, delay });
const STOP_TIMERS: readonly Effect[] = [timer('retry', undefined), timer('verify', undefined), timer('subscribe', undefined)];

type Result = readonly [MachineState, readonly Effect[]];

function startSync(state: MachineState, mode: SyncMode): Result {
  const epoch = state.epoch + 1;
  // A resync after a lost link keeps showing `stale` until it is done: stale → live, no flicker.
  const phase = mode === 'sync' && state.phase !== 'lost' ? 'syncing' : state.phase;
  return [
    { ...state, phase, epoch, sync: mode, checking: false, recheck: false, mismatch: undefined },
    [timer('verify', undefined), timer('retry', undefined), { type: 'sync', epoch, mode }],
  ];
}

function startCheck(state: MachineState): Result {
  return [{ ...state, checking: true }, [{ type: 'check', epoch: state.epoch, calibrate: !state.calibrated }]];
}

/** After a check, the next one: at once when a verifyNow waits, else as nextCheck says. */
function afterCheck(state: MachineState, config: MachineConfig, recheck: boolean): Result {
  return recheck ? startCheck(state) : [state, nextCheck(state, config)];
}

/** After a check, the next one: one interval on, or soon when a mismatch waits for confirmation. */
function nextCheck(state: MachineState, config: MachineConfig): Effect[] {
  if (config.verifyIntervalMs === 0 && state.calibrated) return [];
  const delay = state.mismatch === undefined ? config.verifyIntervalMs : Math.min(config.verifyIntervalMs || CONFIRM_MS, CONFIRM_MS);
  return [timer('verify', delay)];
}

/** Whether a sync or check outcome belongs to the current epoch. */
function current(state: MachineState, epoch: number): boolean {
  return state.phase !== 'closed' && epoch === state.epoch;
}

/**
 * One step of the machine. Events that do not apply in the current phase change nothing (for
 * example a late answer from a superseded epoch, or a timer that fired after its phase ended).
 */
export function transition(state: MachineState, event: MachineEvent, config: MachineConfig, isFinal: IsFinal): Result {
  if (state.phase === 'closed') return [state, []];
  switch (event.type) {
    case 'attach': {
      const next: MachineState = { ...initialState, upstreamStale: state.upstreamStale, phase: 'subscribing', epoch: state.epoch + 1 };
      const effects = [...STOP_TIMERS];
      if (config.subscribeTimeoutMs > 0) effects.push(timer('subscribe', config.subscribeTimeoutMs));
      return [next, effects];
    }
    case 'detach':
      if (state.phase === 'waiting') return [state, []];
      return [{ ...initialState, phase: 'idle', upstreamStale: state.upstreamStale, epoch: state.epoch + 1 }, STOP_TIMERS];
    case 'subscribed':
      if (state.phase !== 'subscribing') return [state, []];
      return startSync({ ...state, attempt: 0 }, 'sync');
    case 'subscribeTimeout': {
      if (state.phase !== 'subscribing') return [state, []];
      const error = new CallTimeoutError(config.subscribeTimeoutMs, { procedure: event.topic });
      const delay = Math.max(config.subscribeTimeoutMs, backoff(state, config));
      return [
        { ...state, attempt: state.attempt + 1, error },
        [{ type: 'report', error }, { type: 'resubscribe' }, timer('subscribe', delay)],
      ];
    }
    case 'synced': {
      if (!current(state, event.epoch) || state.sync === undefined) return [state, []];
      const next: MachineState = { ...state, phase: 'live', sync: undefined, attempt: 0, calibrated: false, error: undefined };
      return config.verifyIntervalMs === 0 ? [next, []] : startCheck(next);
    }
    case 'syncFailed': {
      if (!current(state, event.epoch) || state.sync === undefined) return [state, []];
      if (isFinal(event.error)) return close(state, event.error);
      // A failed repair or quiet resync leaves a set that may be wrong: show it as not live.
      const phase = state.phase === 'live' || config.staleWhileFailing ? 'lost' : state.phase;
      return [
        { ...state, phase, sync: undefined, attempt: state.attempt + 1, error: event.error },
        [{ type: 'report', error: event.error }, timer('retry', backoff(state, config))],
      ];
    }
    case 'retry':
      if (state.sync !== undefined || (state.phase !== 'syncing' && state.phase !== 'lost')) return [state, []];
      return startSync(state, 'sync');
    case 'tick':
    case 'verifyNow':
      if (config.verifyIntervalMs === 0) return [state, []];
      if (event.type === 'verifyNow' && state.checking && state.phase === 'live') return [{ ...state, recheck: true }, []];
      if (state.checking || state.sync !== undefined || (state.phase !== 'live' && state.phase !== 'lost')) return [state, []];
      if (event.type === 'verifyNow' && state.phase !== 'live') return [state, []];
      return startCheck(state);
    case 'checked': {
      if (!current(state, event.epoch) || !state.checking) return [state, []];
      const checked: MachineState = { ...state, checking: false, recheck: false };
      // Answers again after a silent spell: the set may have missed anything, resync it.
      if (state.phase === 'lost') return startSync(checked, 'sync');
      if (!state.calibrated || event.difference === 0) {
        const next = { ...checked, calibrated: true, mismatch: undefined };
        return afterCheck(next, config, state.recheck);
      }
      if (state.mismatch === event.difference) return startSync(checked, 'repair');
      const next = { ...checked, mismatch: event.difference };
      return afterCheck(next, config, state.recheck);
    }
    case 'checkFailed': {
      if (!current(state, event.epoch) || !state.checking) return [state, []];
      // Any answer but a timeout after a silent spell shows the link is back: resync, as on `checked`.
      if (state.phase === 'lost' && !CallTimeoutError.is(event.error)) {
        const [next, effects] = startSync({ ...state, checking: false, recheck: false }, 'sync');
        return [next, [{ type: 'report', error: event.error }, ...effects]];
      }
      // The source cannot be checked (a router without `count`, or denied it): verification stops.
      if (isFinal(event.error)) return [{ ...state, checking: false, recheck: false, calibrated: true }, [{ type: 'report', error: event.error }]];
      // No answer in time: the link may be silent although the socket is open.
      const lost = CallTimeoutError.is(event.error);
      const next: MachineState = { ...state, checking: false, recheck: false, phase: lost ? 'lost' : state.phase, error: lost ? event.error : state.error };
      return [next, [{ type: 'report', error: event.error }, timer('verify', config.verifyIntervalMs || CONFIRM_MS)]];
    }
    case 'resync':
      if (state.sync !== undefined) return [state, []];
      if (state.phase === 'live') return startSync(state, 'quiet');
      if (state.phase === 'lost') return startSync(state, 'sync');
      return [state, []];
    case 'silent':
      if (state.phase !== 'live') return [state, []];
      return [{ ...state, phase: 'lost', error: event.error }, [{ type: 'report', error: event.error }]];
    case 'heard':
      if (state.phase !== 'lost' || state.sync !== undefined) return [state, []];
      // Nothing was missed (a heartbeat with the seq the set has): live again without a resync,
      // which a herd of mirrors back from a slow spell would otherwise all make at once.
      if (event.inStep) return [{ ...state, phase: 'live', error: undefined }, []];
      return startSync(state, 'sync');
    case 'upstream':
      return [{ ...state, upstreamStale: event.stale }, []];
    case 'close':
      return close(state, event.error);
  }
}

function close(state: MachineState, error: MetaError | undefined): Result {
  const effects: Effect[] = [...STOP_TIMERS];
  if (error) effects.push({ type: 'report', error });
  return [{ ...state, phase: 'closed', sync: undefined, checking: false, epoch: state.epoch + 1, error }, effects];
}
