/**
 * A TCP proxy on 127.0.0.1 that delays every chunk by `delayMs` in each direction, in its own
 * process: loopback round trips (~40 µs here) hide what pipelining buys on a real network, so
 * benchmark 1 is also run through this. Node timers fire no sooner than asked and at 1 ms
 * granularity, so the added round trip is >= 2 x delayMs; the bench measures what it really is.
 * Usage: latency-proxy.ts <targetPort> <delayMs>; prints its port, exits when stdin closes.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { emit, serve } from './procs';

const target = Number(process.argv[2]);
const delayMs = Number(process.argv[3]);
if (!Number.isInteger(target) || !(delayMs >= 0)) throw new Error('usage: latency-proxy.ts <targetPort> <delayMs>');

/** Forwards chunks from `from` to `to` after delayMs each, in order. */
function delayed(from: net.Socket, to: net.Socket): void {
  const queue: Array<{ due: number; chunk: Buffer }> = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = (): void => {
    timer = undefined;
    const now = performance.now();
    while (queue.length > 0 && (queue[0] as { due: number }).due <= now) to.write(queue.shift()!.chunk);
    if (queue.length > 0) timer = setTimeout(flush, (queue[0] as { due: number }).due - now);
  };
  from.on('data', (chunk: Buffer) => {
    queue.push({ due: performance.now() + delayMs, chunk });
    timer ??= setTimeout(flush, delayMs);
  });
  from.on('close', () => {
    if (timer) clearTimeout(timer);
    to.destroy();
  });
  from.on('error', () => to.destroy());
}

const server = net.createServer((client) => {
  const upstream = net.connect(target, '127.0.0.1');
  client.setNoDelay(true);
  upstream.setNoDelay(true);
  delayed(client, upstream);
  delayed(upstream, client);
});
server.listen(0, '127.0.0.1', () => emit({ port: (server.address() as AddressInfo).port }));
serve(
  async () => ({}),
  () => void server.close(),
);
