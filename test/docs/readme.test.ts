import { readFileSync } from 'node:fs';
import path from 'node:path';
import { typeCheck } from './compile';

const README = readFileSync(path.join(__dirname, '..', '..', 'README.md'), 'utf8');
const blocks = [...README.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] as string);

test('the README has TypeScript examples', () => {
  expect(blocks.length).toBeGreaterThanOrEqual(5);
});

test('every TypeScript block in the README compiles against the SDK', () => {
  const files = Object.fromEntries(blocks.map((code, i) => [`readme-${i}.ts`, `export {};\n${code}`]));
  expect(typeCheck(files)).toEqual([]);
}, 60_000);
