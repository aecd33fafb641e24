/**
 * The SDK against Crossbar.io 22.6.1, replayed from the captures (fixtures/crossbar/index.json):
 * every captured `wamp.session.*` CALL and EVENT goes through the public API, and the values the
 * SDK returns and emits are asserted exactly. Crossbar cannot run here (ROUTERS.md), so this is the
 * reference-router test.
 */
import {
  MalformedPayloadError,
  MetaError,
  NoSuchSessionError,
  NotAuthorizedError,
  ProcedureUnavailableError,
  RouterError,
  SessionClosedError,
  SessionMeta,
  type SessionDetails,
  type SessionLeft,
} from '../../src';
import { FakeSession, autobahnOutcome, flush } from '../helpers/fake-session';
import { loadIndex, type CapturedCall } from '../helpers/fixtures';
import { bound, fromFrame, fromSent, goodbyeInstead, label, metaCalls, refusal, replay, sdkCall, shape, type Outcome } from '../helpers/crossbar-replay';

const ON_JOIN = 'wamp.session.on_join';
const ON_LEAVE = 'wamp.session.on_leave';

const calls = metaCalls();
const outside = calls.filter((c) => !sdkCall(fromFrame(c.call)));
const refused = calls.filter((c) => refusal(c) !== undefined);
const replayed = calls.filter((c) => sdkCall(fromFrame(c.call)) && refusal(c) === undefined);

/**
 * Shapes Crossbar executed: answered with a RESULT, or with the caller's own GOODBYE (a self-kill).
 * kill_all never ran (22.6.1 lacks it), so for it any captured shape stands in.
 */
const accepted = new Set(
  calls
    .filter((c) => !Array.isArray(c.response) || c.response[0] === 50 || c.procedure === 'wamp.session.kill_all')
    .map((c) => shape(fromFrame(c.call))),
);

/** The normalized SessionDetails of a Crossbar details dict (every field present in 22.6.1). */
function details(dict: Record<string, unknown>): SessionDetails {
  const { session, authid, authrole, authmethod, authprovider, authextra, realm, transport, resumed } = dict;
  return { session, authid, authrole, authmethod, authprovider, authextra, realm, transport, resumed, raw: dict } as SessionDetails;
}

/** What the SDK must settle with for a captured call, derived from Crossbar's answer. */
function expectOutcome(c: CapturedCall, outcome: Outcome): void {
  const response = c.response;
  if (!Array.isArray(response)) {
    // The caller killed itself: GOODBYE instead of RESULT (07/08). No hang: the close settles it.
    const goodbye = goodbyeInstead(c)!;
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: unknown }).error;
    expect(error).toBeInstanceOf(SessionClosedError);
    expect(error).toMatchObject({ reason: goodbye.reason, closeMessage: goodbye.message, procedure: c.procedure });
    return;
  }
  const answer = autobahnOutcome(response);
  if (!answer.ok) {
    expect(outcome.ok).toBe(false);
    const error = (outcome as { error: unknown }).error as MetaError;
    expect(error).toBeInstanceOf(MetaError);
    expect(error.procedure).toBe(c.procedure);
    switch (answer.error.error) {
      case 'wamp.error.no_such_session':
        expect(error).toBeInstanceOf(NoSuchSessionError);
        expect((error as NoSuchSessionError).sessionId).toBe(bound(fromFrame(c.call)).session_id);
        break;
      case 'wamp.error.not_authorized':
        expect(error).toBeInstanceOf(NotAuthorizedError);
        break;
      case 'wamp.error.no_such_procedure':
        expect(error).toBeInstanceOf(ProcedureUnavailableError);
        break;
      default:
        throw new Error(`a replayed call got ${answer.error.error}; the SDK should have refused it locally`);
    }
    expect(error.message).toBe(answer.error.args[0]);
    return;
  }
  if (!outcome.ok) throw outcome.error;
  const value = outcome.value;
  const result = answer.value;
  switch (c.procedure) {
    case 'wamp.session.count':
      expect(value).toBe(result);
      expect(typeof value).toBe('number');
      break;
    case 'wamp.session.list':
      expect(value).toEqual(result);
      break;
    case 'wamp.session.get':
      expect(value).toStrictEqual(details(result as Record<string, unknown>));
      expect((value as SessionDetails).raw).toBe(result);
      break;
    case 'wamp.session.kill':
      expect(value).toBeUndefined();
      break;
    default: // kill_by_authid / kill_by_authrole: Crossbar returns the killed ids
      expect(value).toStrictEqual({ count: (result as number[]).length, sessions: result });
  }
}

