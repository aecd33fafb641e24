/**
 * Crossbar-shaped session details for the in-process benchmarks: the `on_join` payload Crossbar
 * 22.6.1 really sent (test/fixtures/crossbar/02_on_join.json, first EVENT: args `[details]`),
 * with the session id varied. Each call parses a fresh copy, as autobahn does for every frame,
 * so no nested object or string is shared between sessions.
 */
import { readFileSync } from 'node:fs';

interface Capture {
  wire: Array<{ type: string; msg: unknown[] }>;
}

const capture = JSON.parse(readFileSync(new URL('../test/fixtures/crossbar/02_on_join.json', import.meta.url), 'utf8')) as Capture;
const event = capture.wire.find((frame) => frame.type === 'EVENT');
if (!event) throw new Error('02_on_join.json: no EVENT frame');
/** The details dict as JSON text: what arrives on the wire. */
const DETAILS_JSON = JSON.stringify((event.msg[4] as unknown[])[0]);

export type Details = Record<string, unknown> & { session: number };

const TEMPLATE = JSON.parse(DETAILS_JSON) as Details;

/**
 * Distinct ids around 2^52 like Crossbar's (never repeated for i < 4.5 billion), so Map keys are
 * heap numbers as with a real router.
 */
export function sessionId(i: number): number {
  const id = 2 ** 52 + i * 1_000_003;
  if (!Number.isSafeInteger(id) || id > 2 ** 53) throw new Error(`sessionId(${i}): out of the WAMP id range`);
  return id;
}

/** A fresh top-level dict sharing the nested ones (authextra, transport): cheap timed payloads. */
export function shallowDetails(id: number): Details {
  return { ...TEMPLATE, session: id };
}

export function crossbarDetails(id: number): Details {
  const details = JSON.parse(DETAILS_JSON) as Details;
  details.session = id;
  return details;
}
