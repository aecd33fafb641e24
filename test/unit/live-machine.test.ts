/**
 * The live set's sync machine, transition by transition, without sockets or timers: every phase,
 * what each event does there, and the effects it asks the shell to perform.
 */
import { CallTimeoutError, MalformedPayloadError, NotAuthorizedError, ProcedureUnavailableError, type MetaError } from '../../src';
import {
  CONFIRM_MS,
  initialState,
  statusOf,
  transition,
  type Effect,
  type MachineConfig,
  type MachineEvent,
  type MachineState,
  type Phase,
} from '../../src/live/machine';

const config: MachineConfig = { verifyIntervalMs: 200, subscribeTimeoutMs: 100, retryBaseMs: 250, retryMaxMs: 10_000 };
const isFinal = (e: MetaError): boolean => NotAuthorizedError.is(e) || ProcedureUnavailableError.is(e);
const timeout = new CallTimeoutError(100, { procedure: 'wamp.session.count' });
const denied = new NotAuthorizedError('denied', { procedure: 'wamp.session.list' });

function run(state: MachineState, ...events: MachineEvent[]): { state: MachineState; effects: Effect[] } {
  let effects: Effect[] = [];
  for (const event of events) {
    const [next, out] = transition(state, event, config, isFinal);
    state = next;
    effects = [...out];
  }
  return { state, effects };
}

const kinds = (effects: Effect[]): string[] =>
  effects.map((e) => (e.type === 'timer' ? `timer ${e.timer} ${e.delay ?? 'off'}` : e.type === 'sync' ? `sync ${e.mode}` : e.type === 'check' ? `check${e.calibrate ? ' calibrate' : ''}` : e.type));

/** States reached by the usual path, for the tables below. */
const waiting = initialState;
const subscribing = run(waiting, { type: 'attach' }).state;
const syncing = run(subscribing, { type: 'subscribed' }).state;
const calibrating = run(syncing, { type: 'synced', epoch: syncing.epoch }).state;
const live = run(calibrating, { type: 'checked', epoch: calibrating.epoch, difference: 0 }).state;
const checking = run(live, { type: 'tick' }).state;
const lost = run(checking, { type: 'checkFailed', epoch: checking.epoch, error: timeout }).state;
const idle = run(live, { type: 'detach' }).state;
const closed = run(live, { type: 'close' }).state;

test('the usual path: waiting → subscribing → syncing → live, with the status each shows', () => {
  expect([waiting, subscribing, syncing, calibrating, live, lost, idle, closed].map((s) => [s.phase, statusOf(s)])).toEqual([
    ['waiting', 'syncing'],
    ['subscribing', 'syncing'],
    ['syncing', 'syncing'],
    ['live', 'live'],
    ['live', 'live'],
    ['lost', 'stale'],
    ['idle', 'stale'],
    ['closed', 'closed'],
  ]);
});

describe('waiting (no session yet)', () => {
  test('attach → subscribing, with a SUBSCRIBE deadline', () => {
    const { state, effects } = run(waiting, { type: 'attach' });
    expect(state.phase).toBe('subscribing');
    expect(kinds(effects)).toEqual(['timer retry off', 'timer verify off', 'timer subscribe off', 'timer subscribe 100']);
  });
  test.each<MachineEvent>([{ type: 'detach' }, { type: 'subscribed' }, { type: 'tick' }, { type: 'retry' }, { type: 'resync' }, { type: 'heard' }])(
    '%o changes nothing',
    (event) => expect(run(waiting, event)).toEqual({ state: waiting, effects: [] }),
  );
});

