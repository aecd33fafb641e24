/**
 * The real router for the network benchmarks: fox-wamp via startFoxRouter() in its own process,
 * so its work never shares an event loop with the process that measures. Prints its url, answers
 * `{ cpu: true }` with its CPU time (to tell whose work bounds a benchmark), and runs until stdin
 * closes.
 */
import '../test/helpers/websocket-global';
import { startFoxRouter } from '../test/helpers/fox-router';
import { emit, serve } from './procs';

const router = await startFoxRouter();
emit({ url: router.url, port: router.port });
serve(
  async () => {
    const { user, system } = process.cpuUsage();
    return { cpuMs: (user + system) / 1000, sessions: router.sessionIds().length };
  },
  () => router.stop(),
);
