/**
 * Runs one in-process benchmark in a fresh process (its own heap and JIT state, nothing else on
 * its event loop) and emits its result: `node --expose-gc --import tsx bench/child.ts events`
 * (or memory, sdk-sync).
 */
import { emit } from './procs';
import { scaleFrom } from './scale';

const benches = {
  events: async () => (await import('./events')).run,
  memory: async () => (await import('./memory')).run,
  'sdk-sync': async () => (await import('./sdk-sync')).run,
};

const name = process.argv[2] as keyof typeof benches;
if (!(name in benches)) throw new Error(`usage: child.ts ${Object.keys(benches).join('|')} [--scale=tiny]`);
const run = await benches[name]();
emit(await run(scaleFrom()));
