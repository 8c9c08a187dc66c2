/**
 * Located diagnostics for model files. Every mistake becomes a SourceError
 * naming file:line:col, showing the source line with a caret, saying what
 * is wrong and what to write instead; a file's diagnostics are thrown
 * together as one ModelFileError, so a user sees all of them at once.
 */
import { SourceError, UnknownFunctionError, UnknownVariableError, UnsupportedSyntaxError } from '../../errors.ts';
import type { Pos } from './ast.ts';

type ErrorKind = new (message: string, location: SourceError['location'], sourceLine: string, hint?: string) => SourceError;

/** A mistake in a model file that is neither unsupported syntax nor an unknown name: shapes, non-constant sizes, … */
export class ModelSemanticError extends SourceError {
  override readonly name = 'ModelSemanticError';
}

/** A model file TypeScript cannot parse, or one nested too deeply to walk. */
export class ModelSyntaxError extends SourceError {
  override readonly name = 'ModelSyntaxError';
}

export const ERROR_KINDS = {
  syntax: ModelSyntaxError,
  unsupported: UnsupportedSyntaxError,
  unknownFunction: UnknownFunctionError,
  unknownVariable: UnknownVariableError,
  semantic: ModelSemanticError,
} satisfies Record<string, ErrorKind>;

export type ErrorCategory = keyof typeof ERROR_KINDS;

/** Where a diagnostic points: a file's path and lines. */
export interface SourceText {
  readonly path: string;
  readonly lines: readonly string[];
}

export function diagnostic(file: SourceText, at: Pos, message: string, hint?: string, category: ErrorCategory = 'unsupported'): SourceError {
  const Kind = ERROR_KINDS[category];
  return new Kind(message, { file: file.path, line: at.line, column: at.column }, file.lines[at.line - 1] ?? '', hint);
}

/** All diagnostics of a model file (at least one), thrown as one error; the first is the headline. */
export class ModelFileError extends SourceError {
  override readonly name = 'ModelFileError';

  constructor(readonly diagnostics: readonly SourceError[]) {
    const first = diagnostics[0]!;
    super(first.message, first.location, first.sourceLine, first.hint);
  }

  override format(): string {
    const body = this.diagnostics.map((d) => d.format()).join('\n\n');
    const n = this.diagnostics.length;
    return n === 1 ? body : `${body}\n\n${n} errors in ${this.location.file}`;
  }
}

/** A diagnostic thrown from deep inside the lowering, caught per function and collected. */
export class LoweringAbort extends Error {
  constructor(readonly error: SourceError) {
    super(error.message);
  }
}
