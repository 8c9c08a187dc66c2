/**
 * Type-checks in-memory TypeScript sources (generated modules) as one
 * program under the flags generated code promises to pass: strict, no unused
 * locals or parameters, ES2022 and nothing else, optionally with isolated
 * declarations. Returns the diagnostics as `file: message` lines.
 */
import ts from 'typescript';

export interface TypecheckOptions {
  /** Also require explicit types on every export (`.d.ts` from isolated declarations). */
  readonly isolatedDeclarations?: boolean;
}

export function typeErrors(files: ReadonlyMap<string, string>, opts: TypecheckOptions = {}): string[] {
  const options: ts.CompilerOptions = {
    strict: true,
    noUnusedLocals: true,
    noUnusedParameters: true,
    noEmit: true,
    ...(opts.isolatedDeclarations ? { declaration: true, isolatedDeclarations: true } : {}),
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    lib: ['lib.es2022.d.ts'],
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => files.get(f) ?? readFile(f);
  host.fileExists = (f) => files.has(f) || fileExists(f);
  host.getSourceFile = (f, lang, ...rest) => (files.has(f) ? ts.createSourceFile(f, files.get(f)!, lang) : getSourceFile(f, lang, ...rest));
  const program = ts.createProgram([...files.keys()], options, host);
  return ts.getPreEmitDiagnostics(program).map((d) => `${d.file?.fileName ?? ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
}
