/**
 * Side-effect module: installs a `ws`-based `globalThis.WebSocket` for autobahn.
 *
 * autobahn 26 has no WebSocket of its own; it calls `new WebSocket(url, protocols)` on the global
 * (see /work/shared/reference/ROUTERS.md, "autobahn (npm) 26.3.1"):
 * - Node < 22 (CI runs Node 20): no global at all without `--experimental-websocket`, and Node 20's
 *   built-in one never fires `close` on ECONNREFUSED, so autobahn's reconnect loop stalls forever.
 * - Plain `ws` emits 'error' on ECONNREFUSED; with no listener the EventEmitter throws and the
 *   process dies. autobahn only uses `onclose`, which `ws` still fires after the error, so a no-op
 *   'error' listener is all that is missing.
 * - Node 22+ has a working global, but we install the subclass anyway: tests, examples and the bench
 *   then see the same socket (same close/error timing, same wire) on every Node version.
 *
 * Used by jest (`setupFiles`) and imported first by tsx scripts (examples/, bench/).
 */
import WebSocket from 'ws';

class QuietWebSocket extends WebSocket {
  constructor(address: string | URL, protocols?: string | string[], options?: WebSocket.ClientOptions) {
    super(address, protocols, options);
    this.on('error', () => {
      /* reported through onclose; see the header comment */
    });
  }
}

(globalThis as { WebSocket?: unknown }).WebSocket = QuietWebSocket;

export {};
