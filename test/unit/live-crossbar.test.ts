/**
 * The live session set fed with Crossbar.io 22.6.1 captures (test/fixtures/crossbar): `list` and
 * `get` answered with the captured RESULT/ERROR frames, and each scenario's observed events
 * replayed in their captured order, give the sets those files imply.
 */
import type { LiveSessionSet, SessionId } from '../../src';
import { autobahnOutcome, flush, type FakeSession } from '../helpers/fake-session';
import { loadIndex, loadScenario, type CapturedCall } from '../helpers/fixtures';
import { fromFrame } from '../helpers/crossbar-replay';
import { GET, LIST, ON_JOIN, ScriptedRealm, crossbarDetails, idsOf, metaTracker, record, replay, sorted, type Outcome, type Recording } from '../helpers/live-set';

const metas = metaTracker();
afterEach(() => metas.disposeAll());

interface SessionInfo {
  session_id: number;
  authid: string;
  authrole: string;
  authmethod: string;
}

interface Observation {
  seq: number;
  kind: 'joined' | 'subscribed' | 'event' | 'call' | 'onclose' | 'note' | 'summary';
  session?: string;
  topic?: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  text?: string;
  procedure?: string;
  call_args?: unknown[];
  ok?: boolean | null;
  result?: { value: unknown };
}

interface Scenario {
  sessions: Record<string, SessionInfo>;
  observations: Observation[];
}

/** A session as Crossbar describes it in on_join and get, with the identity the capture reports. */
const detailsOf = (s: SessionInfo) => ({ ...crossbarDetails(s.session_id, s.authrole, s.authid), authmethod: s.authmethod });

/** "child process pid 17305 joined with session 8575966492680320" (11_on_leave_abrupt.json). */
const NOTED_JOIN = /joined with session (\d+)/;

/** Answers every call the live set sends from the realm, until none is left. */
async function answerAll(realm: ScriptedRealm, session: FakeSession): Promise<void> {
  for (let round = 0; round < 50; round++) {
    await flush();
    const pending = realm.pending(session);
    if (pending.length === 0) return;
    for (const call of pending) realm.answer(call);
  }
}

interface Replayed {
  live: LiveSessionSet;
  rec: Recording;
  scenario: Scenario;
  id(label: string): SessionId;
  /** Ids that joined after the observer subscribed but appear only in a note (no `sessions` entry). */
  noted: SessionId[];
}

/**
 * Replays one scenario: the sessions present when the observer subscribed make the realm the live
 * set syncs from (carried over from an earlier file, or joined before); then the captured events in
 * order. Where the observer did not subscribe to on_join, a later `joined` becomes the on_join
 * Crossbar would have sent.
 */
async function replayScenario(file: string): Promise<Replayed> {
  const scenario = loadScenario<Scenario>(file);
  const { sessions, observations } = scenario;
  const subscribed = observations.filter((o) => o.kind === 'subscribed');
  // 03 continues 02: its observer subscribed (to both topics) there, before every session joined.
  const observer = (subscribed[0] ?? observations.find((o) => o.kind === 'event')!).session!;
  const since = subscribed[0]?.seq ?? 0;
  const joinedAt = new Map(observations.filter((o) => o.kind === 'joined').map((o) => [o.session!, o.seq]));
  const seesJoins = subscribed.length === 0 || subscribed.some((o) => o.topic === ON_JOIN);

  const realm = new ScriptedRealm();
  for (const [label, info] of Object.entries(sessions)) {
    const present = !joinedAt.has(label) || joinedAt.get(label)! < since; // carried over, or joined before
    if (label !== observer && present) realm.add(info.session_id, info.authrole, false, detailsOf(info));
  }
  const me = sessions[observer]!;
  const session = realm.connect({ id: me.session_id, authrole: me.authrole, autoConfirm: true });
  realm.add(me.session_id, me.authrole, false, detailsOf(me));
  const live = metas.make(session).liveSessions();
  const rec = record(live);
  await answerAll(realm, session);
  expect(live.status).toBe('live');

  const noted: SessionId[] = [];
  for (const o of observations) {
    if (o.seq <= since) continue;
    if (o.kind === 'onclose' && o.session === observer) break;
    if (o.kind === 'event' && o.session === observer) {
      // Every captured event moves the set: a join adds a session, a leave removes one it had.
      const subject = (o.topic === ON_JOIN ? (o.args![0] as { session: SessionId }).session : o.args![0]) as SessionId;
      expect(live.has(subject)).toBe(o.topic !== ON_JOIN);
      session.publish(o.topic!, o.args ?? [], o.kwargs ?? {});
      expect(live.has(subject)).toBe(o.topic === ON_JOIN);
    }
    if (seesJoins) continue;
    if (o.kind === 'joined') session.publish(ON_JOIN, [detailsOf(sessions[o.session!]!)]);
    const note = o.kind === 'note' ? NOTED_JOIN.exec(o.text ?? '') : null;
    if (note) {
      noted.push(Number(note[1]));
      session.publish(ON_JOIN, [crossbarDetails(Number(note[1]), 'anonymous')]);
    }
  }
  await flush();
  expect(live.status).toBe('live');
  expect(rec.errors).toEqual([]);
  expect(sorted(replay(rec.changes).keys())).toEqual(idsOf(live));
  return { live, rec, scenario, noted, id: (label) => sessions[label]!.session_id };
}

