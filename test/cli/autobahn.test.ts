/**
 * How the command loads autobahn: a clear message when it is missing, and a `ws` WebSocket global
 * only for an autobahn that needs one (26+) on a runtime without one (Node 20).
 */
import WebSocket from 'ws';
import { loadAutobahn, type ImportModule } from '../../src/cli/autobahn';

const notFound = (specifier: string) => Object.assign(new Error(`Cannot find package '${specifier}' imported from /x/cli.mjs`), { code: 'ERR_MODULE_NOT_FOUND' });
const fakeAutobahn = (version: string) => ({ version, log: { warn: console.warn, debug: () => undefined }, Connection: class {} });

/** An importer with these modules (as `import()` gives CommonJS ones: under `default`); others are not installed. */
const modules =
  (available: Record<string, unknown>): ImportModule =>
  async (specifier) => {
    if (!(specifier in available)) throw notFound(specifier);
    return { default: available[specifier] };
  };

const global = globalThis as { WebSocket?: unknown };
let saved: unknown;
beforeEach(() => {
  saved = global.WebSocket;
  delete global.WebSocket; // as on Node 20 (jest's setup installs one)
});
afterEach(() => {
  global.WebSocket = saved;
});

test('autobahn missing: one clear message saying what to install', async () => {
  await expect(loadAutobahn(modules({}))).rejects.toThrow('wamp-sessions needs autobahn, which is not installed: npm install autobahn');
});

test('a module autobahn needs that is missing is not reported as autobahn missing', async () => {
  const broken: ImportModule = async () => {
    throw notFound('cbor');
  };
  await expect(loadAutobahn(broken)).rejects.toThrow("Cannot find package 'cbor'");
});

test('autobahn 22 brings its own ws: no global is installed, and its warnings are silenced', async () => {
  const ab = fakeAutobahn('22.11.1');
  expect(await loadAutobahn(modules({ autobahn: ab }))).toBe(ab);
  expect(global.WebSocket).toBeUndefined();
  expect(ab.log.warn).not.toBe(console.warn);
});

test('autobahn 26 without a WebSocket global: a ws subclass that listens for errors', async () => {
  await loadAutobahn(modules({ autobahn: fakeAutobahn('26.3.1'), ws: WebSocket }));
  const Installed = global.WebSocket as typeof WebSocket;
  expect(Installed.prototype).toBeInstanceOf(WebSocket);
  const socket = new Installed('ws://127.0.0.1:1');
  expect(socket.listenerCount('error')).toBe(1); // a refused connection must not crash the process
  await new Promise((resolve) => socket.once('close', resolve));
});

test('autobahn 26 without a WebSocket global and without ws: what to do instead of a silent exit', async () => {
  await expect(loadAutobahn(modules({ autobahn: fakeAutobahn('26.3.1') }))).rejects.toThrow(
    /^autobahn 26\.3\.1 needs a WebSocket, which Node [\d.]+ does not have: npm install ws \(or use Node 22\+, or autobahn 22: npm install autobahn@22\)$/,
  );
});

test('a runtime WebSocket is left alone', async () => {
  const native = class {};
  global.WebSocket = native;
  await loadAutobahn(modules({ autobahn: fakeAutobahn('26.3.1'), ws: WebSocket }));
  expect(global.WebSocket).toBe(native);
});
