/**
 * autobahn for the command: loaded at run time (an optional peer of this package, never a
 * dependency of the SDK), with a WebSocket for the versions that need one.
 *
 * - autobahn ≤ 22 (what `npm install autobahn` gives on Node 20: 26 declares Node ≥ 22) opens its
 *   sockets with its own `ws` when there is no global `WebSocket`.
 * - autobahn 26 only uses the global `WebSocket`: Node 22+ has one, Node 20 has none (and its
 *   experimental one never reports a refused connection). Without one, autobahn 26 reports the
 *   failure only as a close and the process would end quietly; so a global is installed from
 *   `ws`: a subclass with a no-op 'error' listener, since plain `ws` throws on a refused
 *   connection when nobody listens for 'error' (autobahn learns of it from 'close').
 */
/// <reference path="../../autobahn/index.d.ts" />
import { CliFailure } from './exit';

export type Autobahn = typeof import('autobahn');

/** `import(specifier)`; injectable so that tests can take modules away. */
export type ImportModule = (specifier: string) => Promise<unknown>;

export const importModule: ImportModule = (specifier) => import(specifier);

/** The first autobahn major version that relies on a global `WebSocket` in Node. */
const GLOBAL_WEBSOCKET_SINCE = 26;

/** `module.exports` of a CommonJS module, whether it came through `import()` or `require`. */
function commonJsExports<T>(module: unknown): T {
  return ((module as { default?: unknown }).default ?? module) as T;
}

function isNotFound(error: unknown, specifier: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return (
    (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') &&
    typeof message === 'string' &&
    (message.includes(`'${specifier}'`) || message.includes(`"${specifier}"`))
  );
}

type EmitterClass = new (...args: unknown[]) => { on(event: 'error', listener: () => void): unknown };

/** Installs a `ws`-based global `WebSocket` when autobahn needs one and the runtime has none. */
async function ensureWebSocket(autobahn: Autobahn, load: ImportModule): Promise<void> {
  const global = globalThis as { WebSocket?: unknown };
  if (global.WebSocket !== undefined) return;
  const major = Number.parseInt(autobahn.version ?? '', 10);
  if (major < GLOBAL_WEBSOCKET_SINCE) return;
  let ws: unknown;
  try {
    ws = await load('ws');
  } catch (error) {
    if (!isNotFound(error, 'ws')) throw error;
    throw new CliFailure(
      `autobahn ${autobahn.version ?? ''} needs a WebSocket, which Node ${process.versions.node} does not have: ` +
        'npm install ws (or use Node 22+, or autobahn 22: npm install autobahn@22)',
    );
  }
  const WebSocket = commonJsExports<EmitterClass>(ws);
  global.WebSocket = class QuietWebSocket extends WebSocket {
    constructor(...args: unknown[]) {
      super(...args);
      this.on('error', () => undefined); // reported through 'close'; see the header comment
    }
  };
}

/** Loads autobahn (and a WebSocket if it needs one); a clear CliFailure when it is not installed. */
export async function loadAutobahn(load: ImportModule = importModule): Promise<Autobahn> {
  let module: unknown;
  try {
    module = await load('autobahn');
  } catch (error) {
    if (!isNotFound(error, 'autobahn')) throw error;
    throw new CliFailure('wamp-sessions needs autobahn, which is not installed: npm install autobahn');
  }
  const autobahn = commonJsExports<Autobahn>(module);
  await ensureWebSocket(autobahn, load);
  // autobahn console.warn()s every close and reconnect; the command reports those itself.
  autobahn.log.warn = () => undefined;
  return autobahn;
}
