/**
 * A WAMP-level proxy (JSON serializer) in front of a router: every frame each way goes through
 * the test's hooks, which may pass it, rewrite it or drop it (`null`). The base of the details
 * proxy (Crossbar-like details from fox-wamp) and of the meta fault proxy (swallowed SUBSCRIBEs,
 * lost meta events, a silent link).
 *
 * The upstream connection is opened before the client's WebSocket handshake is accepted, so a
 * client of a stopped router sees "unreachable", not an open-then-closed socket.
 */
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';

export type Frame = unknown[];

/** Sends a frame of the test's own to either side of one proxied connection (to answer, or to release a held frame). */
export interface FrameIo {
  client(frame: Frame): void;
  router(frame: Frame): void;
}

/** The hooks of one proxied connection: client → router (`up`) and router → client (`down`). */
export interface FrameHooks {
  up(frame: Frame, io: FrameIo): Frame | null;
  down(frame: Frame, io: FrameIo): Frame | null;
}

export interface FrameProxy {
  /** ws://127.0.0.1:PORT: give this to the client instead of the router url. */
  readonly url: string;
  readonly port: number;
  /** Terminates every proxied connection and stops listening. */
  close(): Promise<void>;
}

const parse = (data: WebSocket.RawData): Frame | null => {
  try {
    const frame: unknown = JSON.parse(String(data));
    return Array.isArray(frame) ? frame : null;
  } catch {
    return null;
  }
};

/** Close codes a server may send on to its client (RFC 6455 §7.4); anything else is a drop. */
const forwardable = (code: number): boolean => code === 1000 || code === 1001 || (code >= 3000 && code <= 4999);

/** Sends `data` on, through `hook` when it is a frame. */
function relay(data: WebSocket.RawData, isBinary: boolean, hook: (frame: Frame) => Frame | null, to: WebSocket): void {
  const frame = parse(data);
  const out = frame ? hook(frame) : data;
  if (out === null || to.readyState !== WebSocket.OPEN) return;
  to.send(frame ? JSON.stringify(out) : out, { binary: isBinary && !frame });
}

/** Starts a proxy on a random 127.0.0.1 port; `connection()` makes the hooks of each new client. */
export async function startFrameProxy(upstreamUrl: string, connection: () => FrameHooks): Promise<FrameProxy> {
  const upstreams = new WeakMap<IncomingMessage, WebSocket>();
  const server = new WebSocketServer({
    host: '127.0.0.1',
    port: 0,
    handleProtocols: (protocols) => [...protocols][0] ?? false,
    // Accept the client only once the router accepted us (see the header).
    verifyClient: ({ req }, done) => {
      const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
        .split(',')
        .map((p) => p.trim())
        .filter(Boolean);
      const upstream = new WebSocket(upstreamUrl, protocols);
      upstream.once('open', () => {
        upstreams.set(req, upstream);
        done(true);
      });
      upstream.once('error', () => done(false, 502, 'router unreachable'));
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });

  server.on('connection', (client, req) => {
    const upstream = upstreams.get(req)!;
    upstreams.delete(req);
    const hooks = connection();
    const send = (to: WebSocket) => (frame: Frame) => to.readyState === WebSocket.OPEN && to.send(JSON.stringify(frame));
    const io: FrameIo = { client: send(client), router: send(upstream) };
    client.on('error', () => undefined); // 'close' follows
    upstream.on('error', () => undefined);
    client.on('message', (data, isBinary) => relay(data, isBinary, (f) => hooks.up(f, io), upstream));
    upstream.on('message', (data, isBinary) => relay(data, isBinary, (f) => hooks.down(f, io), client));
    // A clean close (e.g. a kill's GOODBYE + close 1000) stays clean; a router drop stays a drop.
    upstream.on('close', (code) => (forwardable(code) ? client.close(code) : client.terminate()));
    client.on('close', () => upstream.terminate());
  });

  const { port } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${port}`,
    port,
    async close() {
      for (const ws of server.clients) ws.terminate();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
