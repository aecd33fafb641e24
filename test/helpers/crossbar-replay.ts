/**
 * Replays the Crossbar.io 22.6.1 meta calls (fixtures/crossbar/index.json) through the public
 * SessionMeta API. Each captured CALL is bound the way Crossbar binds it (positional args in
 * parameter order, then kwargs by name; meta_api_signatures.json), mapped to the SDK method that
 * expresses it, and answered from the capture. Shared by crossbar-calls.test.ts (what the SDK
 * returns and sends) and bad-input.test.ts (captured calls the SDK refuses before sending).
 */
import { SessionMeta, type KillOptions, type SessionFilter } from '../../src';
import { FakeSession, PENDING, autobahnOutcome, type SentCall } from './fake-session';
import { loadIndex, loadScenario, type CapturedCall } from './fixtures';

/** A CALL as the router sees it: missing args/kwargs elements are empty. */
export interface WireCall {
  readonly procedure: string;
  readonly args: readonly unknown[];
  readonly kwargs: Readonly<Record<string, unknown>>;
}

/** `[48, request, options, procedure, args?, kwargs?]` -> WireCall. */
export function fromFrame(frame: readonly unknown[]): WireCall {
  return {
    procedure: frame[3] as string,
    args: (frame[4] as unknown[] | undefined) ?? [],
    kwargs: (frame[5] as Record<string, unknown> | undefined) ?? {},
  };
}

/** What the SDK handed to `session.call`, as the same WireCall. */
export function fromSent(call: SentCall): WireCall {
  return { procedure: call.procedure, args: call.args ?? [], kwargs: (call.kwargs as Record<string, unknown> | undefined) ?? {} };
}

interface Signatures {
  procedures: { uri: string; params: { name: string }[] }[];
}

/** Parameter order per procedure (Crossbar source); kill_all is not in 22.6.1, its options are the spec's. */
const PARAMS: Readonly<Record<string, readonly string[]>> = {
  ...Object.fromEntries(loadScenario<Signatures>('meta_api_signatures.json').procedures.map((p) => [p.uri, p.params.map((x) => x.name)])),
  'wamp.session.kill_all': ['reason', 'message'],
};

/**
 * The arguments as Crossbar binds them to its parameters. `null` is every parameter's default
 * there, so it counts as "not given". Positional args beyond the parameters are kept as `$n`.
 */
export function bound({ procedure, args, kwargs }: WireCall): Record<string, unknown> {
  const names = PARAMS[procedure] ?? [];
  const out: Record<string, unknown> = {};
  args.forEach((value, i) => {
    if (value !== null) out[names[i] ?? `$${i}`] = value;
  });
  for (const [key, value] of Object.entries(kwargs)) if (value !== null) out[key] = value;
  return out;
}

/** A call's shape: procedure, leaf types by position (nested arrays by element type) and kwargs keys. */
export function shape({ procedure, args, kwargs }: WireCall): string {
  const leaf = (value: unknown): string => {
    if (value === null) return 'null';
    if (!Array.isArray(value)) return typeof value;
    return `${[...new Set(value.map(leaf))].sort().join('|')}[]`;
  };
  const kw = Object.keys(kwargs)
    .sort()
    .map((key) => `${key}:${leaf(kwargs[key])}`);
  return `${procedure}(${args.map(leaf).join(', ')}; {${kw.join(', ')}})`;
}

export type Invoke = (meta: SessionMeta) => Promise<unknown>;

function killOptions(p: Record<string, unknown>): KillOptions | undefined {
  if (p.reason === undefined && p.message === undefined) return undefined;
  return { ...(p.reason !== undefined && { reason: p.reason as string }), ...(p.message !== undefined && { message: p.message as string }) };
}

function filter(p: Record<string, unknown>): SessionFilter | undefined {
  return p.filter_authroles === undefined ? undefined : { authroles: p.filter_authroles as string[] };
}

/**
 * The public SDK call that expresses a captured call (with its values passed through unchecked, so
 * wrongly typed ones reach the SDK's validation), or undefined for procedures the SDK does not
 * cover (testaments, the made-up `count_sessions`).
 */
export function sdkCall(call: WireCall): Invoke | undefined {
  const p = bound(call);
  switch (call.procedure) {
    case 'wamp.session.count':
      return (meta) => meta.count(filter(p));
    case 'wamp.session.list':
      return (meta) => meta.list(filter(p));
    case 'wamp.session.get':
      return (meta) => meta.get(p.session_id as number);
    case 'wamp.session.kill':
      return (meta) => meta.kill(p.session_id as number, killOptions(p));
    case 'wamp.session.kill_by_authid':
      return (meta) => meta.killByAuthid(p.authid as string, killOptions(p));
    case 'wamp.session.kill_by_authrole':
      return (meta) => meta.killByAuthrole(p.authrole as string, killOptions(p));
    case 'wamp.session.kill_all':
      return (meta) => meta.killAll(killOptions(p));
    default:
      return undefined;
  }
}

/** Every captured CALL of a `wamp.session.*` procedure. */
export function metaCalls(): CapturedCall[] {
  return loadIndex().calls.filter((c) => c.procedure.startsWith('wamp.session.'));
}

