/**
 * A fleet of idle autobahn clients, in its own process so that holding thousands of sessions
 * costs the measuring process nothing. Command `{ grow: n }` opens clients until n are open and
 * answers `{ open, ms }`. Exits (dropping every socket) when stdin closes.
 */
import '../test/helpers/websocket-global';
import autobahn from 'autobahn';
import { performance } from 'node:perf_hooks';
import { connectClient, type TestClient } from '../test/helpers/fox-router';
import { emit, serve } from './procs';

autobahn.log.warn = () => {}; // one warning per close otherwise

/** Joins in flight: enough to keep fox busy (it handles ~900 joins/s), few enough not to time out. */
const OPENING = 32;

const url = process.argv[2];
if (!url) throw new Error('usage: fleet-process.ts ws://host:port');
const clients: TestClient[] = [];

async function grow(target: number): Promise<{ open: number; ms: number }> {
  const t0 = performance.now();
  let wanted = target - clients.length;
  const opener = async (): Promise<void> => {
    while (wanted > 0) {
      wanted--;
      clients.push(await connectClient(url as string));
    }
  };
  await Promise.all(Array.from({ length: OPENING }, opener));
  return { open: clients.length, ms: performance.now() - t0 };
}

emit({ ready: true });
serve(
  async (command) => grow((command as { grow: number }).grow),
  () => undefined, // exiting drops every socket; the router is stopped right after anyway
);
