/**
 * A tiny static file server for the browser examples (node:http, no dependencies), on 127.0.0.1.
 * Used by examples/browser-dashboard/serve.ts and examples/presence-service/demo.ts.
 *
 * It serves the repository root, but only what a page needs: the page's own folder,
 * examples/browser-setup.js and browser.css, the SDK's browser build (dist/browser/, one ES module
 * with rxjs inside; `npm run build` first) and autobahn-browser. Everything else is 404.
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
    if (path.dirname(dir) === dir) throw new Error(`static-server.ts: no wamp-session-meta package.json above ${start}`);
  }
}

const ROOT = findRoot();

/** What every page loads besides its own folder (path prefixes from the repo root): browser-setup.js and what it names. */
const ASSETS = ['examples/browser-setup.js', 'examples/browser.css', 'dist/browser/', 'node_modules/autobahn-browser/'];

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

/** The file for a URL path, or null when it is outside `allowed` or does not exist. */
async function resolveFile(urlPath: string, allowed: readonly string[]): Promise<string | null> {
  let relative: string;
  try {
    relative = path.posix.normalize(decodeURIComponent(urlPath)).replace(/^\/+/, '');
  } catch {
    return null; // malformed percent-encoding
  }
  if (relative.endsWith('/')) relative = `${relative}index.html`;
  if (relative.includes('\0') || !allowed.some((prefix) => relative.startsWith(prefix))) return null;
  const file = path.join(ROOT, relative);
  if (!file.startsWith(`${ROOT}${path.sep}`)) return null; // belt and braces against traversal
  if (await isFile(file)) return file;
  return null;
}

export interface StaticServer {
  /** The page: http://127.0.0.1:PORT/examples/<name>/ (add its query string). */
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

export interface StaticServerOptions {
  /** The page's folder as a URL path, e.g. `/examples/browser-dashboard/`; `/` redirects there. */
  readonly page: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
}

/** Serves `page` and the assets it loads. */
export async function serveStatic({ page, port = 0 }: StaticServerOptions): Promise<StaticServer> {
  const allowed = [page.replace(/^\/+/, ''), ...ASSETS];
  const server: Server = createServer((req, res) => {
    const urlPath = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (urlPath === '/' || `${urlPath}/` === page) {
      res.writeHead(302, { Location: page }).end();
      return;
    }
    void resolveFile(urlPath, allowed).then(async (file) => {
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
    url: `http://127.0.0.1:${actual}${page}`,
    port: actual,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** `--port N` from a command line (default `fallback`); undefined and a message on stderr when it is not a port. */
export function portArgument(argv: readonly string[], fallback: number): number | undefined {
  const at = argv.indexOf('--port');
  const port = at >= 0 ? Number(argv[at + 1]) : fallback;
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return port;
  process.stderr.write('error: --port needs a port number\n');
  process.exitCode = 2;
  return undefined;
}