describe('subscribing', () => {
  test('subscribed → syncing: the snapshot is fetched only after both SUBSCRIBED (guarantee 1)', () => {
    const { state, effects } = run(subscribing, { type: 'subscribed' });
    expect(state).toMatchObject({ phase: 'syncing', sync: 'sync', epoch: subscribing.epoch + 1 });
    expect(kinds(effects)).toEqual(['timer verify off', 'timer retry off', 'sync sync']);
  });
  test('a SUBSCRIBE unconfirmed in time is reported and sent again, with backoff', () => {
    const first = run(subscribing, { type: 'subscribeTimeout', topic: 'wamp.session.on_join' });
    expect(kinds(first.effects)).toEqual(['report', 'resubscribe', 'timer subscribe 250']);
    const reported = (first.effects[0] as { error: MetaError }).error;
    expect(CallTimeoutError.is(reported) && reported.procedure).toBe('wamp.session.on_join');
    expect(statusOf(first.state)).toBe('syncing');
    const second = run(first.state, { type: 'subscribeTimeout', topic: 'wamp.session.on_join' });
    expect(kinds(second.effects)).toEqual(['report', 'resubscribe', 'timer subscribe 500']);
    expect(run(second.state, { type: 'subscribed' }).state.phase).toBe('syncing');
  });
  test('detach → idle (stale), every timer stopped', () => {
    const { state, effects } = run(subscribing, { type: 'detach' });
    expect(statusOf(state)).toBe('stale');
    expect(kinds(effects)).toEqual(['timer retry off', 'timer verify off', 'timer subscribe off']);
  });
  test('close with a denial → closed, reported', () => {
    const { state, effects } = run(subscribing, { type: 'close', error: denied });
    expect(state).toMatchObject({ phase: 'closed', error: denied });
    expect(kinds(effects)).toContain('report');
  });
});

describe('syncing', () => {
  test('synced → live, then a calibrating check', () => {
    const { state, effects } = run(syncing, { type: 'synced', epoch: syncing.epoch });
    expect(state).toMatchObject({ phase: 'live', sync: undefined, checking: true, calibrated: false, error: undefined });
    expect(kinds(effects)).toEqual(['check calibrate']);
  });
  test('an outcome of a superseded epoch is ignored (a newer sync wins)', () => {
    expect(run(syncing, { type: 'synced', epoch: syncing.epoch - 1 })).toEqual({ state: syncing, effects: [] });
    expect(run(syncing, { type: 'syncFailed', epoch: syncing.epoch - 1, error: timeout })).toEqual({ state: syncing, effects: [] });
  });
  test('a failure is reported and retried with backoff; the retry syncs again', () => {
    const failed = run(syncing, { type: 'syncFailed', epoch: syncing.epoch, error: timeout });
    expect(failed.state).toMatchObject({ phase: 'syncing', sync: undefined, attempt: 1, error: timeout });
    expect(kinds(failed.effects)).toEqual(['report', 'timer retry 250']);
    const retried = run(failed.state, { type: 'retry' });
    expect(retried.state.sync).toBe('sync');
    expect(kinds(retried.effects)).toContain('sync sync');
    const again = run(retried.state, { type: 'syncFailed', epoch: retried.state.epoch, error: timeout });
    expect(kinds(again.effects)).toEqual(['report', 'timer retry 500']);
  });
  test('a final failure (denied) closes', () => {
    expect(run(syncing, { type: 'syncFailed', epoch: syncing.epoch, error: denied }).state.phase).toBe('closed');
  });
  test('a re-attach supersedes the sync in flight', () => {
    const { state } = run(syncing, { type: 'attach' });
    expect(state).toMatchObject({ phase: 'subscribing', sync: undefined });
    expect(state.epoch).toBeGreaterThan(syncing.epoch);
  });
});

