/**
 * Type-checks one generated module on its own, under the flags the design
 * promises (`--strict --noUnusedLocals --noUnusedParameters`), in memory.
 * Generated modules import nothing, so the program is the module plus the
 * ES2022 library. Returns the diagnostics as `line:col: message` strings.
 */
import type ts from 'typescript';
import { loadTypeScript, type TypeScript } from './loadTypeScript.ts';

const optionsOf = (typescript: TypeScript): ts.CompilerOptions => ({
  strict: true,
  noUnusedLocals: true,
  noUnusedParameters: true,
  noEmit: true,
  target: typescript.ScriptTarget.ES2022,
  module: typescript.ModuleKind.ESNext,
  lib: ['lib.es2022.d.ts'],
  types: [],
});

const VIRTUAL = '/virtual/module.grad.ts';

/** The library files, parsed once per process: they are most of the work of a check. */
const libraryFiles = new Map<string, ts.SourceFile | undefined>();

export function typeCheckModule(source: string): string[] {
  const ts = loadTypeScript();
  const options = optionsOf(ts);
  const host = ts.createCompilerHost(options);
  const { getSourceFile, fileExists, readFile } = host;
  host.readFile = (f) => (f === VIRTUAL ? source : readFile.call(host, f));
  host.fileExists = (f) => f === VIRTUAL || fileExists.call(host, f);
  host.getSourceFile = (f, lang, ...rest) =>
    f === VIRTUAL ? ts.createSourceFile(f, source, lang) : cached(f, () => getSourceFile.call(host, f, lang, ...rest));
  const program = ts.createProgram([VIRTUAL], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file !== undefined && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start) : undefined;
    const at = where === undefined ? '' : `${where.line + 1}:${where.character + 1}: `;
    return `${at}${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`;
  });
}

function cached(file: string, read: () => ts.SourceFile | undefined): ts.SourceFile | undefined {
  if (!libraryFiles.has(file)) libraryFiles.set(file, read());
  return libraryFiles.get(file);
}
