/**
 * The published declarations (dist/index.d.mts and .d.cts) as a user's compiler reads them: the
 * lib they need is referenced, no internals, and their TSDoc cites nothing a user does not have.
 * That they type-check in real consumer projects is test/package/stranger.test.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');
const ESM = path.join(ROOT, 'dist', 'index.d.mts');
const CJS = path.join(ROOT, 'dist', 'index.d.cts');
/**
 * Citations of repository files still in TSDoc under src/live/ (being rewritten elsewhere; remove
 * each entry when its citation goes). Nothing may be added here.
 */

let esm: string;

beforeAll(async () => {
  // `npm test` builds first; a lone `npx jest test/types` may not have.
  if (!existsSync(ESM)) await promisify(execFile)('npx', ['rollup', '-c'], { cwd: ROOT });
  esm = readFileSync(ESM, 'utf8');
}, 120_000);

test('they reference the lib that declares Symbol.dispose, so they check without @types/node (TypeScript 5.2+)', () => {
  expect(esm.split('\n')[0]).toBe('/// <reference lib="esnext.disposable" />');
  expect(esm).toContain('Symbol.dispose');
  expect(readFileSync(CJS, 'utf8')).toBe(esm);
});

test('no internals: no @internal member, no TopicStream, no LiveSource', () => {
  expect(esm).not.toMatch(/@internal|\bTopicStream\b|\bLiveSource\b/);
});

test('TSDoc cites no file a user does not get (source files, repository documents, design sections)', () => {
  const citations = [...esm.matchAll(/[\w./-]+\.(?:md|ts|json)\b(?: ?§ ?\d+)?|§ ?\d+/g)].map((m) => m[0]);
  expect(citations).toEqual([]);
});
