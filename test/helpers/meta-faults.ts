/**
 * Faults a live set must survive, injected at the WAMP level between one client and the router
 * (test/helpers/frame-proxy.ts): SUBSCRIBEs that are never answered (a router or proxy that
 * swallows them), meta events lost on the way (Nexus sends no on_leave for kill_all; Crossbar
 * users report lost on_join bursts, crossbar#1348), and a link that goes silent both ways while
 * the socket stays open (NAT timeout, a sleeping laptop).
 */
import { startFrameProxy, type FrameProxy } from './frame-proxy';

const SUBSCRIBE = 32;
const SUBSCRIBED = 33;
const EVENT = 36;

export type MetaTopic = 'wamp.session.on_join' | 'wamp.session.on_leave';

export interface MetaFaultProxy extends FrameProxy {
  /** While on, SUBSCRIBE frames are swallowed: the router never sees them, nobody answers. */
  swallowSubscribes(on: boolean): void;
  /** Drops the next `count` events of `topic` on their way to the client. */
  dropEvents(topic: MetaTopic, count: number): void;
  /** While on, nothing passes either way; the sockets stay open. */
  silence(on: boolean): void;
  /** What was swallowed or dropped so far. */
  stats(): { subscribesSwallowed: number; eventsDropped: Record<MetaTopic, number> };
}

export async function startMetaFaultProxy(routerUrl: string): Promise<MetaFaultProxy> {
  let swallowing = false;
  let silent = false;
  const toDrop: Record<string, number> = {};
  const stats = { subscribesSwallowed: 0, eventsDropped: { 'wamp.session.on_join': 0, 'wamp.session.on_leave': 0 } };
  const proxy = await startFrameProxy(routerUrl, () => {
    const asked = new Map<number, string>(); // SUBSCRIBE request id → topic
    const topics = new Map<number, string>(); // subscription id → topic
    return {
      up(frame) {
        if (silent) return null;
        if (frame[0] !== SUBSCRIBE) return frame;
        if (swallowing) {
          stats.subscribesSwallowed++;
          return null;
        }
        asked.set(frame[1] as number, frame[3] as string);
        return frame;
      },
      down(frame) {
        if (silent) return null;
        if (frame[0] === SUBSCRIBED) topics.set(frame[2] as number, asked.get(frame[1] as number) ?? '');
        if (frame[0] !== EVENT) return frame;
        const topic = topics.get(frame[1] as number) as MetaTopic | undefined;
        if (!topic || !(toDrop[topic]! > 0)) return frame;
        toDrop[topic]!--;
        stats.eventsDropped[topic]++;
        return null;
      },
    };
  });
  return {
    ...proxy,
    swallowSubscribes: (on) => void (swallowing = on),
    dropEvents: (topic, count) => void (toDrop[topic] = count),
    silence: (on) => void (silent = on),
    stats: () => ({ subscribesSwallowed: stats.subscribesSwallowed, eventsDropped: { ...stats.eventsDropped } }),
  };
}
