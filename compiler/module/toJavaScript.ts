/**
 * `--emit js`: a generated module as JavaScript plus its declarations.
 *
 * TypeScript's own transpiler strips the types, because it keeps comments —
 * the "DO NOT EDIT" header and the `// model.ts:line` comments are the
 * point of a readable module, and esbuild's transform drops both. The
 * declarations come from `transpileDeclaration` (isolated declarations):
 * every export of a generated module carries an explicit type, so no type
 * checker is needed. Both are pure functions of the text: deterministic.
 */
import type ts from 'typescript';
import { loadTypeScript, type TypeScript } from '../load/loadTypeScript.ts';

export interface JavaScriptModule {
  readonly js: string;
  readonly dts: string;
}

const optionsOf = (typescript: TypeScript): ts.CompilerOptions => ({
  target: typescript.ScriptTarget.ES2022,
  module: typescript.ModuleKind.ESNext,
  removeComments: false,
  newLine: typescript.NewLineKind.LineFeed,
});

/** The header line(s) every output keeps: `// Code generated … DO NOT EDIT.` and the lint switch. */
function headerOf(source: string): string {
  const lines = source.split('\n');
  const end = lines.findIndex((l) => !l.startsWith('//') && !l.startsWith('/* eslint'));
  return lines.slice(0, end < 0 ? lines.length : end).join('\n');
}

export function toJavaScript(source: string, fileName = 'module.grad.ts'): JavaScriptModule {
  const ts = loadTypeScript();
  const compilerOptions = optionsOf(ts);
  const js = ts.transpileModule(source, { compilerOptions: compilerOptions, fileName, reportDiagnostics: false }).outputText;
  const declared = ts.transpileDeclaration(source, { compilerOptions: compilerOptions, fileName, reportDiagnostics: true });
  const problems = declared.diagnostics ?? [];
  if (problems.length > 0) {
    // Generated code that isolated declarations cannot describe is a bug in the emitter, not the user's model.
    const text = problems.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('\n');
    throw new Error(`internal: the generated module has no isolated declarations:\n${text}`);
  }
  const header = headerOf(source);
  const dts = declared.outputText.startsWith(header) ? declared.outputText : `${header}\n${declared.outputText}`;
  return { js, dts };
}
