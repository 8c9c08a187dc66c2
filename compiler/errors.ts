import { distance } from 'fastest-levenshtein';

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

/*
 * "Did you mean …?" for a name that is not known: the known names closest to
 * it by edit distance. Every error about an unknown name (functions, ops,
 * variables, config keys) asks here, so they all suggest alike.
*/

/** The most suggestions one message offers: more is a list, not a suggestion. */
const MAX_SUGGESTIONS = 3;

/**
 * How far a name may be from a candidate: about two edits in five characters,
 * as TypeScript's own spelling suggestions allow (so `mena` → `mean`, a
 * swap, is two edits of four characters).
 */
const maxDistance = (name: string): number => Math.floor(name.length * 0.4) + 1;

/**
 * Whether `a` becomes `b` by the edits people make most when typing: letters
 * left out or doubled (`sinn` → `sin`), or the same letters in another order
 * (`mena` → `mean`), rather than one letter put for another (`sinh`).
 */
function isLikelyTypo(a: string, b: string, d: number): boolean {
  if (d === Math.abs(a.length - b.length)) return true;
  return a.length === b.length && [...a].sort().join('') === [...b].sort().join('');
}

/**
 * The candidates closest to `name`, best first (ties in the candidates'
 * order), or none when nothing is close. A match that differs only in case
 * wins outright (`Sin` → `sin`); among equally close ones, likely typos win
 * (`sinn` → `sin` before `sinh` and `sign`). A candidate is never close when
 * more than half of the characters would change (`log` is no suggestion for
 * `foo`, nor `y` for `x`).
 */
export function suggest(name: string, candidates: Iterable<string>): string[] {
  const unique = [...new Set(candidates)].filter((c) => c !== name);
  const lower = name.toLowerCase();
  const sameButCase = unique.filter((c) => c.toLowerCase() === lower);
  if (sameButCase.length > 0) return sameButCase.slice(0, MAX_SUGGESTIONS);
  const limit = maxDistance(name);
  const scored = unique
    .map((candidate) => ({ candidate, folded: candidate.toLowerCase() }))
    .map((c) => ({ ...c, d: distance(lower, c.folded) }))
    .filter(({ candidate, d }) => d <= limit && 2 * d <= Math.max(name.length, candidate.length));
  if (scored.length === 0) return [];
  const best = Math.min(...scored.map((s) => s.d));
  const closest = scored.filter((s) => s.d === best);
  const typos = closest.filter((s) => isLikelyTypo(lower, s.folded, s.d));
  return (typos.length > 0 ? typos : closest).map((s) => s.candidate).slice(0, MAX_SUGGESTIONS);
}

/** `a`, `a or b`, `a, b or c`, each quoted. */
function alternatives(names: readonly string[], quote: (name: string) => string): string {
  const quoted = names.map(quote);
  return quoted.length <= 1 ? quoted.join('') : `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]!}`;
}

/**
 * `; did you mean 'mean'?` to append to a message about the unknown `name`,
 * or '' when nothing is close. `quote` writes a suggestion as the message
 * writes names (`Math.sin`, `--check`, …).
 */
export function didYouMean(name: string, candidates: Iterable<string>, quote: (name: string) => string = (n) => `'${n}'`): string {
  const found = suggest(name, candidates);
  return found.length === 0 ? '' : `; did you mean ${alternatives(found, quote)}?`;
}
