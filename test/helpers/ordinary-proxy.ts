/**
 * The permissions of an ordinary user, enforced in front of fox-wamp (which cannot deny calls):
 * every CALL or SUBSCRIBE on `wamp.session.*` is answered `wamp.error.not_authorized` here, as a
 * Crossbar role without meta rights would answer (fixtures/crossbar/10_not_authorized.json), and
 * counted. Also holds `get_state` answers back for a while, to race a mirror's sync.
 */
import { startFrameProxy, type FrameProxy } from './frame-proxy';

const ERROR = 8;
const SUBSCRIBE = 32;
const CALL = 48;
const RESULT = 50;

export interface OrdinaryProxy extends FrameProxy {
  /** CALLs and SUBSCRIBEs on wamp.session.* that were refused. */
  metaAttempts(): number;
  /** Holds each RESULT of a `*.get_state` call this long before it reaches the client. */
  delayState(ms: number): void;
  /** `*.get_state` calls seen. */
  stateCalls(): number;
}

export async function startOrdinaryProxy(routerUrl: string): Promise<OrdinaryProxy> {
  let refused = 0;
  let delayMs = 0;
  let stateCalls = 0;
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const proxy = await startFrameProxy(routerUrl, () => {
    const stateRequests = new Set<number>();
    return {
      up(frame, io) {
        const [type, request, , uri] = frame;
        if ((type === CALL || type === SUBSCRIBE) && typeof uri === 'string' && uri.startsWith('wamp.session.')) {
          refused++;
          io.client([ERROR, type, request, {}, 'wamp.error.not_authorized', [`not authorized to ${type === CALL ? 'call' : 'subscribe to'} ${uri}`]]);
          return null;
        }
        if (type === CALL && typeof uri === 'string' && uri.endsWith('.get_state')) {
          stateCalls++;
          stateRequests.add(request as number);
        }
        return frame;
      },
      down(frame, io) {
        if (frame[0] !== RESULT || !stateRequests.delete(frame[1] as number) || delayMs === 0) return frame;
        const timer = setTimeout(() => {
          timers.delete(timer);
          io.client(frame);
        }, delayMs);
        timers.add(timer);
        return null;
      },
    };
  });
  return {
    ...proxy,
    metaAttempts: () => refused,
    delayState: (ms) => void (delayMs = ms),
    stateCalls: () => stateCalls,
    async close() {
      timers.forEach(clearTimeout);
      await proxy.close();
    },
  };
}
