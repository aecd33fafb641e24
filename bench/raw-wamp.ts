/**
 * Presence members as cheap as a WAMP session gets, so that 10 000 of them can come from one
 * process: a plain TCP socket speaking just enough WebSocket (RFC 6455) and WAMP to join and
 * leave: the upgrade, a minimal HELLO `[1, realm, {roles: {subscriber: {}}}]` (WAMP spec,
 * "Session Establishment"), WELCOME, GOODBYE, the closing handshake. Nothing is subscribed, so
 * nothing else ever arrives.
 *
 * Why not autobahn or `ws`: per join, an autobahn client costs its process ~1 ms (fox answers
 * ~900 joins/s to them, ROUTERS.md) and a `ws` client ~0.5 ms (its HTTP client and handshake
 * checks); this one ~0.1–0.2 ms, which leaves the router's own ~0.2–0.5 ms per join as the limit.
 * Measured on the 2-core bench machine. Frames from a client must be masked (RFC 6455 §5.3): the
 * all-zero key keeps the payload as it is, which servers accept; fine for a benchmark, not for a
 * browser-facing client.
 */
import net from 'node:net';

const HELLO = 1;
const WELCOME = 2;
const ABORT = 3;
const GOODBYE = 6;

const TEXT = 0x1;
const CLOSE = 0x8;
const PING = 0x9;
const PONG = 0xa;

export interface RawMember {
  /** The session id from WELCOME. */
  readonly id: number;
  /** GOODBYE (a normal leave, as autobahn's `close()`); resolves once the socket is closed. */
  leave(): Promise<void>;
}

/** HELLO details beyond the roles: `authid`, and `authextra.role` (the fox harness's authrole). */
export interface RawHello {
  readonly authid?: string;
  readonly authrole?: string;
}

/** A client frame: FIN + opcode, MASK bit with the all-zero key (see the header). */
function frame(opcode: number, payload: Buffer): Buffer {
  const n = payload.length;
  const head = n < 126 ? Buffer.from([0x80 | opcode, 0x80 | n]) : n < 65536 ? Buffer.from([0x80 | opcode, 0x80 | 126, n >> 8, n & 255]) : undefined;
  if (!head) throw new Error('raw-wamp: frames over 64 KiB are not needed here');
  return Buffer.concat([head, Buffer.alloc(4), payload]);
}

const text = (message: unknown[]): Buffer => frame(TEXT, Buffer.from(JSON.stringify(message)));

/** Server frames (never masked) out of a byte stream. */
class FrameReader {
  #buffer: Buffer = Buffer.alloc(0);

  *push(chunk: Buffer): Generator<{ opcode: number; payload: Buffer }> {
    this.#buffer = this.#buffer.length === 0 ? chunk : Buffer.concat([this.#buffer, chunk]);
    for (;;) {
      const b = this.#buffer;
      if (b.length < 2) return;
      let length = b[1]! & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        length = b.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (b.length < 10) return;
        length = Number(b.readBigUInt64BE(2));
        offset = 10;
      }
      if (b.length < offset + length) return;
      this.#buffer = b.subarray(offset + length);
      yield { opcode: b[0]! & 0x0f, payload: b.subarray(offset, offset + length) };
    }
  }
}

/** Joins `realm` on the router at `port` (127.0.0.1) as one session; rejects on ABORT, a close or `timeoutMs`. */
export function joinRaw(port: number, realm: string, hello: RawHello = {}, timeoutMs = 30_000): Promise<RawMember> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setNoDelay(true);
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    const timer = setTimeout(() => fail('no WELCOME in time'), timeoutMs);
    let settled = false;
    let head: Buffer | undefined = Buffer.alloc(0); // the HTTP response until the upgrade is done
    const frames = new FrameReader();

    function fail(why: string): void {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(new Error(`raw WAMP join on port ${port}: ${why}`));
    }
    function onMessage(message: unknown[]): void {
      if (message[0] === WELCOME && typeof message[1] === 'number' && !settled) {
        settled = true;
        clearTimeout(timer);
        resolve({
          id: message[1],
          async leave() {
            if (!socket.destroyed) socket.write(text([GOODBYE, {}, 'wamp.close.normal']));
            await closed;
          },
        });
      } else if (message[0] === ABORT) fail(`ABORT ${JSON.stringify(message)}`);
      // The router's GOODBYE answer needs nothing: its closing handshake follows.
    }

    socket.on('error', (error) => fail(error.message));
    socket.once('close', () => fail('closed before WELCOME'));
    socket.once('connect', () => {
      socket.write(
        'GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
          'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: wamp.2.json\r\n\r\n',
      );
    });
    socket.on('data', (chunk: Buffer) => {
      if (head) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        if (!head.subarray(0, 12).toString().startsWith('HTTP/1.1 101')) return fail(`upgrade refused: ${head.subarray(0, end).toString().split('\r\n')[0]}`);
        chunk = head.subarray(end + 4);
        head = undefined;
        const details = {
          roles: { subscriber: {} },
          ...(hello.authid !== undefined && { authid: hello.authid }),
          ...(hello.authrole !== undefined && { authextra: { role: hello.authrole } }),
        };
        socket.write(text([HELLO, realm, details]));
      }
      for (const { opcode, payload } of frames.push(chunk)) {
        if (opcode === TEXT) onMessage(JSON.parse(payload.toString()) as unknown[]);
        else if (opcode === PING) socket.write(frame(PONG, payload));
        else if (opcode === CLOSE) socket.end(frame(CLOSE, payload.subarray(0, 2))); // closing handshake: echo the code
      }
    });
  });
}

/** Joins `n` sessions, `concurrency` handshakes in flight; `hello(i)` says who the i-th is. */
export async function joinMany(port: number, realm: string, n: number, concurrency: number, hello: (i: number) => RawHello): Promise<RawMember[]> {
  const members: RawMember[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < n) {
      const i = next++;
      members.push(await joinRaw(port, realm, hello(i)));
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return members;
}