describe('Crossbar 22.6.1 meta calls, replayed through SessionMeta', () => {
  test('every captured wamp.session.* call is either replayed, refused locally, or outside the SDK', () => {
    expect(new Set(outside.map((c) => c.procedure))).toEqual(
      new Set(['wamp.session.add_testament', 'wamp.session.flush_testaments', 'wamp.session.count_sessions']),
    );
    expect(outside.filter((c) => refusal(c) !== undefined)).toEqual([]);
    expect([calls.length, replayed.length, refused.length, outside.length]).toEqual([75, 52, 14, 9]);
    // Every SDK procedure is among the replayed ones.
    expect(new Set(replayed.map((c) => c.procedure))).toEqual(
      new Set(['count', 'list', 'get', 'kill', 'kill_by_authid', 'kill_by_authrole', 'kill_all'].map((p) => `wamp.session.${p}`)),
    );
  });

  test('each capture the SDK refuses locally is one Crossbar rejected for its arguments, or a self-kill', () => {
    const justified = (c: CapturedCall): boolean => {
      if (!Array.isArray(c.response)) return true; // no answer: the caller killed itself
      const uri = c.response[4];
      return uri === 'wamp.error.runtime_error' || (uri === 'wamp.error.no_such_session' && typeof fromFrame(c.call).args[0] === 'string');
    };
    expect(refused).toHaveLength(14);
    expect(refused.filter((c) => !justified(c)).map(label)).toEqual([]);
  });

  const emptyFilter = (c: CapturedCall): boolean => {
    const { args, kwargs } = fromFrame(c.call);
    const filter = args[0] ?? kwargs.filter_authroles;
    return (c.procedure === 'wamp.session.count' || c.procedure === 'wamp.session.list') && Array.isArray(filter) && filter.length === 0;
  };

  test.each(replayed.map((c) => [label(c), c] as const))('%s', async (_name, c) => {
    const invoke = sdkCall(fromFrame(c.call))!;
    const { session, meta, outcome } = replay(c, invoke);
    try {
      expectOutcome(c, await outcome);
      // An empty filter matches nothing: the SDK answers what Crossbar answered, without a call
      // (other routers read `[]` as no filter).
      if (emptyFilter(c)) return expect(session.calls).toEqual([]);
      // On the wire: one CALL, binding to the same arguments, in a shape Crossbar accepted.
      expect(session.calls).toHaveLength(1);
      const sent = fromSent(session.calls[0]!);
      expect(sent.procedure).toBe(c.procedure);
      expect(bound(sent)).toEqual(bound(fromFrame(c.call)));
      expect(accepted).toContain(shape(sent));
    } finally {
      meta.dispose();
    }
  });

  test('every other WAMP error Crossbar sent becomes a RouterError with uri, args and kwargs', async () => {
    const frames = calls
      .map((c) => c.response)
      .filter((r): r is unknown[] => Array.isArray(r) && r[0] === 8)
      .filter((r) => !['wamp.error.no_such_session', 'wamp.error.not_authorized', 'wamp.error.no_such_procedure'].includes(r[4] as string));
    // With and without args (assertion failures carry none), and testament_error.
    expect(new Set(frames.map((f) => `${f[4] as string}/${f.length}`))).toEqual(
      new Set(['wamp.error.runtime_error/5', 'wamp.error.runtime_error/6', 'wamp.error.testament_error/6']),
    );
    for (const frame of frames) {
      const answer = autobahnOutcome(frame);
      const session = new FakeSession({
        onCall: () => {
          throw (answer as { error: unknown }).error;
        },
      });
      const meta = new SessionMeta(session);
      const error = await meta.count().catch((e: unknown) => e);
      meta.dispose();
      expect(error).toBeInstanceOf(RouterError);
      expect(error).toMatchObject({ uri: frame[4], args: frame[5] ?? [], kwargs: {}, procedure: 'wamp.session.count' });
    }
  });
});

describe('Crossbar 22.6.1 meta events, replayed through joins$ / leaves$', () => {
  const events = loadIndex().events.filter((e) => e.topic.startsWith('wamp.session.'));

  test('the captures hold only on_join and on_leave meta events', () => {
    expect(new Set(events.map((e) => e.topic))).toEqual(new Set([ON_JOIN, ON_LEAVE]));
  });

  test('on_join payloads become SessionDetails; on_leave gets authid/authrole from a join seen before, the id alone otherwise', async () => {
    const session = new FakeSession();
    const meta = new SessionMeta(session);
    const joins: SessionDetails[] = [];
    const leaves: SessionLeft[] = [];
    const errors: unknown[] = [];
    meta.joins$.subscribe((j) => joins.push(j));
    meta.leaves$.subscribe((l) => leaves.push(l));
    meta.errors$.subscribe((e) => errors.push(e));
    await flush();

    const seen = new Map<number, Record<string, unknown>>();
    const expectedJoins: SessionDetails[] = [];
    const expectedLeaves: SessionLeft[] = [];
    for (const { topic, event } of events) {
      // EVENT: [36, subscription, publication, details, args?, kwargs?]; Crossbar sends no kwargs.
      const args = event[4] as unknown[];
      expect(event[5]).toBeUndefined();
      if (topic === ON_JOIN) {
        const dict = args[0] as Record<string, unknown>;
        seen.set(dict.session as number, dict);
        expectedJoins.push(details(dict));
      } else {
        expect(args).toHaveLength(1); // Crossbar 22.6: the id only
        const id = args[0] as number;
        const join = seen.get(id);
        expectedLeaves.push(join ? { session: id, authid: join.authid as string, authrole: join.authrole as string } : { session: id });
      }
      session.publish(topic, args, event[5] as Record<string, unknown> | undefined);
    }

    expect(errors).toEqual([]);
    expect(joins).toStrictEqual(expectedJoins);
    joins.forEach((j, i) => expect(j.raw).toBe(expectedJoins[i]!.raw));
    expect(leaves).toStrictEqual(expectedLeaves);
    // Both kinds of leave occur in the captures (03 leaves the sessions that joined in 02).
    expect(leaves.filter((l) => l.authid !== undefined).length).toBe(4);
    expect(leaves.filter((l) => l.authid === undefined).length).toBeGreaterThan(10);
    meta.dispose();
  });
});

