import { build } from 'esbuild';
import zlib from 'node:zlib';
for (const what of process.argv.slice(2)) {
  const r = await build({ stdin: { contents: `export ${what} from './src/index.ts'`, resolveDir: process.cwd(), loader: 'ts' }, bundle: true, minify: true, write: false, format: 'esm', external: ['rxjs'], metafile: true, target: 'es2022' });
  const out = Object.values(r.metafile.outputs)[0];
  console.log(what, 'total min', r.outputFiles[0].contents.length, 'gz', zlib.gzipSync(r.outputFiles[0].contents).length);
  console.log(Object.entries(out.inputs).sort((a,b)=>b[1].bytesInOutput-a[1].bytesInOutput).map(([k,v])=>`  ${v.bytesInOutput}\t${k}`).join('\n'));
}
