/**
 * The realm the network benchmarks run against: fox-wamp in one child process
 * (router-process.ts), the idle sessions in another (fleet-process.ts). One population is grown
 * once and reused by every measurement (fox joins ~900–3,000 sessions/s).
 */
import { spawnTs, type Child } from './procs';

export interface Realm {
  readonly url: string;
  readonly port: number;
  /** Opens idle sessions until `sessions` are open; how long that took. */
  grow(sessions: number): Promise<{ open: number; ms: number }>;
  /** CPU time the router process has used so far. */
  routerCpuMs(): Promise<number>;
  /** Every child started for this realm (the caller stops them, last first). */
  readonly children: Child[];
}

export async function startRealm(children: Child[] = []): Promise<Realm> {
  const router = spawnTs('bench/router-process.ts');
  children.push(router);
  const { url, port } = await router.next<{ url: string; port: number }>();
  const fleet = spawnTs('bench/fleet-process.ts', [url]);
  children.push(fleet);
  await fleet.next();
  return {
    url,
    port,
    grow: (sessions) => fleet.ask<{ open: number; ms: number }>({ grow: sessions }),
    routerCpuMs: async () => (await router.ask<{ cpuMs: number }>({ cpu: true })).cpuMs,
    children,
  };
}

/** Stops children in reverse order of start. */
export async function stopAll(children: Child[]): Promise<void> {
  for (const child of children.reverse()) await child.stop();
}
