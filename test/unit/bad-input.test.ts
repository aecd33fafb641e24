/**
 * API.md §2: every public method and option validates its arguments before any network call.
 * Bad input fails with InvalidArgumentError naming the argument (`e.argument`), and the session
 * receives nothing: no CALL, no SUBSCRIBE.
 */
import { InvalidArgumentError, SessionClosedError, SessionMeta, type WampConnectionLike } from '../../src';
import { FakeSession, flush } from '../helpers/fake-session';
import { REFUSED, fromFrame, label, metaCalls, refusal, replay, sdkCall } from '../helpers/crossbar-replay';

const OWN_ID = 555;
const OTHER_ID = 777;

// Not ids: `2 ** 53 + 1` is not among them because it rounds to 2 ** 53 (a valid id) in a double;
// 2 ** 53 + 2 is the next double above the WAMP id range.
const BAD_IDS: unknown[] = [0, -1, 1.5, 2 ** 53 + 2, NaN, Infinity, -Infinity, '1', null, undefined, {}, [], 1n, true];
const BAD_NAMES: unknown[] = ['', 42, null, undefined, {}, [], true];
const BAD_OPTIONS: unknown[] = ['x', 42, null, true, []];
const BAD_REASONS: unknown[] = ['', 'has space', 'a..b', '.a', 'a.', 'a#b', 42, null];
const BAD_MESSAGES: unknown[] = [42, null, {}];

