/**
 * src/normalize.ts builds SessionDetails with a constructor (so V8 keeps every field in the
 * object: 24 bytes less per session, bench/RESULTS.md §1d) instead of growing a `{ session, raw }`
 * literal field by field. This proves the objects are indistinguishable from what the literal
 * version built (kept here as the reference): same own keys in the same order, same values, same
 * prototype, and the same error for the same malformed payload.
 */
import fc from 'fast-check';
import { MalformedPayloadError } from '../../src/errors';
import { toDetails } from '../../src/normalize';
import type { SessionDetails } from '../../src/types';

type Rec = Record<string, unknown>;
const isRecord = (value: unknown): value is Rec => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The literal-growing normalizer src/normalize.ts had before (the behaviour to keep). */
function reference(dict: unknown, procedure: string): SessionDetails {
  const malformed = (what: string): never => {
    throw new MalformedPayloadError(what, dict, { procedure });
  };
  if (!isRecord(dict)) malformed('session details are not an object');
  const d = dict as Rec;
  const session = d.session;
  if (typeof session !== 'number' || !Number.isInteger(session) || session < 1 || session > 2 ** 53) {
    malformed('session id is not an integer in [1, 2^53]');
  }
  const out: Rec = { session, raw: d };
  for (const key of ['authid', 'authrole', 'authmethod', 'authprovider', 'realm']) {
    const value = d[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'string') malformed(`${key} is not a string`);
    out[key] = value;
  }
  for (const key of ['authextra', 'transport']) {
    const value = d[key];
    if (value === undefined || value === null) continue;
    if (!isRecord(value)) malformed(`${key} is not an object`);
    out[key] = value;
  }
  const resumed = d.resumed;
  if (resumed !== undefined && resumed !== null) {
    if (typeof resumed !== 'boolean') malformed('resumed is not a boolean');
    out.resumed = resumed;
  }
  return out as unknown as SessionDetails;
}

function outcome(normalize: typeof toDetails, dict: unknown): { ok: SessionDetails } | { error: string } {
  try {
    return { ok: normalize(dict, 'wamp.session.get') };
  } catch (error) {
    if (!(error instanceof MalformedPayloadError)) throw error;
    return { error: `${error.message} | ${String(error.procedure)} | ${error.payload === dict}` };
  }
}

const anyValue = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.dictionary(fc.string(), fc.string()), fc.array(fc.integer()));
const field = (good: fc.Arbitrary<unknown>) => fc.option(fc.oneof({ weight: 4, arbitrary: good }, { weight: 1, arbitrary: anyValue }), { nil: undefined });
const details = fc.record(
  {
    session: fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 1, max: 2 ** 53 }) }, { weight: 1, arbitrary: anyValue }),
    authid: field(fc.string()),
    authrole: field(fc.string()),
    authmethod: field(fc.string()),
    authprovider: field(fc.string()),
    realm: field(fc.string()),
    authextra: field(fc.dictionary(fc.string(), fc.string())),
    transport: field(fc.dictionary(fc.string(), fc.string())),
    resumed: field(fc.boolean()),
    serializer: field(fc.string()),
  },
  { requiredKeys: [] },
);

test('toDetails builds the same objects, and reports the same errors, as the literal-growing normalizer', () => {
  fc.assert(
    fc.property(fc.oneof({ weight: 20, arbitrary: details }, { weight: 1, arbitrary: anyValue }), (dict) => {
      const got = outcome(toDetails, dict);
      const want = outcome(reference, dict);
      if ('error' in want) return expect(got).toEqual(want);
      if (!('ok' in got)) throw new Error(`toDetails threw where the reference did not: ${JSON.stringify(got)}`);
      expect(Object.keys(got.ok)).toEqual(Object.keys(want.ok));
      expect(got.ok).toStrictEqual(want.ok);
      expect(Object.getPrototypeOf(got.ok)).toBe(Object.prototype);
      expect(got.ok.constructor).toBe(Object);
      expect(got.ok.raw).toBe(dict);
    }),
    { numRuns: 2000 },
  );
});
