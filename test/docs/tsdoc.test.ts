import path from 'node:path';
import ts from 'typescript';

/** Every public export and every public class member carries TSDoc with an `@example` (TypeDoc builds from it). */
const ROOT = path.join(__dirname, '..', '..');
const program = ts.createProgram([path.join(ROOT, 'src', 'index.ts')], {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
  lib: ['lib.es2022.d.ts', 'lib.esnext.disposable.d.ts'],
  strict: true,
  noEmit: true,
});
const checker = program.getTypeChecker();
const index = program.getSourceFile(path.join(ROOT, 'src', 'index.ts'));
const moduleSymbol = checker.getSymbolAtLocation(index!)!;

function tags(symbol: ts.Symbol): string[] {
  return symbol.getJsDocTags(checker).map((t) => t.name);
}

function isPublicMember(symbol: ts.Symbol): boolean {
  const declaration = symbol.declarations?.[0];
  if (!declaration || !ts.isClassElement(declaration)) return false;
  if (declaration.name && ts.isPrivateIdentifier(declaration.name)) return false;
  const flags = ts.getCombinedModifierFlags(declaration as ts.Declaration);
  if (flags & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) return false;
  return !tags(symbol).includes('internal') && symbol.getName() !== 'prototype';
}

const missing: string[] = [];
const exported = checker.getExportsOfModule(moduleSymbol);
for (const alias of exported) {
  const symbol = alias.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(alias) : alias;
  if (!tags(symbol).includes('example')) missing.push(alias.getName());
  if (!(symbol.flags & ts.SymbolFlags.Class)) continue;
  const members = [...(symbol.members?.values() ?? []), ...(symbol.exports?.values() ?? [])];
  for (const member of members) {
    if (isPublicMember(member) && !tags(member).includes('example')) missing.push(`${alias.getName()}.${member.getName()}`);
  }
}

test('the public surface is what index.ts exports', () => {
  expect(exported.map((s) => s.getName())).toEqual(expect.arrayContaining(['SessionMeta', 'LiveSessionSet', 'isMetaError', 'KillResult']));
});

test('every public export and class member has TSDoc with an @example', () => {
  expect(missing).toEqual([]);
});
