/**
 * Benchmark 5 (issue 13, goal 4): bundle size. What a user's bundler ships: dist/index.mjs bundled
 * and minified by esbuild (the one tsx brings), then gzip -9 and brotli (size-limit's default)
 * with node:zlib.
 * - Entry points, peers (rxjs, autobahn) external: the whole package, then each public value
 *   export alone (read from dist at run time, so new entry points such as `mirrorPresence` are
 *   measured as soon as they exist), and the error classes alone.
 * - What rxjs adds in a real bundle: a small app (a SessionMeta, a live set, a `sessions$`
 *   subscriber) bundled with rxjs included, minus the same app with rxjs external.
 * - Whether fewer rxjs operators would cut it: every value src/ imports from rxjs (read from the
 *   sources), each bundled alone, what leaving each one out of the full set saves, and the
 *   classes alone (Observable, Subject, ...: the floor with no rxjs operator at all).
 */
import { build, version } from 'esbuild';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export interface Size {
  readonly minBytes: number;
  readonly gzipBytes: number;
  readonly brotliBytes: number;
}

export interface BundleRow extends Size {
  readonly entry: string;
}

export interface RxjsImport {
  readonly name: string;
  /** min+gz of `export { name } from 'rxjs'` alone. */
  readonly aloneGzip: number;
  /** min+gz the full set of src's rxjs imports shrinks by without this one. */
  readonly savedGzip: number;
}

export interface BundleResult {
  readonly esbuild: string;
  /** dist/index.mjs as published (unminified). */
  readonly distBytes: number;
  readonly rows: BundleRow[];
  /** The small app: rxjs bundled, rxjs external (autobahn external in both). */
  readonly app: { readonly withRxjs: Size; readonly withoutRxjs: Size; readonly source: string };
  /** Every rxjs value src imports, all together. */
  readonly rxjsAll: Size;
  /** Only the classes among them (Observable, Subject, ...): what is left with no operator at all. */
  readonly rxjsClasses: { readonly names: string[]; readonly size: Size };
  readonly rxjsImports: RxjsImport[];
}

const DIST = fileURLToPath(new URL('../dist/index.mjs', import.meta.url));
const SRC = fileURLToPath(new URL('../src/', import.meta.url));
const PEERS = ['rxjs', 'rxjs/*', 'autobahn', 'typed-emitter'];

async function measure(entry: string, external: readonly string[] = PEERS): Promise<BundleRow> {
  const result = await build({
    stdin: { contents: entry, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    external: [...external],
    write: false,
    logLevel: 'silent',
  });
  const code = Buffer.from((result.outputFiles[0] as { contents: Uint8Array }).contents);
  return {
    entry,
    minBytes: code.length,
    gzipBytes: gzipSync(code, { level: 9 }).length,
    brotliBytes: brotliCompressSync(code, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
  };
}

/** Every value (not `type`) src/ imports from 'rxjs'. */
function rxjsImports(): string[] {
  const names = new Set<string>();
  const files = readdirSync(SRC, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    for (const [, list] of readFileSync(`${SRC}${file}`, 'utf8').matchAll(/import\s*\{([^}]*)\}\s*from\s*'rxjs'/g)) {
      for (const item of (list as string).split(',').map((s) => s.trim())) if (item && !item.startsWith('type ')) names.add(item);
    }
  }
  return [...names].sort();
}

const APP = `import { SessionMeta } from '../dist/index.mjs';
const meta = SessionMeta.fromConnection(globalThis.connection);
const live = meta.liveSessions({ authroles: ['user'] });
live.sessions$.subscribe((sessions) => console.log(sessions.size, 'online'));`;

const reexport = (names: readonly string[], from: string) => `export { ${names.join(', ')} } from '${from}';`;

export async function benchBundle(): Promise<BundleResult> {
  const exports = Object.keys(await import('../dist/index.mjs')).sort();
  const errors = exports.filter((name) => name.endsWith('Error') || name === 'isMetaError');
  const entries = [
    "export * from '../dist/index.mjs';",
    ...exports.filter((name) => !errors.includes(name)).map((name) => reexport([name], '../dist/index.mjs')),
    reexport(errors, '../dist/index.mjs'),
  ];
  const rows: BundleRow[] = [];
  for (const entry of entries) rows.push(await measure(entry));
  const names = rxjsImports();
  const rxjsAll = await measure(reexport(names, 'rxjs'), []);
  const classes = names.filter((name) => /^[A-Z][a-z]/.test(name));
  const imports: RxjsImport[] = [];
  for (const name of names) {
    const alone = await measure(reexport([name], 'rxjs'), []);
    const without = await measure(reexport(names.filter((n) => n !== name), 'rxjs'), []);
    imports.push({ name, aloneGzip: alone.gzipBytes, savedGzip: rxjsAll.gzipBytes - without.gzipBytes });
  }
  return {
    esbuild: version,
    distBytes: readFileSync(DIST).length,
    rows,
    app: { withRxjs: await measure(APP, ['autobahn']), withoutRxjs: await measure(APP, PEERS), source: APP },
    rxjsAll,
    rxjsClasses: { names: classes, size: await measure(reexport(classes, 'rxjs'), []) },
    rxjsImports: imports.sort((a, b) => b.savedGzip - a.savedGzip),
  };
}
