/**
 * The real router for the network benchmarks: fox-wamp via startFoxRouter() in its own process,
 * so its work never shares an event loop with the process that measures. Prints its url, answers
 * `{ cpu: true }` with its CPU time (to tell whose work bounds a benchmark), and runs until stdin
 * closes. With `--count-calls` it also counts the CALLs and PUBLISHes it handles by role
 * (call-counter.ts) and answers `{ calls: true }` with them.
 */
import '../test/helpers/websocket-global';
import { startFoxRouter } from '../test/helpers/fox-router';
import { countCalls } from './call-counter';
import { emit, serve } from './procs';

const counts = process.argv.includes('--count-calls') ? countCalls() : undefined;
const router = await startFoxRouter();
emit({ url: router.url, port: router.port });
serve(
  async (command) => {
    if (counts && (command as { calls?: boolean }).calls) return counts();
    const { user, system } = process.cpuUsage();
    return { cpuMs: (user + system) / 1000, sessions: router.sessionIds().length };
  },
  () => router.stop(),
);