describe('live', () => {
  test('calibration answered → the next check one interval on', () => {
    const { state, effects } = run(calibrating, { type: 'checked', epoch: calibrating.epoch, difference: 7 });
    expect(state).toMatchObject({ calibrated: true, mismatch: undefined, checking: false });
    expect(kinds(effects)).toEqual(['timer verify 200']);
  });
  test('tick → a check; another tick while it runs does nothing', () => {
    const { state, effects } = run(live, { type: 'tick' });
    expect(kinds(effects)).toEqual(['check']);
    expect(run(state, { type: 'tick' }).effects).toEqual([]);
  });
  test('in step → next check one interval on', () => {
    expect(kinds(run(checking, { type: 'checked', epoch: checking.epoch, difference: 0 }).effects)).toEqual(['timer verify 200']);
  });
  test('a difference is confirmed by a second check soon; confirmed → a repair that stays live', () => {
    const first = run(checking, { type: 'checked', epoch: checking.epoch, difference: -5 });
    expect(first.state.mismatch).toBe(-5);
    expect(kinds(first.effects)).toEqual([`timer verify ${Math.min(200, CONFIRM_MS)}`]);
    const again = run(first.state, { type: 'tick' });
    const confirmed = run(again.state, { type: 'checked', epoch: again.state.epoch, difference: -5 });
    expect(confirmed.state).toMatchObject({ phase: 'live', sync: 'repair' });
    expect(statusOf(confirmed.state)).toBe('live');
    expect(kinds(confirmed.effects)).toContain('sync repair');
  });
  test('a difference that changed is not confirmed yet (events explained it, or a new one)', () => {
    const first = run(checking, { type: 'checked', epoch: checking.epoch, difference: 1 });
    const again = run(first.state, { type: 'tick' });
    const changed = run(again.state, { type: 'checked', epoch: again.state.epoch, difference: 0 });
    expect(changed.state).toMatchObject({ mismatch: undefined, sync: undefined });
  });
  test('no answer in time → lost (stale, set kept), probing on', () => {
    const { state, effects } = run(checking, { type: 'checkFailed', epoch: checking.epoch, error: timeout });
    expect(statusOf(state)).toBe('stale');
    expect(state.error).toBe(timeout);
    expect(kinds(effects)).toEqual(['report', 'timer verify 200']);
  });
  test('a malformed count is reported, never drift nor stale', () => {
    const bad = new MalformedPayloadError('count is not a number', 'x', { procedure: 'wamp.session.count' });
    const { state, effects } = run(checking, { type: 'checkFailed', epoch: checking.epoch, error: bad });
    expect(state).toMatchObject({ phase: 'live', sync: undefined, mismatch: undefined });
    expect(kinds(effects)).toEqual(['report', 'timer verify 200']);
  });
  test('a router without count (or denied it): verification stops, the set stays live', () => {
    const unavailable = new ProcedureUnavailableError('no count', { procedure: 'wamp.session.count' });
    const { state, effects } = run(checking, { type: 'checkFailed', epoch: checking.epoch, error: unavailable });
    expect(state.phase).toBe('live');
    expect(kinds(effects)).toEqual(['report']);
  });
  test('verifyNow (after a kill) checks at once', () => {
    expect(kinds(run(live, { type: 'verifyNow' }).effects)).toEqual(['check']);
  });
  test('verifyNow while a check is in flight (sent before the kill): checks again as soon as that one is answered', () => {
    const asked = run(checking, { type: 'verifyNow' });
    expect(asked.effects).toEqual([]);
    const answered = run(asked.state, { type: 'checked', epoch: asked.state.epoch, difference: 0 });
    expect(kinds(answered.effects)).toEqual(['check']);
    const again = run(answered.state, { type: 'checked', epoch: answered.state.epoch, difference: 0 });
    expect(kinds(again.effects)).toEqual(['timer verify 200']); // and only once
  });
  test('resync (a presence gap) → a quiet sync that keeps live', () => {
    const { state, effects } = run(live, { type: 'resync' });
    expect(state).toMatchObject({ phase: 'live', sync: 'quiet' });
    expect(kinds(effects)).toContain('sync quiet');
  });
  test('a failed repair shows stale until a retry succeeds', () => {
    const repairing = run(live, { type: 'resync' }).state;
    const failed = run(repairing, { type: 'syncFailed', epoch: repairing.epoch, error: timeout });
    expect(statusOf(failed.state)).toBe('stale');
    const retried = run(failed.state, { type: 'retry' });
    expect(retried.state).toMatchObject({ phase: 'lost', sync: 'sync' }); // still stale while it resyncs
  });
  test('upstream stale (a relay whose sets are stale) shows stale while staying in step', () => {
    const upstream = run(live, { type: 'upstream', stale: true }).state;
    expect([upstream.phase, statusOf(upstream)]).toEqual(['live', 'stale']);
    expect(statusOf(run(upstream, { type: 'upstream', stale: false }).state)).toBe('live');
  });
  test('silent (no heartbeat) → lost; heard again → sync', () => {
    const silent = run(live, { type: 'silent', error: timeout });
    expect(statusOf(silent.state)).toBe('stale');
    expect(kinds(silent.effects)).toEqual(['report']);
    expect(run(silent.state, { type: 'heard' }).state).toMatchObject({ phase: 'lost', sync: 'sync' });
    // Heard again with nothing missed (a heartbeat with the seq the set has): live, no resync.
    const back = run(silent.state, { type: 'heard', inStep: true });
    expect([back.state.phase, back.state.sync, back.state.error, statusOf(back.state)]).toEqual(['live', undefined, undefined, 'live']);
    expect(back.effects).toEqual([]);
  });
  test('detach → idle: stale, set kept (the shell keeps it), timers stopped', () => {
    const { state, effects } = run(live, { type: 'detach' });
    expect(statusOf(state)).toBe('stale');
    expect(kinds(effects)).toEqual(['timer retry off', 'timer verify off', 'timer subscribe off']);
  });
});

