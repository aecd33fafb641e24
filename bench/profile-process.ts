/**
 * The profiled side of bench/profile.ts, in its own process: connects to the router, runs one
 * untimed SDK sync (JIT warm-up), then `syncs` more under V8's CPU profiler (node:inspector: the
 * same sampler and .cpuprofile format as `node --cpu-prof`, but only around the syncs, without
 * tsx start-up), writes the profile to `out` and emits `{ ms, cpu, sessions }`.
 * Usage: profile-process.ts <url> <syncs> <out.cpuprofile>
 */
import '../test/helpers/websocket-global';
import autobahn from 'autobahn';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { performance } from 'node:perf_hooks';
import { SessionMeta, type WampSessionLike } from '../dist/index.mjs';
import { connectClient } from '../test/helpers/fox-router';
import { emit } from './procs';
import { syncSdk } from './sync';

autobahn.log.warn = () => {};

const [url, syncsArg, out] = process.argv.slice(2);
const syncs = Number(syncsArg);
if (!url || !(syncs >= 1) || !out) throw new Error('usage: profile-process.ts <url> <syncs> <out.cpuprofile>');

const client = await connectClient(url);
const meta = new SessionMeta(client.session as unknown as WampSessionLike);
await syncSdk(meta); // warm-up

const inspector = new Session();
inspector.connect();
await inspector.post('Profiler.enable');
await inspector.post('Profiler.setSamplingInterval', { interval: 100 }); // µs
await inspector.post('Profiler.start');
const cpu0 = process.cpuUsage();
const t0 = performance.now();
let sessions = 0;
for (let i = 0; i < syncs; i++) sessions = await syncSdk(meta);
const ms = performance.now() - t0;
const cpu = process.cpuUsage(cpu0);
const { profile } = await inspector.post('Profiler.stop');
writeFileSync(out, JSON.stringify(profile));
inspector.disconnect();
meta.dispose();
await client.close();
emit({ ms, userMs: cpu.user / 1000, systemMs: cpu.system / 1000, sessions });