/** `scenario conn #request procedure: note`, for test names. */
export function label(c: CapturedCall): string {
  return `${c.scenario.slice(0, 2)} ${c.conn} #${c.call[1] as number} ${c.procedure.replace('wamp.session.', '')}: ${c.note}`;
}

/**
 * Captured calls the SDK refuses locally (InvalidArgumentError naming `argument`, nothing sent).
 * Crossbar's own verdict on each is in the capture: runtime_error for a wrong type or a missing
 * argument, no_such_session for the string id, no answer at all for killing oneself.
 */
export const REFUSED: ReadonlyArray<{ scenario: string; conn: string; request: number; argument: string }> = [
  { scenario: '04_session_count_list.json', conn: 'observer', request: 9, argument: 'filter.authroles' },
  { scenario: '04_session_count_list.json', conn: 'observer', request: 19, argument: 'filter.authroles' },
  { scenario: '05_session_get.json', conn: 'observer', request: 6, argument: 'id' },
  { scenario: '05_session_get.json', conn: 'observer', request: 7, argument: 'id' },
  { scenario: '06_session_kill.json', conn: 'killer', request: 6, argument: 'id' },
  { scenario: '06_session_kill.json', conn: 'killer', request: 7, argument: 'id' },
  // The killer's own id with reason 42: the SDK names the own id first (Crossbar checked the reason).
  { scenario: '06_session_kill.json', conn: 'killer', request: 8, argument: 'id' },
  { scenario: '06_session_kill.json', conn: 'k_self', request: 1, argument: 'id' },
  { scenario: '07_kill_by_authid.json', conn: 'killer', request: 3, argument: 'authid' },
  { scenario: '08_kill_by_authrole.json', conn: 'killer', request: 3, argument: 'authrole' },
  { scenario: '12_registered_meta_procedures.json', conn: 'observer', request: 6, argument: 'id' },
  { scenario: '12_registered_meta_procedures.json', conn: 'observer', request: 7, argument: 'id' },
  { scenario: '12_registered_meta_procedures.json', conn: 'observer', request: 8, argument: 'authid' },
  { scenario: '12_registered_meta_procedures.json', conn: 'observer', request: 9, argument: 'authrole' },
];

export function refusal(c: CapturedCall): string | undefined {
  return REFUSED.find((r) => r.scenario === c.scenario && r.conn === c.conn && r.request === c.call[1])?.argument;
}

interface Scenario {
  sessions: Record<string, { session_id: number }>;
  wire: { conn: string; dir: string; msg: unknown[] }[];
}

const scenarios = new Map<string, Scenario>();
function scenario(file: string): Scenario {
  let s = scenarios.get(file);
  if (!s) scenarios.set(file, (s = loadScenario<Scenario>(file)));
  return s;
}

/** The caller's session id as WELCOME reported it. */
export function callerId(c: CapturedCall): number {
  const id = scenario(c.scenario).sessions[c.conn]?.session_id;
  if (id === undefined) throw new Error(`no session for ${c.scenario} ${c.conn}`);
  return id;
}

/** What the caller received instead of an answer: the GOODBYE that followed its CALL on the wire. */
export function goodbyeInstead(c: CapturedCall): { reason: string; message: string | undefined } | undefined {
  if (Array.isArray(c.response)) return undefined;
  const wire = scenario(c.scenario).wire.filter((w) => w.conn === c.conn && w.dir !== 'ws');
  const at = wire.findIndex((w) => w.dir === 'out' && w.msg[0] === 48 && w.msg[1] === c.call[1]);
  const next = wire.slice(at + 1).find((w) => w.dir === 'in');
  if (at < 0 || next?.msg[0] !== 6) throw new Error(`no GOODBYE after ${label(c)}`);
  const details = next.msg[1] as { message?: string };
  return { reason: next.msg[2] as string, message: details.message };
}

export type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

export interface Replay {
  readonly session: FakeSession;
  readonly meta: SessionMeta;
  readonly outcome: Promise<Outcome>;
}

/**
 * Runs `invoke` on a SessionMeta over a FakeSession that has the captured caller's id and answers
 * exactly as autobahn-js surfaced Crossbar's answer; with no answer captured (the caller killed
 * itself), the session gets the captured GOODBYE instead. Dispose `meta` when done.
 */
export function replay(c: CapturedCall, invoke: Invoke): Replay {
  const goodbye = goodbyeInstead(c);
  const session = new FakeSession({
    id: callerId(c),
    onCall: () => {
      if (goodbye) {
        queueMicrotask(() => session.goodbye(goodbye.reason, goodbye.message));
        return PENDING;
      }
      const outcome = autobahnOutcome(c.response as unknown[]);
      if (!outcome.ok) throw outcome.error;
      return outcome.value;
    },
  });
  const meta = new SessionMeta(session);
  const outcome = invoke(meta).then(
    (value): Outcome => ({ ok: true, value }),
    (error: unknown): Outcome => ({ ok: false, error }),
  );
  return { session, meta, outcome };
}
