/**
 * The one gate between text a user wrote and the code gradc generates.
 *
 * A generated module is imported by the user's program (and loaded with
 * `new Function` in-process), so any user text that reached it as code would
 * run. User text — names, comments, source lines, file names, numbers — enters
 * generated code only as one of three typed fragments made here:
 *
 * - `Identifier`: a name checked against a strict grammar (an ECMAScript
 *   IdentifierName without escapes), reserved words, names strict mode forbids
 *   binding, and names objects inherit (`constructor`, `__proto__`, …) refused;
 * - `CommentText`: text safe inside both `// …` and `/* … *\/`: every
 *   ECMAScript line terminator folded to a space, `*\/` broken, bidirectional
 *   controls shown as escapes (so a comment cannot hide what the code does);
 * - `Literal`: a number printed from its value, or a string literal with every
 *   character that could end it or a line escaped.
 *
 * The emitter's specs and helpers take these brands, not plain strings, so
 * passing user text around this file is a type error.
 */
import { renderNumber } from './render.ts';

declare const fragmentKind: unique symbol;
type Fragment<K extends string> = string & { readonly [fragmentKind]: K };

export type Identifier = Fragment<'identifier'>;
export type CommentText = Fragment<'comment'>;
export type Literal = Fragment<'literal'>;

/** A name that cannot be used in generated code, with the reason. */
export class UnsafeNameError extends Error {
  override readonly name = 'UnsafeNameError';
}

// Reserved words of ECMAScript (strict mode and modules included) and of
// TypeScript's declaration syntax where a parameter name would misparse.
const RESERVED_WORDS: ReadonlySet<string> = new Set([
  'await', 'break', 'case', 'catch', 'class', 'const', 'continue', 'debugger', 'default', 'delete',
  'do', 'else', 'enum', 'export', 'extends', 'false', 'finally', 'for', 'function', 'if', 'import',
  'in', 'instanceof', 'new', 'null', 'return', 'super', 'switch', 'this', 'throw', 'true', 'try',
  'typeof', 'var', 'void', 'while', 'with', 'yield', 'let', 'static', 'implements', 'interface',
  'package', 'private', 'protected', 'public',
  // Strict mode forbids binding these; shadowing the others would change what the code means.
  'arguments', 'eval', 'undefined', 'NaN', 'Infinity',
]);

// Names every object inherits: as a property key (`{ __proto__: x }`) or a
// lookup (`point[name]`) they reach Object.prototype instead of the user's value.
const INHERITED_NAMES: ReadonlySet<string> = new Set([...Object.getOwnPropertyNames(Object.prototype), 'prototype']);

// An IdentifierName as ECMAScript defines it, without `\u` escapes: what a
// reader sees is what the engine binds.
const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200C\u200D]*$/u;

/** Why `name` cannot be a name in generated code, or undefined when it can. */
export function identifierProblem(name: string): string | undefined {
  if (name.length === 0) return 'an empty name is not an identifier';
  if (name.length > 200) return `'${name.slice(0, 40)}…' is longer than 200 characters`;
  if (!IDENTIFIER.test(name)) {
    return `'${visible(name)}' is not a plain identifier (letters, digits, _ and $, not starting with a digit, no escapes)`;
  }
  if (RESERVED_WORDS.has(name)) return `'${name}' is a reserved word in JavaScript`;
  if (INHERITED_NAMES.has(name)) return `'${name}' is a name every JavaScript object inherits (Object.prototype.${name})`;
  return undefined;
}

/** `name` as an Identifier; throws UnsafeNameError when it is not one. */
export function identifier(name: string): Identifier {
  const problem = identifierProblem(name);
  if (problem !== undefined) throw new UnsafeNameError(`${problem}; rename it, e.g. to a name of letters and digits`);
  return name as Identifier;
}

/** `prefix + base + suffix` for names derived from a checked one (`fValueAndGradient`, `packF`). */
export function derivedIdentifier(prefix: string, base: Identifier, suffix = ''): Identifier {
  return identifier(`${prefix}${base}${suffix}`);
}

// Line terminators of ECMAScript: LF, CR, LS, PS. `\s` folds the spaces around them.
const LINE_BREAKS = /\s*(?:\r\n|[\n\r\u2028\u2029])\s*/g;
// Explicit bidirectional formatting (Trojan Source): shown, never applied.
const BIDI_CONTROLS = /[\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
// C0 controls and DEL: never meaningful in a comment.
const CONTROLS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/g;

const escapeCode = (c: string): string => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;

/** Text shown to a person (in messages): controls and bidi marks as escapes, on one line. */
export function visible(text: string): string {
  return text.replace(/[\n\r\u2028\u2029]/g, escapeCode).replace(BIDI_CONTROLS, escapeCode).replace(CONTROLS, escapeCode);
}

/** `text` on one line, safe inside `// …` and `/* … *\/`. */
export function comment(text: string): CommentText {
  return text
    .replace(LINE_BREAKS, ' ')
    .replace(BIDI_CONTROLS, escapeCode)
    .replace(CONTROLS, escapeCode)
    .replace(/\*\//g, '*\\/') as CommentText;
}

/** A `// …` line comment. */
export const lineComment = (text: string): string => `// ${comment(text)}`;

/**
 * A JSDoc block of paragraphs; each paragraph's own lines stay lines, every
 * line made safe by `comment`.
 */
export function docComment(paragraphs: readonly string[], indent = ''): string {
  const lines = paragraphs
    .filter((p) => p !== '')
    .flatMap((p, i) => [...(i > 0 ? [''] : []), ...p.split(/\r\n|[\n\r\u2028\u2029]/).map(comment)]);
  if (lines.length === 1) return `${indent}/** ${lines[0]} */`;
  return [`${indent}/**`, ...lines.map((l) => (l === '' ? `${indent} *` : `${indent} * ${l}`)), `${indent} */`].join('\n');
}

/** A number as TypeScript, printed from its value (never from source text). */
export function numberLiteral(value: number): Literal {
  if (typeof value !== 'number') throw new TypeError(`numberLiteral takes a number, got ${typeof value}`);
  const { text } = renderNumber(value, 'f64', 'ts');
  return (text.startsWith('-') ? `(${text})` : text) as Literal;
}

/** A string literal (single-quoted unless asked): backslash, quote, line ends, controls and bidi marks escaped. */
export function stringLiteral(text: string, quote: "'" | '"' = "'"): Literal {
  const body = text
    .replace(/\\/g, '\\\\')
    .replace(quote === "'" ? /'/g : /"/g, `\\${quote}`)
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/[\u2028\u2029]/g, escapeCode)
    .replace(BIDI_CONTROLS, escapeCode)
    .replace(CONTROLS, escapeCode);
  return `${quote}${body}${quote}` as Literal;
}
