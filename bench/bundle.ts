/**
 * Benchmark 5: bundle size, peers (rxjs) excluded. What a user's bundler ships: dist/index.mjs
 * bundled and minified by esbuild (the one tsx brings), whole and tree-shaken to `SessionMeta`
 * alone, then gzip -9 and brotli (size-limit's default) with node:zlib.
 */
import { build, version } from 'esbuild';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';

export interface BundleRow {
  readonly entry: string;
  readonly minBytes: number;
  readonly gzipBytes: number;
  readonly brotliBytes: number;
}

export interface BundleResult {
  readonly esbuild: string;
  /** dist/index.mjs as published (unminified). */
  readonly distBytes: number;
  readonly rows: BundleRow[];
}

const DIST = fileURLToPath(new URL('../dist/index.mjs', import.meta.url));

async function measure(entry: string): Promise<BundleRow> {
  const result = await build({
    stdin: { contents: entry, resolveDir: fileURLToPath(new URL('.', import.meta.url)), loader: 'js' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    external: ['rxjs', 'rxjs/*', 'typed-emitter'],
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

export async function benchBundle(): Promise<BundleResult> {
  return {
    esbuild: version,
    distBytes: readFileSync(DIST).length,
    rows: [await measure("export * from '../dist/index.mjs';"), await measure("export { SessionMeta } from '../dist/index.mjs';")],
  };
}
