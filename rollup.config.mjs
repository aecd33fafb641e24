import path from 'node:path';
import { nodeResolve } from '@rollup/plugin-node-resolve';
import terser from '@rollup/plugin-terser';
import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// The peer stays external: users bring their own rxjs (autobahn is never imported by the SDK).
const isRxjs = (id) => id === 'rxjs' || id.startsWith('rxjs/');
const tsconfig = './tsconfig.json';
const INDEX = path.resolve('src/index.ts');
// The first build type-checks src/ (and `npm run typecheck` does); the others only transpile.
const checkedOnce = { declaration: false, noCheck: true };

export default [
  {
    input: 'src/index.ts',
    external: isRxjs,
    plugins: [typescript({ tsconfig, declaration: false, outDir: 'dist' })],
    output: [
      { file: 'dist/index.mjs', format: 'es', sourcemap: true },
      { file: 'dist/index.cjs', format: 'cjs', sourcemap: true },
    ],
  },
  {
    input: 'src/index.ts',
    external: isRxjs,
    // stripInternal: `@internal` members and the types only they use stay out of the public API.
    plugins: [dts({ tsconfig, compilerOptions: { stripInternal: true } })],
    output: [
      // `Symbol.dispose` appears in the declarations: this makes them check without @types/node
      // and whatever `lib` the consumer has (TypeScript ≥ 5.2 knows this lib).
      { file: 'dist/index.d.mts', format: 'es', banner: '/// <reference lib="esnext.disposable" />' },
      { file: 'dist/index.d.cts', format: 'es', banner: '/// <reference lib="esnext.disposable" />' },
    ],
  },
  {
    // The wamp-sessions command. It uses the SDK through the package's own ESM build (one copy of
    // the SDK in the package), rxjs and autobahn as the user installed them, and Node built-ins.
    input: 'src/cli/main.ts',
    plugins: [
      {
        name: 'sdk-as-package-build',
        async resolveId(source, importer) {
          if (!importer) return null;
          const resolved = await this.resolve(source, importer, { skipSelf: true });
          return resolved?.id === INDEX ? { id: './index.mjs', external: 'relative' } : null;
        },
      },
      typescript({ tsconfig, ...checkedOnce, outDir: 'dist' }),
    ],
    external: (id) => isRxjs(id) || id.startsWith('node:'),
    output: { file: 'dist/cli.mjs', format: 'es', banner: '#!/usr/bin/env node' },
  },
  {
    // For pages without a bundler: one ES module with the rxjs parts the SDK uses inside.
    input: 'src/index.ts',
    plugins: [
      nodeResolve({ browser: true, exportConditions: ['es2015'] }),
      typescript({ tsconfig, ...checkedOnce, outDir: 'dist/browser' }),
      terser(),
    ],
    output: { file: 'dist/browser/wamp-session-meta.js', format: 'es' },
  },
];
