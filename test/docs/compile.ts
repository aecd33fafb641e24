/** Type-check TypeScript sources that live outside the repo's files (README blocks) against src/. */
import path from 'node:path';
import ts from 'typescript';

const ROOT = path.join(__dirname, '..', '..');

/** Ambient modules the snippets may import beyond the SDK: autobahn (test types) and a React shim. */
const AMBIENT = [path.join(ROOT, 'test', 'helpers', 'autobahn.d.ts'), path.join(__dirname, 'react-shim.d.ts')];

export function typeCheck(files: Record<string, string>): string[] {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.esnext.disposable.d.ts'],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    esModuleInterop: true,
    types: ['node'],
    baseUrl: ROOT,
    paths: { 'wamp-session-meta': ['src/index.ts'] },
  };
  const virtual = new Map(Object.entries(files).map(([name, text]) => [path.join(ROOT, 'test', 'docs', name), text]));
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  host.readFile = (name) => virtual.get(name) ?? readFile(name);
  host.fileExists = (name) => virtual.has(name) || fileExists(name);
  const program = ts.createProgram([...virtual.keys(), ...AMBIENT], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .map((d) => `${d.file ? path.relative(ROOT, d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}