describe('meta events from other routers and malformed ones', () => {
  let session: FakeSession;
  let meta: SessionMeta;
  let joins: SessionDetails[];
  let leaves: SessionLeft[];
  let errors: unknown[];

  beforeEach(async () => {
    session = new FakeSession();
    meta = new SessionMeta(session);
    joins = [];
    leaves = [];
    errors = [];
    meta.joins$.subscribe((j) => joins.push(j));
    meta.leaves$.subscribe((l) => leaves.push(l));
    meta.errors$.subscribe((e) => errors.push(e));
    await flush();
  });
  afterEach(() => meta.dispose());

  test('spec on_leave [session, authid, authrole] and its kwargs variant are passed through', () => {
    session.publish(ON_LEAVE, [11, 'alice', 'user']);
    session.publish(ON_LEAVE, [], { session: 12, authid: 'bob', authrole: 'admin' });
    expect(leaves).toStrictEqual([
      { session: 11, authid: 'alice', authrole: 'user' },
      { session: 12, authid: 'bob', authrole: 'admin' },
    ]);
    expect(errors).toEqual([]);
  });

  test('fox-wamp on_join (args null, details in kwargs) becomes SessionDetails; its leave stays id-only', () => {
    const kwargs = { session: 21, authmethod: 'anonymous', transport: { protocol: 'wamp.2.json' } };
    session.publish(ON_JOIN, null, kwargs);
    session.publish(ON_LEAVE, [21]);
    expect(joins).toStrictEqual([{ session: 21, authmethod: 'anonymous', transport: kwargs.transport, raw: kwargs }]);
    expect(joins[0]!.raw).toBe(kwargs);
    expect(leaves).toStrictEqual([{ session: 21 }]);
    expect(errors).toEqual([]);
  });

  const malformed: Array<[string, string, unknown[] | null, Record<string, unknown> | null]> = [
    ['on_join with a string', ON_JOIN, ['5710074136110698'], null],
    ['on_join with no payload at all', ON_JOIN, null, null],
    ['on_join with session 0', ON_JOIN, [{ session: 0 }], null],
    ['on_join with a wrongly typed authid', ON_JOIN, [{ session: 5, authid: 42 }], null],
    ['on_join whose id sits only behind __proto__', ON_JOIN, [JSON.parse('{"__proto__": {"session": 7}}') as unknown], null],
    ['on_leave with id 0', ON_LEAVE, [0], null],
    ['on_leave with a string id', ON_LEAVE, ['8'], null],
    ['on_leave with an id above 2^53', ON_LEAVE, [2 ** 53 + 2], null],
    ['on_leave with a wrongly typed authid', ON_LEAVE, [9, 42, 'user'], null],
  ];

  test.each(malformed)('%s is dropped and reported on errors$, never thrown', (_name, topic, args, kwargs) => {
    expect(() => session.publish(topic, args, kwargs)).not.toThrow();
    expect(joins).toEqual([]);
    expect(leaves).toEqual([]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toBeInstanceOf(MalformedPayloadError);
    expect((errors[0] as MalformedPayloadError).procedure).toBe(topic);
    // The stream lives on: the next good event still arrives.
    session.publish(ON_LEAVE, [99]);
    expect(leaves).toEqual([{ session: 99 }]);
  });

  test('a __proto__ key in a payload pollutes nothing; only the known fields are read', () => {
    const dict = JSON.parse('{"__proto__": {"polluted": true}, "session": 1, "authid": "x"}') as Record<string, unknown>;
    const kwargs = JSON.parse('{"__proto__": {"polluted": true}, "session": 2}') as Record<string, unknown>;
    session.publish(ON_JOIN, [dict]);
    session.publish(ON_JOIN, null, kwargs);
    session.publish(ON_LEAVE, [], kwargs);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(joins).toStrictEqual([
      { session: 1, authid: 'x', raw: dict },
      { session: 2, raw: kwargs },
    ]);
    expect(Object.getPrototypeOf(joins[0])).toBe(Object.prototype);
    expect((joins[0] as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect(leaves).toStrictEqual([{ session: 2 }]);
    expect(errors).toEqual([]);
  });
});
