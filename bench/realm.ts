/**
 * The realm the network benchmarks run against: fox-wamp in one child process
 * (router-process.ts), the idle sessions in another (fleet-process.ts). One population is grown
 * once and reused by every measurement (fox joins ~900–3,000 sessions/s).
 */
import '../test/helpers/websocket-global';
import { SessionMeta, type WampSessionLike } from '../dist/index.mjs';
import { connectClient, type TestClient } from '../test/helpers/fox-router';
import { spawnTs, type Child } from './procs';
import type { SyncTarget } from './sync';

export interface Realm {
  readonly url: string;
  readonly port: number;
  /** Opens idle sessions until `sessions` are open; how long that took. */
  grow(sessions: number): Promise<{ open: number; ms: number }>;
  /** CPU time the router process has used so far. */
  routerCpuMs(): Promise<number>;
  /**
   * A measuring session on its own connection: straight to the router (`delayMs` 0) or through
   * a latency proxy adding `delayMs` each way (latency-proxy.ts, a child of its own).
   */
  connect(delayMs: number): Promise<SyncTarget>;
  /** Every child started for this realm (the caller stops them, last first). */
  readonly children: Child[];
  /** Every client `connect` opened (the caller closes them before stopping the children). */
  readonly clients: TestClient[];
}

export async function startRealm(children: Child[] = []): Promise<Realm> {
  const router = spawnTs('bench/router-process.ts');
  children.push(router);
  const { url, port } = await router.next<{ url: string; port: number }>();
  const fleet = spawnTs('bench/fleet-process.ts', [url]);
  children.push(fleet);
  await fleet.next();
  const clients: TestClient[] = [];
  const routerCpuMs = async () => (await router.ask<{ cpuMs: number }>({ cpu: true })).cpuMs;
  const viaProxy = async (delayMs: number): Promise<string> => {
    const proxy = spawnTs('bench/latency-proxy.ts', [String(port), String(delayMs)]);
    children.push(proxy);
    return `ws://127.0.0.1:${(await proxy.next<{ port: number }>()).port}`;
  };
  return {
    url,
    port,
    grow: (sessions) => fleet.ask<{ open: number; ms: number }>({ grow: sessions }),
    routerCpuMs,
    async connect(delayMs) {
      const client = await connectClient(delayMs > 0 ? await viaProxy(delayMs) : url);
      clients.push(client);
      const session = client.session as unknown as WampSessionLike;
      return { meta: new SessionMeta(session), session, routerCpuMs };
    },
    children,
    clients,
  };
}

/** Closes the clients, then stops the children in reverse order of start. */
export async function stopAll(children: Child[], clients: readonly TestClient[] = []): Promise<void> {
  for (const client of clients) await client.close();
  for (const child of children.reverse()) await child.stop();
}
