/**
 * An ad-hoc syncConcurrency sweep on links of your choice, outside `npm run bench` (which sweeps
 * loopback and +2 ms each way): the same fair-raw comparison as benchmark 1 (sync.ts), printed as
 * one line per size and link. Used for the WAN-like figures in README.md ("syncConcurrency").
 *
 *   DELAYS=0,10,25 SIZES=5000,10000 CS=256,1024,4096 ROUNDS=5 node --expose-gc --import tsx bench/sweep.ts
 *
 * DELAYS: ms added each way (0 = loopback); CS: concurrencies (default 256, 1024, 4096, unbounded).
 */
import autobahn from 'autobahn';
import { roundTrip } from './calls';
import type { Child } from './procs';
import { startRealm, stopAll, type Realm } from './realm';
import { benchSync, UNBOUNDED } from './sync';

autobahn.log.warn = () => {};

const list = (value: string | undefined, fallback: string) => (value ?? fallback).split(',').map(Number);
const delays = list(process.env.DELAYS, '0,10,25');
const sizes = list(process.env.SIZES, '5000,10000');
const concurrency = list(process.env.CS, `256,1024,4096,${UNBOUNDED}`);
const rounds = Number(process.env.ROUNDS ?? 5);
const name = (c: number) => (c === UNBOUNDED ? 'unbounded' : String(c));

const children: Child[] = [];
let realm: Realm | undefined;
try {
  realm = await startRealm(children);
  const links = [];
  for (const delayMs of delays) {
    const target = await realm.connect(delayMs);
    links.push({ delayMs, target });
    console.log(`+${delayMs} ms each way: round trip ${((await roundTrip(target.session, 30)).median / 1000).toFixed(2)} ms`);
  }
  for (const sessions of sizes) {
    await realm.grow(sessions);
    for (const { delayMs, target } of links) {
      const row = await benchSync(target, sessions, delayMs, concurrency, rounds);
      const cells = row.sdk.map((v) => `c=${name(v.concurrency)} ${v.ms.median.toFixed(0)} ms ${v.vsRaw.median.toFixed(2)}× (${v.vsRaw.min.toFixed(2)}–${v.vsRaw.max.toFixed(2)})`);
      console.log(`N=${sessions} +${delayMs} ms: raw ${row.raw.ms.median.toFixed(0)} ms | ${cells.join(' | ')}`);
    }
  }
} finally {
  await stopAll(children, realm?.clients);
}
