/**
 * Counts, inside the router process, every CALL and PUBLISH fox-wamp handles, by the caller's
 * role and the URI, and the calls of each caller: how the presence benchmark shows what mirrors
 * cost the router (one `get_state` each, no `wamp.session.*`) next to what live sets cost it.
 *
 * Pinned: fox-wamp 0.7.28 internals (as test/helpers/fox-router.ts): the WAMP gate hands every
 * CALL to `BaseRealm#cmdCallRpc(ctx, cmd)` and every PUBLISH to `BaseRealm#cmdPush(ctx, cmd)`
 * (lib/realm.js), with `cmd.uri` the URI split on dots and `ctx.getSession()` the caller, whose
 * `secureDetails` are its HELLO details (role: the harness's `authextra.role`). fox's own meta
 * session publishes `wamp.session.on_*` through `cmdPush` too, with no HELLO: role `router`.
 * Both wrappers are installed on the prototype, before any realm exists.
 */
import { createRequire } from 'node:module';

interface Caller {
  sessionId: number;
  secureDetails?: { authextra?: { role?: unknown }; authrole?: unknown };
}
type Command = (ctx: { getSession(): Caller }, cmd: { uri: string[] }) => unknown;
interface RealmPrototype {
  cmdCallRpc: Command;
  cmdPush: Command;
}

/** Per URI: how many, from how many sessions, and the fewest / most from one of them. */
export interface UriCount {
  readonly count: number;
  readonly sessions: number;
  readonly perSessionMin: number;
  readonly perSessionMax: number;
}

/** role → URI → counts. */
export type CountsByRole = Record<string, Record<string, UriCount>>;

export interface CallCounts {
  readonly calls: CountsByRole;
  readonly publications: CountsByRole;
}

type Tally = Map<string, Map<string, Map<number, number>>>;

function roleOf(caller: Caller): string {
  const hello = caller.secureDetails;
  if (!hello) return 'router';
  const role = hello.authextra?.role ?? hello.authrole;
  return typeof role === 'string' ? role : 'anonymous';
}

function add(tally: Tally, caller: Caller, uri: string): void {
  const role = roleOf(caller);
  const byUri = tally.get(role) ?? tally.set(role, new Map()).get(role)!;
  const bySession = byUri.get(uri) ?? byUri.set(uri, new Map()).get(uri)!;
  bySession.set(caller.sessionId, (bySession.get(caller.sessionId) ?? 0) + 1);
}

function report(tally: Tally): CountsByRole {
  const out: CountsByRole = {};
  for (const [role, byUri] of tally) {
    out[role] = {};
    for (const [uri, bySession] of byUri) {
      const counts = [...bySession.values()];
      out[role][uri] = { count: counts.reduce((a, b) => a + b, 0), sessions: counts.length, perSessionMin: Math.min(...counts), perSessionMax: Math.max(...counts) };
    }
  }
  return out;
}

/** Installs the counters on fox-wamp's realm class; call before the router starts. */
export function countCalls(): () => CallCounts {
  const { BaseRealm } = createRequire(import.meta.url)('fox-wamp/lib/realm.js') as { BaseRealm: { prototype: RealmPrototype } };
  const proto = BaseRealm.prototype;
  if (typeof proto.cmdCallRpc !== 'function' || typeof proto.cmdPush !== 'function') {
    throw new Error('call-counter: fox-wamp BaseRealm#cmdCallRpc/cmdPush missing (written against fox-wamp 0.7.28)');
  }
  const calls: Tally = new Map();
  const publications: Tally = new Map();
  const wrap = (original: Command, tally: Tally): Command =>
    function (this: unknown, ctx, cmd) {
      add(tally, ctx.getSession(), cmd.uri.join('.'));
      return original.call(this, ctx, cmd);
    };
  proto.cmdCallRpc = wrap(proto.cmdCallRpc, calls);
  proto.cmdPush = wrap(proto.cmdPush, publications);
  return () => ({ calls: report(calls), publications: report(publications) });
}
