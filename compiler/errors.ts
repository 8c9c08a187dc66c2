/**
 * Errors for bad input. Each names the place (file, line, column), says what
 * is wrong in a whole sentence and, where it can, what to write instead. The
 * CLI prints `format()` and exits with code 2, never a stack trace.
 */
export interface SourceLocation {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export class SourceError extends Error {
  override readonly name: string = 'SourceError';

  constructor(
    message: string,
    readonly location: SourceLocation,
    /** The source line the location is in, shown with a caret under the column. */
    readonly sourceLine: string,
    readonly hint?: string,
  ) {
    super(message);
  }

  format(): string {
    const { file, line, column } = this.location;
    const lines = [
      `${file}:${line}:${column}: error: ${this.message}`,
      `  ${this.sourceLine}`,
      `  ${' '.repeat(Math.max(0, column - 1))}^`,
    ];
    if (this.hint !== undefined) lines.push(this.hint);
    return lines.join('\n');
  }
}

export class ExpressionSyntaxError extends SourceError {
  override readonly name = 'ExpressionSyntaxError';
}
export class UnknownFunctionError extends SourceError {
  override readonly name = 'UnknownFunctionError';
}
export class UnknownVariableError extends SourceError {
  override readonly name = 'UnknownVariableError';
}
export class UnsupportedSyntaxError extends SourceError {
  override readonly name = 'UnsupportedSyntaxError';
}

/** A mistake in how gradc was called (options, arguments), not in a source file. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
