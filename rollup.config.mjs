import typescript from '@rollup/plugin-typescript';
import { dts } from 'rollup-plugin-dts';

// The peer stays external: users bring their own rxjs (autobahn is never imported).
const external = (id) => id === 'rxjs' || id.startsWith('rxjs/');

export default [
  {
    input: 'src/index.ts',
    external,
    plugins: [typescript({ tsconfig: './tsconfig.json', declaration: false, outDir: 'dist' })],
    output: [
      { file: 'dist/index.mjs', format: 'es', sourcemap: true },
      { file: 'dist/index.cjs', format: 'cjs', sourcemap: true },
    ],
  },
  {
    input: 'src/index.ts',
    external,
    plugins: [dts({ tsconfig: './tsconfig.json' })],
    output: [
      { file: 'dist/index.d.mts', format: 'es' },
      { file: 'dist/index.d.cts', format: 'es' },
    ],
  },
];