/** Results of the successful captured calls of `procedure` (e.g. the ids kill_by_authid returned). */
function results(scenario: Scenario, procedure: string): Array<{ args: unknown[]; value: unknown }> {
  return scenario.observations
    .filter((o) => o.kind === 'call' && o.procedure === procedure && o.ok === true)
    .map((o) => ({ args: o.call_args ?? [], value: o.result!.value }));
}

describe('sync from captured list and get answers', () => {
  const index = loadIndex();
  const captured = (file: string, procedure: string, args: unknown[]): CapturedCall => {
    const call = index.calls.find((c) => c.scenario === file && c.procedure === procedure && JSON.stringify(fromFrame(c.call).args) === JSON.stringify(args));
    if (!call) throw new Error(`no capture of ${procedure} ${JSON.stringify(args)} in ${file}`);
    return call;
  };
  const outcomeOf = (c: CapturedCall): Outcome => {
    const o = autobahnOutcome(c.response as unknown[]);
    return o.ok ? o : { ok: false, error: o.error };
  };

  test('04: the captured list (all, and filtered by authrole) gives exactly the listed sessions', async () => {
    const { sessions } = loadScenario<Scenario>('04_session_count_list.json');
    const cases: Array<[string[] | undefined, unknown[]]> = [
      [undefined, []],
      [['user'], [['user']]],
    ];
    for (const [filter, capturedArgs] of cases) {
      const realm = new ScriptedRealm();
      for (const info of Object.values(sessions)) realm.add(info.session_id, info.authrole, false, detailsOf(info));
      const me = sessions.observer!;
      const session = realm.connect({ id: me.session_id, authrole: me.authrole, autoConfirm: true });
      const live = metas.make(session).liveSessions(filter ? { authroles: filter } : {});
      await flush();
      const list = realm.pending(session, LIST)[0]!;
      const capture = captured('04_session_count_list.json', LIST, capturedArgs);
      expect(list.args ?? []).toEqual(fromFrame(capture.call).args); // the SDK sent what was captured
      realm.deliver(list, outcomeOf(capture));
      await answerAll(realm, session);

      const listed = autobahnOutcome(capture.response as unknown[]);
      expect(idsOf(live)).toEqual(sorted((listed as { value: SessionId[] }).value));
      expect(live.size).toBe(filter ? 2 : 5);
      for (const s of live.values()) expect(s.authrole).toBe(Object.values(sessions).find((i) => i.session_id === s.session)!.authrole);
    }
  });

  test('05: captured get answers fill the details; the captured no_such_session makes a listed id absent', async () => {
    const { sessions } = loadScenario<Scenario>('05_session_get.json');
    const me = sessions.observer!;
    const realm = new ScriptedRealm();
    const session = realm.connect({ id: me.session_id, autoConfirm: true });
    const live = metas.make(session).liveSessions();
    await flush();
    const ids = [...Object.values(sessions).map((s) => s.session_id), 1234567];
    realm.deliver(realm.pending(session, LIST)[0]!, { ok: true, value: ids });
    await flush();
    for (const call of realm.pending(session, GET)) realm.deliver(call, outcomeOf(captured('05_session_get.json', GET, call.args ?? [])));
    await flush();

    expect(live.status).toBe('live');
    expect(idsOf(live)).toEqual(sorted(Object.values(sessions).map((s) => s.session_id)));
    for (const info of Object.values(sessions)) {
      const s = live.get(info.session_id)!;
      expect([s.authid, s.authrole, s.authmethod, s.realm]).toEqual([info.authid, info.authrole, info.authmethod, 'realm1']);
      expect(s.raw).toEqual(expect.objectContaining({ session: info.session_id, authprovider: 'static' }));
    }
  });
});

