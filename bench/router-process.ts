/**
 * The real router for the network benchmarks: fox-wamp via startFoxRouter() in its own process,
 * so its work never shares an event loop (or a core) with the process that measures. Prints its
 * url, then runs until stdin closes.
 */
import '../test/helpers/websocket-global';
import { startFoxRouter } from '../test/helpers/fox-router';
import { emit, serve } from './procs';

const router = await startFoxRouter();
emit({ url: router.url, port: router.port });
serve(
  async () => ({ sessions: router.sessionIds().length }),
  () => router.stop(),
);
