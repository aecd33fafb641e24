/**
 * A tiny static file server for the browser dashboard (node:http, no dependencies), on 127.0.0.1.
 *
 *   npx tsx examples/browser-dashboard/serve.ts [--port 8000]
 *   → open http://127.0.0.1:8000/examples/browser-dashboard/?url=ws://127.0.0.1:8080/ws&realm=realm1
 *
 * It serves the repository root, but only what the page needs: the page itself, the SDK's browser
 * build (dist/browser/, `npm run build` first) and autobahn-browser. Everything else is 404.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import path from 'node:path';

/**
 * The repository root: the nearest folder up from here holding this package's package.json.
 * "Here" is `__dirname` under jest (CommonJS); run by tsx as an ES module there is neither
 * `__dirname` nor (for jest's sake) `import.meta`, so it is the running script's folder.
 */
function findRoot(): string {
  const start = path.resolve(typeof __dirname === 'string' ? __dirname : path.dirname(process.argv[1] ?? '.'));
  for (let dir = start; ; dir = path.dirname(dir)) {
    try {
      if (JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).name === 'wamp-session-meta') return dir;
    } catch {
      // no (readable) package.json here: keep going up
    }
    if (path.dirname(dir) === dir) throw new Error(`serve.ts: no wamp-session-meta package.json above ${start}`);
  }
}

const ROOT = findRoot();
const PAGE = '/examples/browser-dashboard/';

/** Path prefixes (from the repo root) that may be served. */
const ALLOWED = [
  'examples/browser-dashboard/',
  'dist/browser/',
  'node_modules/autobahn-browser/',
];

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

async function isFile(file: string): Promise<boolean> {
  return (await stat(file).catch(() => null))?.isFile() ?? false;
}

/** The file for a URL path, or null when it is outside what may be served or does not exist. */
async function resolveFile(urlPath: string): Promise<string | null> {
  let relative: string;
  try {
    relative = path.posix.normalize(decodeURIComponent(urlPath)).replace(/^\/+/, '');
  } catch {
    return null; // malformed percent-encoding
  }
  if (relative.endsWith('/') || relative === path.posix.basename(PAGE.slice(0, -1))) relative = `${relative.replace(/\/?$/, '/')}index.html`;
  if (relative.includes('\0') || !ALLOWED.some((prefix) => relative.startsWith(prefix))) return null;
  const file = path.join(ROOT, relative);
  if (!file.startsWith(`${ROOT}${path.sep}`)) return null; // belt and braces against traversal
  return (await isFile(file)) ? file : null;
}

export interface DashboardServer {
  /** The dashboard page: http://127.0.0.1:PORT/examples/browser-dashboard/ (add ?url=…&realm=…). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Starts the server; `port` 0 (default) picks a free one. */
export async function serveDashboard({ port = 0 }: { port?: number } = {}): Promise<DashboardServer> {
  const server: Server = createServer((req, res) => {
    const urlPath = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (urlPath === '/') {
      res.writeHead(302, { Location: PAGE }).end();
      return;
    }
    void resolveFile(urlPath).then(async (file) => {
      if (!file || (req.method !== 'GET' && req.method !== 'HEAD')) {
        res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('not found\n');
        return;
      }
      const body = await readFile(file);
      res.writeHead(200, {
        'Content-Type': MIME[path.extname(file)] ?? 'application/octet-stream',
        'Content-Length': body.length,
        'Cache-Control': 'no-store',
        'X-Content-Type-Options': 'nosniff',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    }, () => res.writeHead(500).end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}${PAGE}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function main(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf('--port');
  const port = at >= 0 ? Number(argv[at + 1]) : 8000;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write('error: --port needs a port number\n');
    process.exitCode = 2;
    return;
  }
  const { url, close } = await serveDashboard({ port });
  process.stdout.write(`dashboard: ${url}?url=ws://127.0.0.1:8080/ws&realm=realm1 (Ctrl-C to stop)\n`);
  const stop = (): void => void close();
  process.once('SIGINT', stop).once('SIGTERM', stop);
}

// Run as a script only (see examples/node-monitor/demo.ts for why this test).
if (/examples[\\/]browser-dashboard[\\/]serve\.ts$/.test(process.argv[1] ?? '')) void main(process.argv.slice(2));
