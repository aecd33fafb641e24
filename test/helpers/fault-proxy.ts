/**
 * A fault-injecting TCP proxy between autobahn clients and a router, in the spirit of Ably's
 * test proxy for presence (a transport the test can stall, slow down, black-hole or cut at will),
 * but at the TCP level so that the real WebSocket and WAMP stacks on both sides see the fault.
 *
 * Faults apply to every connection through the proxy, current and future:
 * - `pause()` / `resume()`: stop forwarding both ways; data is buffered and delivered on resume.
 * - `delay(ms, dir)`: each chunk is held `ms` before it is forwarded (order is kept).
 * - `drop(dir)`: data is discarded from now on, the connection stays open (a black hole).
 * - `cut()`: destroys every current connection abruptly (both sockets, no close handshake).
 * - `refuse(true)`: new connections are closed as soon as they are accepted, until `refuse(false)`.
 *
 * Directions: `up` is client → router, `down` is router → client.
 */
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export type Direction = 'up' | 'down' | 'both';

export interface ProxyStats {
  /** Connections currently open through the proxy. */
  readonly open: number;
  /** Connections accepted and forwarded since start. */
  readonly accepted: number;
  /** Connections closed at once because of `refuse(true)`. */
  readonly refused: number;
  /** Connections destroyed by `cut()`. */
  readonly cut: number;
}

export interface FaultProxy {
  /** ws://127.0.0.1:PORT: give this to autobahn instead of the router's url. */
  readonly url: string;
  readonly port: number;
  pause(): void;
  resume(): void;
  /** Latency added per chunk; `delay(0)` ends it (chunks already held keep their time). */
  delay(ms: number, dir?: Direction): void;
  /** Discard data in `dir` from now on (replacing the previous setting); `'none'` forwards again. */
  drop(dir: Direction | 'none'): void;
  cut(): void;
  refuse(on: boolean): void;
  stats(): ProxyStats;
  /** Cuts everything, stops listening, clears every timer. */
  close(): Promise<void>;
}

interface Faults {
  paused: boolean;
  delay: { up: number; down: number };
  drop: { up: boolean; down: boolean };
}

/** One direction of one connection: an ordered queue of chunks with their release times. */
class Pipe {
  readonly #queue: Array<{ chunk: Buffer; at: number }> = [];
  #timer: ReturnType<typeof setTimeout> | undefined;
  #lastAt = 0;
  #ended = false;
  readonly #dir: 'up' | 'down';
  readonly #to: net.Socket;
  readonly #faults: Faults;

  constructor(dir: 'up' | 'down', to: net.Socket, faults: Faults) {
    this.#dir = dir;
    this.#to = to;
    this.#faults = faults;
  }

  push(chunk: Buffer): void {
    if (this.#faults.drop[this.#dir]) return;
    // Never release a chunk before an earlier one: a shorter delay set later must not reorder.
    this.#lastAt = Math.max(Date.now() + this.#faults.delay[this.#dir], this.#lastAt);
    this.#queue.push({ chunk, at: this.#lastAt });
    this.pump();
  }

  /** The source half-closed: end the target once everything queued has gone out. */
  end(): void {
    this.#ended = true;
    this.pump();
  }

  pump(): void {
    if (this.#timer !== undefined || this.#faults.paused || this.#to.destroyed) return;
    const now = Date.now();
    while (this.#queue.length > 0 && this.#queue[0]!.at <= now) this.#to.write(this.#queue.shift()!.chunk);
    if (this.#queue.length > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.pump();
      }, this.#queue[0]!.at - now);
    } else if (this.#ended) {
      this.#to.end();
    }
  }

  dispose(): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue.length = 0;
  }
}

interface Link {
  client: net.Socket;
  router: net.Socket;
  pipes: Pipe[];
}

const directions = (dir: Direction): Array<'up' | 'down'> => (dir === 'both' ? ['up', 'down'] : [dir]);

/** Starts a proxy on a random 127.0.0.1 port forwarding to 127.0.0.1:`targetPort`. */
export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const faults: Faults = { paused: false, delay: { up: 0, down: 0 }, drop: { up: false, down: false } };
  const links = new Set<Link>();
  const counts = { accepted: 0, refused: 0, cut: 0 };
  let refusing = false;

  const destroy = (link: Link, reset = false): void => {
    if (!links.delete(link)) return;
    link.pipes.forEach((p) => p.dispose());
    for (const socket of [link.client, link.router]) {
      // RST rather than FIN: the peer sees a broken connection, not a polite close.
      if (reset && !socket.destroyed && !socket.connecting) socket.resetAndDestroy();
      else socket.destroy();
    }
  };

  const server = net.createServer((client) => {
    client.on('error', () => undefined); // reported as 'close'
    if (refusing) {
      counts.refused++;
      client.destroy();
      return;
    }
    counts.accepted++;
    const router = net.connect(targetPort, '127.0.0.1');
    router.on('error', () => undefined); // ECONNREFUSED while the router is down: 'close' follows
    const up = new Pipe('up', router, faults);
    const down = new Pipe('down', client, faults);
    const link: Link = { client, router, pipes: [up, down] };
    links.add(link);
    client.on('data', (chunk) => up.push(chunk));
    router.on('data', (chunk) => down.push(chunk));
    client.on('end', () => up.end());
    router.on('end', () => down.end());
    // One side gone for good: the other one goes too (abruptly, like a broken path would).
    client.on('close', () => destroy(link));
    router.on('close', () => destroy(link));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const pumpAll = (): void => links.forEach((l) => l.pipes.forEach((p) => p.pump()));

  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    pause() {
      faults.paused = true;
    },
    resume() {
      faults.paused = false;
      pumpAll();
    },
    delay(ms, dir = 'both') {
      for (const d of directions(dir)) faults.delay[d] = ms;
    },
    drop(dir) {
      faults.drop.up = dir === 'up' || dir === 'both';
      faults.drop.down = dir === 'down' || dir === 'both';
    },
    cut() {
      for (const link of [...links]) {
        counts.cut++;
        destroy(link, true);
      }
    },
    refuse(on) {
      refusing = on;
    },
    stats: () => ({ open: links.size, ...counts }),
    async close() {
      for (const link of [...links]) destroy(link);
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
