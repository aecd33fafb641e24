/** The Crossbar.io 22.6.1 captures (copied from ../shared/fixtures/crossbar; data only). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const DIR = join(__dirname, '..', 'fixtures', 'crossbar');

export interface CapturedCall {
  scenario: string;
  conn: string;
  procedure: string;
  note: string;
  call: unknown[];
  response: unknown[] | string | null;
  autobahn_js_outcome: { ok: true; result: { value: unknown } } | { ok: false; error: { error: string; args: unknown[]; kwargs: Record<string, unknown> } } | { ok: null; no_response_within_ms: number };
}

export interface CapturedEvent {
  scenario: string;
  conn: string;
  topic: string;
  event: unknown[];
}

export interface CrossbarIndex {
  calls: CapturedCall[];
  events: CapturedEvent[];
  received_goodbye_or_abort: { scenario: string; conn: string; received: unknown[]; autobahn_js_onclose: { reason: string; details: Record<string, unknown> } }[];
}

export function loadIndex(): CrossbarIndex {
  return JSON.parse(readFileSync(join(DIR, 'index.json'), 'utf8')) as CrossbarIndex;
}

export function loadScenario<T = Record<string, unknown>>(file: string): T {
  return JSON.parse(readFileSync(join(DIR, file), 'utf8')) as T;
}
