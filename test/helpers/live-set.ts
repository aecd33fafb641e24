/**
 * Helpers for the LiveSessionSet tests (issue 4): a scripted realm that answers `list`/`get` for
 * FakeSessions from its own state (when the test says so), a recorder of everything a live set
 * emits, and Crossbar-shaped session details built from the captures.
 */
import { SessionMeta } from '../../src';
import type { LiveSessionSet, LiveStatus, MetaError, SessionDetails, SessionId, SessionSetChange } from '../../src';
import { FakeSession, PENDING, WampError, flush, type SentCall } from './fake-session';
import { loadScenario } from './fixtures';

export const ON_JOIN = 'wamp.session.on_join';
export const ON_LEAVE = 'wamp.session.on_leave';
export const LIST = 'wamp.session.list';
export const GET = 'wamp.session.get';
export const COUNT = 'wamp.session.count';

// ---- Crossbar-shaped details ----

interface JoinObservation {
  kind: string;
  topic?: string;
  args?: unknown[];
}

/** The first on_join payload of 02_on_join.json: the exact dict Crossbar 22.6.1 sends. */
const TEMPLATE = (() => {
  const { observations } = loadScenario<{ observations: JoinObservation[] }>('02_on_join.json');
  const join = observations.find((o) => o.kind === 'event' && o.topic === ON_JOIN);
  return join!.args![0] as Record<string, unknown>;
})();

/** A SessionDetails dict as Crossbar 22.6.1 sends it in on_join and get (02, 05), for another session. */
export function crossbarDetails(session: SessionId, authrole = 'user', authid = `user-${session}`): Record<string, unknown> {
  return { ...TEMPLATE, session, authid, authrole, authmethod: authrole === 'anonymous' ? 'anonymous' : 'ticket' };
}

// ---- a scripted realm behind FakeSessions ----

export interface RealmSession {
  readonly session: SessionId;
  readonly authrole: string;
  readonly dict: Record<string, unknown>;
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: WampError };

/**
 * What the router knows (sessions alive) and what it answers, computed at the moment the test
 * calls `outcome` (the router processes the call) and delivered whenever the test says (`deliver`).
 * Events go to the open FakeSessions' confirmed subscriptions only, as a router would.
 */
export class ScriptedRealm {
  readonly alive = new Map<SessionId, RealmSession>();
  readonly sessions: FakeSession[] = [];
  readonly #answered = new Set<SentCall>();

  /** A client session that holds every call until the test answers it. */
  connect(options: { id?: SessionId; authrole?: string; autoConfirm?: boolean } = {}): FakeSession {
    const session = new FakeSession({ id: options.id, autoConfirm: options.autoConfirm ?? false, onCall: () => PENDING });
    this.sessions.push(session);
    this.add(session.id!, options.authrole ?? 'observer', false);
    return session;
  }

  /** A session joins; the on_join (carrying `dict`) goes out unless `publish` is false. */
  add(session: SessionId, authrole = 'user', publish = true, dict = crossbarDetails(session, authrole)): RealmSession {
    const joined = { session, authrole, dict };
    this.alive.set(session, joined);
    if (publish) this.publish(ON_JOIN, [joined.dict]);
    return joined;
  }

  /** A session leaves (Crossbar on_leave: args `[id]` only). */
  remove(session: SessionId, publish = true): void {
    this.alive.delete(session);
    if (publish) this.publish(ON_LEAVE, [session]);
  }

  /** An observer session closes: it leaves the realm, nobody tells it. */
  close(session: FakeSession): void {
    const id = session.id!;
    session.goodbye('wamp.close.normal');
    this.remove(id);
  }

  publish(topic: string, args: unknown[], kwargs?: Record<string, unknown>): void {
    for (const s of this.sessions) if (s.isOpen) s.publish(topic, args, kwargs);
  }

  /** The answer the router gives to `call` now (list filtered like Crossbar, get or no_such_session). */
  outcome(call: SentCall): Outcome {
    if (call.procedure === LIST || call.procedure === COUNT) {
      const roles = (call.args?.[0] as string[] | undefined) ?? undefined;
      const ids = [...this.alive.values()].filter((s) => !roles || roles.includes(s.authrole)).map((s) => s.session);
      // Crossbar RESULT [[ids]] / [n]: autobahn hands over the list / the number
      return { ok: true, value: call.procedure === LIST ? ids : ids.length };
    }
    if (call.procedure === GET) {
      const id = call.args?.[0] as SessionId;
      const known = this.alive.get(id);
      if (known) return { ok: true, value: known.dict };
      return { ok: false, error: new WampError('wamp.error.no_such_session', [`no session with ID ${id} exists on this router`]) };
    }
    throw new Error(`ScriptedRealm: no answer for ${call.procedure}`);
  }

