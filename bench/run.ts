/**
 * `npm run bench`: runs every benchmark on this machine and writes bench/RESULTS.md.
 *
 * - bundle size (esbuild + zlib), then the in-process benchmarks (per-event cost, memory, SDK-only
 *   sync), each in a fresh child process while nothing else runs;
 * - then the network ones against the real router: fox-wamp in a child process
 *   (router-process.ts), the N idle sessions in another (fleet-process.ts), measured from this
 *   process, which does nothing else; one population grows 1000 -> 5000 -> 10 000 and every
 *   measurement at a size reuses it; each sync runs on loopback and through a latency proxy
 *   (latency-proxy.ts, +2 ms each way) to show what loopback hides; last, a CPU profile of the
 *   SDK's sync at the largest size (profile.ts).
 * - then presence (presence.ts): 1000 mirrors of a 10 000-member presence beside 100 clients
 *   each running its own liveSessions(), every party in its own process.
 *
 * `BENCH_SCALE=tiny` runs it all once at a tiny size (test/bench/bench-smoke.test.ts) and writes
 * RESULTS.md only where `BENCH_OUT` says. The results also go to stdout as one `@bench {json}` line.
 */
import '../test/helpers/websocket-global';
import autobahn from 'autobahn';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { benchBundle } from './bundle';
import { benchCalls, roundTrip } from './calls';
import type { EventsResult } from './events';
import type { MemoryResult } from './memory';
import { benchPresence } from './presence';
import { emit, spawnTs, type Child } from './procs';
import { profileSync } from './profile';
import { startRealm, stopAll, type Realm } from './realm';
import { render, type NetworkResults, type Results } from './report';
import { scaleFrom } from './scale';
import type { SdkSyncResult } from './sdk-sync';
import { sleep } from './stats';
import { benchSync, type SyncTarget } from './sync';

autobahn.log.warn = () => {}; // one warning per close otherwise

const scale = scaleFrom();
const started = performance.now();
const log = (message: string): void => {
  process.stderr.write(`[bench ${((performance.now() - started) / 1000).toFixed(1)}s] ${message}\n`);
};

/** Runs bench/child.ts <name> and returns what it emits. */
async function inChild<T>(name: string): Promise<T> {
  const child = spawnTs('bench/child.ts', [name, `--scale=${scale.name}`]);
  try {
    return await child.next<T>();
  } finally {
    await child.stop();
  }
}

async function network(realm: Realm): Promise<NetworkResults> {
  const { sizes, concurrency, delayMs, rounds } = scale.sync;
  const direct = await realm.connect(0);
  const slow = await realm.connect(delayMs);
  const links: Array<[SyncTarget, number]> = [
    [direct, 0],
    [slow, delayMs],
  ];

  const results: NetworkResults = {
    growth: [],
    delayMs,
    rttUs: { loopback: await roundTrip(direct.session, 50), delayed: await roundTrip(slow.session, 50) },
    sync: [],
    calls: undefined,
    profile: undefined,
  };
  for (const sessions of sizes) {
    log(`fleet: growing to ${sessions} sessions`);
    results.growth.push(await realm.grow(sessions));
    for (const [target, delay] of links) {
      log(`sync at ${sessions}, ${delay ? `+${delay} ms each way` : 'loopback'}`);
      results.sync.push(await benchSync(target, sessions, delay, concurrency, rounds(sessions)));
    }
    if (!results.calls) {
      log(`calls at ${sessions}`);
      const ids = await direct.meta.list();
      const other = ids.find((id) => id !== direct.session.id) as number;
      results.calls = { realmSessions: ids.length, batch: scale.calls.batch, rows: await benchCalls(direct.meta, direct.session, other, scale.calls) };
    }
  }
  log(`CPU profile of ${scale.profile.syncs} syncs at ${sizes[sizes.length - 1]}`);
  results.profile = await profileSync(realm.url, sizes[sizes.length - 1] as number, scale.profile.syncs, realm.routerCpuMs);
  direct.meta.dispose();
  slow.meta.dispose();
  return results;
}

/**
 * Share of all cores busy over `ms` while this bench does nothing: other processes (on a shared
 * machine, other people's test runs) that compete with the figures.
 */
async function background(ms: number): Promise<number> {
  const ticks = () => os.cpus().reduce((sum, cpu) => ({ idle: sum.idle + cpu.times.idle, total: sum.total + Object.values(cpu.times).reduce((a, b) => a + b, 0) }), { idle: 0, total: 0 });
  const before = ticks();
  await sleep(ms);
  const after = ticks();
  return 1 - (after.idle - before.idle) / (after.total - before.total);
}

async function main(): Promise<Results> {
  const busyBefore = await background(scale.name === 'full' ? 2000 : 200);
  log(`scale ${scale.name}: bundle size`);
  const bundle = await benchBundle();
  log('per-event cost (child process)');
  const events = await inChild<EventsResult>('events');
  log('memory (child process)');
  const memory = await inChild<MemoryResult>('memory');
  log('SDK-only sync (child process)');
  const sdkSync = await inChild<SdkSyncResult>('sdk-sync');
  const children: Child[] = [];
  let realm: Realm | undefined;
  let net: NetworkResults;
  try {
    realm = await startRealm(children);
    net = await network(realm);
  } finally {
    await stopAll(children, realm?.clients);
  }
  log('presence (router, relay, fleet and clients in their own processes)');
  const presence = await benchPresence(scale.presence, log);
  return {
    scale: scale.name,
    date: new Date().toISOString(),
    node: process.version,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    cores: os.cpus().length,
    memoryGiB: os.totalmem() / 2 ** 30,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    durationS: (performance.now() - started) / 1000,
    background: { before: busyBefore, after: await background(scale.name === 'full' ? 2000 : 200) },
    bundle,
    events,
    memory,
    sdkSync,
    network: net,
    presence,
  };
}

const results = await main();
const out = process.env.BENCH_OUT ?? (scale.name === 'full' ? fileURLToPath(new URL('RESULTS.md', import.meta.url)) : undefined);
if (out) writeFileSync(out, render(results));
log(`done in ${results.durationS.toFixed(0)} s${out ? `; wrote ${out}` : ''}`);
emit(results);