describe('captured scenarios replayed', () => {
  test('02 on_join: the four sessions that joined are in the set, with the details Crossbar sent', async () => {
    const { live, scenario, id } = await replayScenario('02_on_join.json');
    expect(idsOf(live)).toEqual(sorted(Object.values(scenario.sessions).map((s) => s.session_id)));
    for (const info of Object.values(scenario.sessions)) {
      const s = live.get(info.session_id)!;
      expect([s.authid, s.authrole, s.authmethod]).toEqual([info.authid, info.authrole, info.authmethod]);
    }
    expect(live.byAuthid().get('carol')!.map((s) => s.session)).toEqual([id('carol_ticket_8081')]);
  });

  test('03 on_leave after GOODBYE: everyone but the observer left', async () => {
    const { live, rec, scenario, id } = await replayScenario('03_on_leave_normal.json');
    expect(idsOf(live)).toEqual([id('observer')]);
    // Crossbar's on_leave is `[id]` only: each left change carries the details the set knew.
    const left = rec.changes.filter((c) => c.type === 'left').map((c) => [c.session.session, c.session.authid]);
    const others = Object.entries(scenario.sessions).filter(([label]) => label !== 'observer');
    expect(left).toEqual(others.map(([, s]) => [s.session_id, s.authid]));
  });

  test('06 kill: every victim (also the self-killer) left; the set matches the captured count', async () => {
    const { live, scenario, id } = await replayScenario('06_session_kill.json');
    for (const { args } of results(scenario, 'wamp.session.kill')) expect(live.has(args[0] as SessionId)).toBe(false);
    expect(live.has(id('k_self'))).toBe(false);
    expect(idsOf(live)).toEqual(sorted([id('observer'), id('killer')]));
    expect(live.size).toBe(results(scenario, 'wamp.session.count').at(-1)!.value); // "count after kills" = 2
  });

  test('07 kill_by_authid: the killed ids Crossbar returned left, bob (who killed himself) too', async () => {
    const { live, scenario, id } = await replayScenario('07_kill_by_authid.json');
    const [alice] = results(scenario, 'wamp.session.kill_by_authid');
    expect(alice!.args).toEqual(['alice']);
    expect(alice!.value).toHaveLength(3);
    for (const victim of alice!.value as SessionId[]) expect(live.has(victim)).toBe(false);
    expect(live.has(id('bob_1_ticket')) || live.has(id('bob_2_wampcra'))).toBe(false);
    expect(idsOf(live)).toEqual(sorted([id('observer'), id('killer')]));
    expect(live.byAuthid().has('alice')).toBe(false);
  });

  test('08 kill_by_authrole: the users and the anonymous sessions left, the restricted observer stays', async () => {
    const { live, scenario, id } = await replayScenario('08_kill_by_authrole.json');
    const [users] = results(scenario, 'wamp.session.kill_by_authrole');
    expect(users!.args).toEqual(['user']);
    for (const victim of users!.value as SessionId[]) expect(live.has(victim)).toBe(false);
    expect(idsOf(live)).toEqual([id('observer_carol')]);
  });

  test('11 abrupt leaves: the SIGKILLed process and the socket closed without GOODBYE both left', async () => {
    const { live, noted, id } = await replayScenario('11_on_leave_abrupt.json');
    expect(noted).toHaveLength(1); // the child process is known from the note only
    expect(live.has(noted[0]!)).toBe(false);
    expect(live.has(id('ws_closed_no_goodbye'))).toBe(false);
    expect(idsOf(live)).toEqual([id('observer')]);
  });
});