  /** For a FakeSession's `onCall`: answers at once from the realm's state. */
  readonly answerNow = (call: SentCall): unknown => {
    const outcome = this.outcome(call);
    if (outcome.ok) return outcome.value;
    throw outcome.error;
  };

  deliver(call: SentCall, outcome: Outcome): void {
    this.#answered.add(call);
    if (outcome.ok) call.resolve(outcome.value);
    else call.reject(outcome.error);
  }

  /** Answer now, from the current state. */
  answer(call: SentCall): void {
    this.deliver(call, this.outcome(call));
  }

  /** The calls of `session` nobody answered yet, optionally of one procedure. */
  pending(session: FakeSession, procedure?: string): SentCall[] {
    return session.calls.filter((c) => !this.#answered.has(c) && (procedure === undefined || c.procedure === procedure));
  }
}

// ---- recording what a live set emits ----

export type Logged =
  | { kind: 'status'; status: LiveStatus }
  | { kind: 'joined' | 'left'; id: SessionId }
  | { kind: 'error'; error: MetaError };

export interface Recording {
  /** status / joined / left / error from the typed emitter, in emission order. */
  readonly log: Logged[];
  /** Everything changes$ emitted. */
  readonly changes: SessionSetChange[];
  readonly errors: MetaError[];
  /** The joined/left entries only, e.g. `['+1', '-2']`. */
  diff(): string[];
}

export function record(live: LiveSessionSet): Recording {
  const log: Logged[] = [];
  const changes: SessionSetChange[] = [];
  const errors: MetaError[] = [];
  live.on('status', (status) => log.push({ kind: 'status', status }));
  live.on('joined', (s) => log.push({ kind: 'joined', id: s.session }));
  live.on('left', (s) => log.push({ kind: 'left', id: s.session }));
  live.on('error', (error) => {
    log.push({ kind: 'error', error });
    errors.push(error);
  });
  live.changes$.subscribe((change) => changes.push(change));
  return {
    log,
    changes,
    errors,
    diff: () => log.flatMap((e) => (e.kind === 'joined' ? [`+${e.id}`] : e.kind === 'left' ? [`-${e.id}`] : [])),
  };
}

/** The set obtained by applying `changes` to an empty set, failing on an impossible change. */
export function replay(changes: readonly SessionSetChange[]): Map<SessionId, SessionDetails> {
  const set = new Map<SessionId, SessionDetails>();
  for (const { type, session } of changes) {
    if (type === 'joined') {
      if (set.has(session.session)) throw new Error(`joined twice without a left: ${session.session}`);
      set.set(session.session, session);
    } else {
      if (!set.delete(session.session)) throw new Error(`left without being in the set: ${session.session}`);
    }
  }
  return set;
}

/** The ids in a live set, sorted. */
export function idsOf(live: LiveSessionSet): SessionId[] {
  return [...live.values()].map((s) => s.session).sort((a, b) => a - b);
}

export function sorted(ids: Iterable<SessionId>): SessionId[] {
  return [...ids].sort((a, b) => a - b);
}

/** SessionMetas made by a test, disposed after it (no timer, no pending call left behind). */
export function metaTracker(): { make(session: FakeSession | null, callTimeoutMs?: number): SessionMeta; disposeAll(): void } {
  const metas: SessionMeta[] = [];
  return {
    make(session, callTimeoutMs = 0) {
      const meta = new SessionMeta(session, { callTimeoutMs });
      metas.push(meta);
      return meta;
    },
    disposeAll() {
      for (const meta of metas.splice(0)) meta.dispose();
    },
  };
}

/** Confirms the subscriptions and answers every call (also those the answers cause) from the realm's state. */
export async function answerAll(realm: ScriptedRealm, session: FakeSession): Promise<void> {
  session.confirmSubscribes();
  await flush();
  for (let round = 0; round < 100; round++) {
    const pending = realm.pending(session);
    if (pending.length === 0) return;
    for (const call of pending) realm.answer(call);
    await flush();
  }
  throw new Error('answerAll: calls keep coming');
}