/** For test names; unlike JSON.stringify it keeps NaN, Infinity and undefined apart from null. */
function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (Array.isArray(value)) return `[${value.map(show).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    const fields = Object.entries(value).map(([key, v]) => `${key}: ${show(v)}`);
    return fields.length === 0 ? '{}' : `{ ${fields.join(', ')} }`;
  }
  return String(value);
}

interface Row {
  name: string;
  /** Calls the API with bad input; may throw (constructors, attach) or return a rejected promise. */
  run: (meta: SessionMeta, session: FakeSession) => unknown;
  argument: string;
}

const row = (call: string, value: unknown, argument: string, run: Row['run']): Row => ({
  name: `${call.replace('$', show(value))} → ${argument}`,
  run,
  argument,
});

/** Kill options, bad at the top level, in `reason` or in `message`. */
function killOptionRows(call: string, run: (meta: SessionMeta, options: unknown) => unknown): Row[] {
  return [
    ...BAD_OPTIONS.map((o) => row(call, o, 'options', (m) => run(m, o))),
    ...BAD_REASONS.map((r) => row(call, { reason: r }, 'options.reason', (m) => run(m, { reason: r }))),
    ...BAD_MESSAGES.map((msg) => row(call, { message: msg }, 'options.message', (m) => run(m, { message: msg }))),
  ];
}

/** count/list filters. Arrays are not filter objects; `authroles` must be an array of non-empty strings. */
function filterRows(call: string, run: (meta: SessionMeta, filter: unknown) => unknown): Row[] {
  return [
    ...['user', 42, null, [], ['user']].map((f) => row(call, f, 'filter', (m) => run(m, f))),
    ...['user', 42, null, {}].map((r) => row(call, { authroles: r }, 'filter.authroles', (m) => run(m, { authroles: r }))),
    ...[[''], [1], ['user', null]].map((r) => row(call, { authroles: r }, 'filter.authroles[]', (m) => run(m, { authroles: r }))),
  ];
}

/** liveSessions options, one bad field at a time. */
const LIVE_OPTIONS: Array<[unknown, string]> = [
  ...BAD_OPTIONS.map((o): [unknown, string] => [o, 'options']),
  ...[0, 1.5, -1, NaN, Infinity, '4'].map((v): [unknown, string] => [{ syncConcurrency: v }, 'options.syncConcurrency']),
  ...['x', 'ids', null].map((v): [unknown, string] => [{ details: v }, 'options.details']),
  ...['yes', 1, null].map((v): [unknown, string] => [{ includeSelf: v }, 'options.includeSelf']),
  ...['user', null].map((v): [unknown, string] => [{ authroles: v }, 'options.authroles']),
  [{ authroles: [''] }, 'options.authroles[]'],
  [{ authroles: [1] }, 'options.authroles[]'],
  ...[5, 'f'].map((v): [unknown, string] => [{ onDetailsError: v }, 'options.onDetailsError']),
];

const ROWS: Row[] = [
  ...BAD_IDS.map((id) => row('get($)', id, 'id', (m) => m.get(id as number))),
  ...BAD_IDS.map((id) => row('kill($)', id, 'id', (m) => m.kill(id as number))),
  row('kill($)', OWN_ID, 'id', (m) => m.kill(OWN_ID)), // our own session (Crossbar: GOODBYE, no RESULT)
  ...BAD_NAMES.map((a) => row('killByAuthid($)', a, 'authid', (m) => m.killByAuthid(a as string))),
  ...BAD_NAMES.map((a) => row('killByAuthrole($)', a, 'authrole', (m) => m.killByAuthrole(a as string))),
  ...filterRows('count($)', (m, f) => m.count(f as never)),
  ...filterRows('list($)', (m, f) => m.list(f as never)),
  ...killOptionRows(`kill(${OTHER_ID}, $)`, (m, o) => m.kill(OTHER_ID, o as never)),
  ...killOptionRows('killByAuthid("alice", $)', (m, o) => m.killByAuthid('alice', o as never)),
  ...killOptionRows('killByAuthrole("user", $)', (m, o) => m.killByAuthrole('user', o as never)),
  ...killOptionRows('killAll($)', (m, o) => m.killAll(o as never)),
  ...LIVE_OPTIONS.map(([o, argument]) => row('liveSessions($)', o, argument, (m) => m.liveSessions(o as never))),
  ...[null, undefined, {}, 'x', { call: 1, subscribe: 1 }].map((s) => row('attach($)', s, 'session', (m) => m.attach(s as never))),
  // The constructor: nothing reaches the session given to it.
  ...BAD_OPTIONS.map((o) => row('new SessionMeta(session, $)', o, 'options', (_m, s) => new SessionMeta(s, o as never))),
  ...[-1, NaN, Infinity, 'x', null, 2 ** 31].map((t) =>
    row('new SessionMeta(session, $)', { callTimeoutMs: t }, 'options.callTimeoutMs', (_m, s) => new SessionMeta(s, { callTimeoutMs: t as number })),
  ),
  ...[null, undefined, 'x', 42].map((c) => row('SessionMeta.fromConnection($)', c, 'connection', () => SessionMeta.fromConnection(c as never))),
];

/** What `run` failed with, whether it threw or rejected; fails the test if it did not fail. */
async function failureOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected InvalidArgumentError, but the call succeeded');
}

describe('bad input is refused locally, naming the argument, with nothing sent', () => {
  let session: FakeSession;
  let meta: SessionMeta;
  beforeEach(() => {
    session = new FakeSession({ id: OWN_ID, onCall: () => null });
    meta = new SessionMeta(session);
  });
  afterEach(() => meta.dispose());

  test.each(ROWS)('$name', async ({ run, argument }) => {
    const error = await failureOf(() => run(meta, session));
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(argument);
    expect((error as InvalidArgumentError).message).toMatch(new RegExp(`^${argument.replace(/[.[\]]/g, '\\$&')} must be `));
    await flush(2);
    expect(session.calls).toHaveLength(0);
    expect(session.subscriptions).toHaveLength(0);
    expect(session.pendingSubscribes).toHaveLength(0);
  });

  test('the table covers every public method', () => {
    const covered = new Set(ROWS.map((r) => r.name.replace(/\(.*$/, '').replace(/^new /, '')));
    expect(covered).toEqual(
      new Set(['get', 'kill', 'killByAuthid', 'killByAuthrole', 'count', 'list', 'killAll', 'liveSessions', 'attach', 'SessionMeta', 'SessionMeta.fromConnection']),
    );
  });

  test('bad input is reported as such even with no session attached', async () => {
    const detached = new SessionMeta(null);
    await expect(detached.get(-1)).rejects.toBeInstanceOf(InvalidArgumentError);
    await expect(detached.count()).rejects.toBeInstanceOf(SessionClosedError);
  });

  test('fromConnection with bad options leaves the connection untouched', () => {
    const onopen = jest.fn();
    const connection: WampConnectionLike = { onopen, onclose: null };
    expect(() => SessionMeta.fromConnection(connection, { callTimeoutMs: -1 })).toThrow(InvalidArgumentError);
    expect(Object.getOwnPropertyDescriptor(connection, 'onopen')).toEqual({ value: onopen, writable: true, enumerable: true, configurable: true });
    expect(connection.onclose).toBeNull();
  });
});

describe('valid edge cases pass and are sent as given', () => {
  let session: FakeSession;
  let meta: SessionMeta;
  beforeEach(() => {
    // Answers as autobahn surfaces Crossbar's (a single result arg unwrapped): details, a count, or ids.
    const answer = (procedure: string, args: unknown[] | undefined): unknown =>
      procedure === 'wamp.session.get' ? { session: args![0] } : procedure === 'wamp.session.count' ? 0 : [];
    session = new FakeSession({ id: OWN_ID, onCall: (call) => answer(call.procedure, call.args) });
    meta = new SessionMeta(session);
  });
  afterEach(() => meta.dispose());

  test.each([
    ['get(1)', (m: SessionMeta) => m.get(1), [1], undefined],
    ['get(2 ** 53)', (m: SessionMeta) => m.get(2 ** 53), [2 ** 53], undefined],
    ['kill(2 ** 53)', (m: SessionMeta) => m.kill(2 ** 53), [2 ** 53], undefined],
    ['kill(1, { reason: "wamp.close.normal", message: "" })', (m: SessionMeta) => m.kill(1, { reason: 'wamp.close.normal', message: '' }), [1], { reason: 'wamp.close.normal', message: '' }],
    ['killByAuthid("a b", { reason: "com.example.x_y-z" })', (m: SessionMeta) => m.killByAuthid('a b', { reason: 'com.example.x_y-z' }), ['a b'], { reason: 'com.example.x_y-z' }],
    ['list({})', (m: SessionMeta) => m.list({}), undefined, undefined],
    ['killAll({})', (m: SessionMeta) => m.killAll({}), [], undefined],
  ] as const)('%s', async (_name, run, args, kwargs) => {
    await run(meta);
    expect(session.calls).toHaveLength(1);
    expect(session.calls[0]!.args).toEqual(args);
    expect(session.calls[0]!.kwargs).toEqual(kwargs);
  });

  test('an empty authroles filter matches nothing: count 0 and list [] without a call (Nexus reads [] as no filter)', async () => {
    await expect(meta.count({ authroles: [] })).resolves.toBe(0);
    await expect(meta.list({ authroles: [] })).resolves.toEqual([]);
    expect(session.calls).toEqual([]);
  });

  test('callTimeoutMs 0 and 2^31-1 and a liveSessions with every option at its edge are accepted', async () => {
    for (const callTimeoutMs of [0, 2 ** 31 - 1]) new SessionMeta(null, { callTimeoutMs }).dispose();
    const live = meta.liveSessions({ syncConcurrency: 1, details: 'id', includeSelf: false, authroles: [], onDetailsError: () => undefined });
    await flush();
    expect(session.active('wamp.session.on_join')).toBe(1);
    live.dispose();
  });
});

describe('the captured Crossbar calls the SDK refuses never reach the wire', () => {
  const refused = metaCalls().filter((c) => refusal(c) !== undefined);

  test('all of them are in the capture', () => {
    expect(refused).toHaveLength(REFUSED.length);
  });

  test.each(refused.map((c) => [label(c), c] as const))('%s', async (_name, c) => {
    const { session, meta, outcome } = replay(c, sdkCall(fromFrame(c.call))!);
    const result = await outcome;
    meta.dispose();
    expect(result.ok).toBe(false);
    const error = (result as { error: unknown }).error;
    expect(error).toBeInstanceOf(InvalidArgumentError);
    expect((error as InvalidArgumentError).argument).toBe(refusal(c));
    expect(session.calls).toHaveLength(0);
  });
});
