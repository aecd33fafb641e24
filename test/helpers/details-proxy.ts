/**
 * A WAMP-level proxy in front of the fox-wamp harness that reports session details the way
 * Crossbar 22.6.1 does, for the examples (demo, browser dashboard) and their tests.
 *
 * Why: fox-wamp 0.7.28 never reports authid/authrole: `on_join` carries only
 * `{session, authmethod, transport}` and `get` only `{session}`, for any id (fox-router.ts header,
 * ROUTERS.md). A monitor or dashboard against bare fox can show ids only. The harness does know
 * who each client is (HELLO `authid` + `authextra.role`, `FoxRouterHandle.identity()`), so this
 * proxy adds those facts to what its clients receive:
 *   - EVENT on `wamp.session.on_join` (fox: details in kwargs): kwargs gain `authid` (when the
 *     client sent one) and `authrole`.
 *   - RESULT of `wamp.session.get`: the details dict gains `authid`, `authrole` and
 *     `authmethod: 'anonymous'` (the harness installs no authenticator, so every session is
 *     anonymous); for an id that is not a client session (gone, unknown, or fox's internal meta
 *     session) the RESULT becomes ERROR `wamp.error.no_such_session`, as Crossbar answers
 *     (fixtures/crossbar/05_session_get.json).
 * Everything else passes through unchanged, both ways. Payload shapes stay fox's (kwargs, not
 * Crossbar's args dict): only missing facts are added, so the SDK still meets fox's shapes.
 *
 * The values are what real clients sent in HELLO, so a hostile authid reaches a dashboard through
 * a real router and the SDK exactly as it would from Crossbar with ticket/WAMP-CRA auth, where the
 * authid is whatever the user typed.
 */
import type { FoxRouterHandle } from './fox-router';
import { startFrameProxy, type Frame, type FrameProxy } from './frame-proxy';

const CALL = 48;
const RESULT = 50;
const EVENT = 36;
const ERROR = 8;

/** Give `url` to the observer (monitor, dashboard) instead of the router url. */
export type DetailsProxy = FrameProxy;

type Rec = Record<string, unknown>;

const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What the harness knows about a client session, as SessionDetails fields; null if not a client. */
function identityFields(router: FoxRouterHandle, id: unknown): Rec | null {
  if (typeof id !== 'number') return null;
  let ids: number[];
  try {
    ids = router.sessionIds();
  } catch {
    return null; // router stopped: nothing to add
  }
  if (!ids.includes(id)) return null;
  const { authid, authrole } = router.identity(id);
  return authid === null ? { authrole } : { authid, authrole };
}

/** Rewrites router → client frames; `gets` maps CALL request ids of `wamp.session.get` to the asked id. */
function rewrite(frame: Frame, router: FoxRouterHandle, gets: Map<number, unknown>): Frame {
  const [type] = frame;
  if (type === EVENT) {
    const [, sub, pub, details, args, kwargs] = frame;
    if (!isRecord(details) || details.topic !== 'wamp.session.on_join' || !isRecord(kwargs)) return frame;
    const extra = identityFields(router, kwargs.session);
    return extra ? [type, sub, pub, details, args ?? null, { ...kwargs, ...extra }] : frame;
  }
  if (type === RESULT && gets.has(frame[1] as number)) {
    const request = frame[1] as number;
    const asked = gets.get(request);
    gets.delete(request);
    const extra = identityFields(router, asked);
    if (!extra) return [ERROR, CALL, request, {}, 'wamp.error.no_such_session', [`no session with ID ${String(asked)} exists on this router`]];
    const [, , details, args] = frame;
    const dict = Array.isArray(args) && isRecord(args[0]) ? args[0] : { session: asked };
    return [RESULT, request, details ?? {}, [{ ...dict, ...extra, authmethod: 'anonymous' }]];
  }
  if (type === ERROR && frame[1] === CALL) gets.delete(frame[2] as number);
  return frame;
}

export async function startDetailsProxy(router: FoxRouterHandle): Promise<DetailsProxy> {
  return startFrameProxy(router.url, () => {
    const gets = new Map<number, unknown>();
    return {
      up(frame) {
        if (frame[0] === CALL && frame[3] === 'wamp.session.get') gets.set(frame[1] as number, Array.isArray(frame[4]) ? frame[4][0] : undefined);
        return frame;
      },
      down: (frame) => rewrite(frame, router, gets),
    };
  });
}
