/**
 * Crossbar-shaped session details for the in-process benchmarks, as Crossbar 22.6.1 really sent
 * them (test/fixtures/crossbar): the `on_join` payload (02_on_join.json, first EVENT: args
 * `[details]`) and the `get` answer (05_session_get.json, first RESULT: args `[details]`), with the
 * session id (and, where asked, the authid) varied. Each call parses a fresh copy, as autobahn
 * does for every frame, so no nested object or string is shared between sessions.
 */
import { readFileSync } from 'node:fs';

interface Capture {
  wire: Array<{ type: string; msg: unknown[] }>;
}

/** The first args element of the first `type` frame of a capture, as JSON text: what arrives on the wire. */
function captured(file: string, type: 'EVENT' | 'RESULT', argsAt: number): string {
  const capture = JSON.parse(readFileSync(new URL(`../test/fixtures/crossbar/${file}`, import.meta.url), 'utf8')) as Capture;
  const frame = capture.wire.find((f) => f.type === type);
  if (!frame) throw new Error(`${file}: no ${type} frame`);
  return JSON.stringify((frame.msg[argsAt] as unknown[])[0]);
}

/** on_join: EVENT [36, sub, pub, details, args]. */
const JOIN_JSON = captured('02_on_join.json', 'EVENT', 4);
/** get: RESULT [50, request, details, args]. */
const GET_JSON = captured('05_session_get.json', 'RESULT', 3);

export type Details = Record<string, unknown> & { session: number };

const TEMPLATE = JSON.parse(JOIN_JSON) as Details;

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
export function shallowDetails(id: number, authid?: string): Details {
  return authid === undefined ? { ...TEMPLATE, session: id } : { ...TEMPLATE, session: id, authid };
}

function fresh(json: string, id: number, authid: string | undefined): Details {
  const details = JSON.parse(json) as Details;
  details.session = id;
  if (authid !== undefined) details.authid = authid;
  return details;
}

/** The `on_join` details, a fresh copy. */
export function crossbarDetails(id: number, authid?: string): Details {
  return fresh(JOIN_JSON, id, authid);
}

/** The `get` answer's details (~1.1 KB of JSON), a fresh copy. */
export function crossbarGetDetails(id: number, authid?: string): Details {
  return fresh(GET_JSON, id, authid);
}
