/**
 * Serves the browser dashboard on 127.0.0.1 (examples/static-server.ts: the page, the SDK build,
 * autobahn-browser, rxjs + tslib, nothing else).
 *
 *   npx tsx examples/browser-dashboard/serve.ts [--port 8000]
 *   → open http://127.0.0.1:8000/examples/browser-dashboard/?url=ws://127.0.0.1:8080/ws&realm=realm1
 */
import { portArgument, serveStatic, type StaticServer } from '../static-server';

export type DashboardServer = StaticServer;

/** Starts the server; `port` 0 (default) picks a free one. `url` is the dashboard page (add ?url=…&realm=…). */
export function serveDashboard({ port = 0 }: { port?: number } = {}): Promise<DashboardServer> {
  return serveStatic({ page: '/examples/browser-dashboard/', port });
}

async function main(argv: readonly string[]): Promise<void> {
  const port = portArgument(argv, 8000);
  if (port === undefined) return;
  const { url, close } = await serveDashboard({ port });
  process.stdout.write(`dashboard: ${url}?url=ws://127.0.0.1:8080/ws&realm=realm1 (Ctrl-C to stop)\n`);
  const stop = (): void => void close();
  process.once('SIGINT', stop).once('SIGTERM', stop);
}

// Run as a script only (see examples/node-monitor/demo.ts for why this test).
if (/examples[\\/]browser-dashboard[\\/]serve\.ts$/.test(process.argv[1] ?? '')) void main(process.argv.slice(2));