describe('verifyIntervalMs 0: verification off', () => {
  const off: MachineConfig = { ...config, verifyIntervalMs: 0 };
  test('no calibrating check after a sync, ticks and verifyNow ignored', () => {
    const [afterSync, effects] = transition(syncing, { type: 'synced', epoch: syncing.epoch }, off, isFinal);
    expect(afterSync.phase).toBe('live');
    expect(effects).toEqual([]);
    expect(transition(afterSync, { type: 'verifyNow' }, off, isFinal)[1]).toEqual([]);
    expect(transition(afterSync, { type: 'tick' }, off, isFinal)[1]).toEqual([]);
  });
});

describe('staleWhileFailing (a mirror whose relay is not there)', () => {
  test('a failed first sync shows stale, and stays stale while it retries', () => {
    const mirrorConfig: MachineConfig = { ...config, staleWhileFailing: true };
    const [failed] = transition(syncing, { type: 'syncFailed', epoch: syncing.epoch, error: timeout }, mirrorConfig, isFinal);
    expect(statusOf(failed)).toBe('stale');
    const [retrying] = transition(failed, { type: 'retry' }, mirrorConfig, isFinal);
    expect([retrying.sync, statusOf(retrying)]).toEqual(['sync', 'stale']);
  });
});

describe('lost (a silent link)', () => {
  test('tick → a probe; answered → resync (status stale until it is done, then live: no flicker)', () => {
    const probing = run(lost, { type: 'tick' });
    expect(kinds(probing.effects)).toEqual(['check']);
    const answered = run(probing.state, { type: 'checked', epoch: probing.state.epoch, difference: 0 });
    expect(answered.state).toMatchObject({ phase: 'lost', sync: 'sync' });
    expect(statusOf(answered.state)).toBe('stale');
    const back = run(answered.state, { type: 'synced', epoch: answered.state.epoch });
    expect(statusOf(back.state)).toBe('live');
  });
  test('a probe answered with an error (not a timeout) still shows the link is back → resync, not stale for ever', () => {
    const probing = run(lost, { type: 'tick' }).state;
    const bad = new MalformedPayloadError('count is not a number', 'x', { procedure: 'wamp.session.count' });
    const unavailable = new ProcedureUnavailableError('no count', { procedure: 'wamp.session.count' });
    for (const error of [bad, unavailable]) {
      const { state, effects } = run(probing, { type: 'checkFailed', epoch: probing.epoch, error });
      expect(state).toMatchObject({ phase: 'lost', sync: 'sync' });
      expect(kinds(effects)).toEqual(['report', 'timer verify off', 'timer retry off', 'sync sync']);
    }
  });
  test('verifyNow does not probe a lost link (ticks do)', () => {
    expect(run(lost, { type: 'verifyNow' }).effects).toEqual([]);
  });
});

describe('closed', () => {
  test.each<MachineEvent>([
    { type: 'attach' },
    { type: 'subscribed' },
    { type: 'tick' },
    { type: 'retry' },
    { type: 'synced', epoch: closed.epoch },
    { type: 'close' },
  ])('%o changes nothing', (event) => expect(run(closed, event)).toEqual({ state: closed, effects: [] }));
});

test('every phase is covered by these tables', () => {
  const phases: Phase[] = [waiting, subscribing, syncing, live, lost, idle, closed].map((s) => s.phase);
  expect(new Set(phases)).toEqual(new Set<Phase>(['waiting', 'subscribing', 'syncing', 'live', 'lost', 'idle', 'closed']));
});

test('idle: attach resubscribes from scratch, keeping what an upstream said', () => {
  const upstream = run(idle, { type: 'upstream', stale: true }).state;
  expect(run(upstream, { type: 'attach' }).state).toMatchObject({ phase: 'subscribing', upstreamStale: true, attempt: 0 });
});
