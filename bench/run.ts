/**
 * `npm run bench`: runs every benchmark on this machine and writes bench/RESULTS.md.
 *
 * - bundle size (esbuild + zlib), then the in-process benchmarks (per-event cost, memory), each in
 *   a fresh child process while nothing else runs;
 * - then the network ones against the real router: fox-wamp in a child process
 *   (router-process.ts), the N idle sessions in another (fleet-process.ts), measured from this
 *   process, which does nothing else; sizes grow 100 -> 1000 -> 3000 (fox handles ~900 joins/s);
 *   at 1000 also through a latency proxy (latency-proxy.ts) to show what loopback hides;
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
import { SessionMeta, type WampSessionLike } from '../dist/index.mjs';
import { connectClient, type TestClient } from '../test/helpers/fox-router';
import { benchBundle } from './bundle';
import { benchCalls, roundTrip } from './calls';
import type { EventsResult } from './events';
import type { MemoryResult } from './memory';
import { benchPresence } from './presence';
import { emit, spawnTs, type Child } from './procs';
import { render, type NetworkResults, type Results } from './report';
import { scaleFrom } from './scale';
import { sleep } from './stats';
import { benchSweep, benchSync, type SyncTarget } from './sync';

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

async function network(children: Child[], clients: TestClient[]): Promise<NetworkResults> {
  const router = spawnTs('bench/router-process.ts');
  children.push(router);
  const { url, port } = await router.next<{ url: string; port: number }>();
  const fleet = spawnTs('bench/fleet-process.ts', [url]);
  children.push(fleet);
  await fleet.next();

  const connect = async (to: string): Promise<SyncTarget> => {
    const client = await connectClient(to);
    clients.push(client);
    const session = client.session as unknown as WampSessionLike;
    const routerCpuMs = async () => (await router.ask<{ cpuMs: number }>({ cpu: true })).cpuMs;
    return { meta: new SessionMeta(session), session, routerCpuMs };
  };
  const direct = await connect(url);

  const results: NetworkResults = {
    growth: [],
    sync: [],
    sweep: [],
    calls: undefined,
    latency: undefined,
  };
  for (const sessions of scale.sync.sizes) {
    log(`fleet: growing to ${sessions} sessions`);
    results.growth.push(await fleet.ask<{ open: number; ms: number }>({ grow: sessions }));
    log(`sync at ${sessions}`);
    results.sync.push(await benchSync(direct, sessions, scale.sync.reps(sessions)));
    if (!results.calls) {
      log(`calls at ${sessions}`);
      const ids = await direct.meta.list();
      const other = ids.find((id) => id !== direct.session.id) as number;
      results.calls = { realmSessions: ids.length, batch: scale.calls.batch, rows: await benchCalls(direct.meta, direct.session, other, scale.calls) };
    }
    if (scale.sweep.sizes.includes(sessions)) {
      log(`syncConcurrency sweep at ${sessions}`);
      results.sweep.push(await benchSweep(direct, sessions, scale.sweep.concurrency, scale.sweep.reps));
    }
    if (scale.latency.sizes.includes(sessions)) {
      const { delayMs, reps, sweepReps } = scale.latency;
      const proxy = spawnTs('bench/latency-proxy.ts', [String(port), String(delayMs)]);
      children.push(proxy);
      const slow = await connect(`ws://127.0.0.1:${(await proxy.next<{ port: number }>()).port}`);
      log(`sync at ${sessions} through +${delayMs} ms each way`);
      results.latency ??= { delayMs, rttUs: await roundTrip(slow.session, 50), sync: [], sweep: [] };
      results.latency.sync.push(await benchSync(slow, sessions, reps));
      results.latency.sweep.push(await benchSweep(slow, sessions, scale.sweep.concurrency, sweepReps));
      slow.meta.dispose();
    }
  }
  direct.meta.dispose();
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
  const children: Child[] = [];
  const clients: TestClient[] = [];
  let net: NetworkResults;
  try {
    net = await network(children, clients);
  } finally {
    for (const client of clients) await client.close();
    for (const child of children.reverse()) await child.stop();
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
    network: net,
    presence,
  };
}

const results = await main();
const out = process.env.BENCH_OUT ?? (scale.name === 'full' ? fileURLToPath(new URL('RESULTS.md', import.meta.url)) : undefined);
if (out) writeFileSync(out, render(results));
log(`done in ${results.durationS.toFixed(0)} s${out ? `; wrote ${out}` : ''}`);
emit(results);
