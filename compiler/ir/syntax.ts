/**
 * How an op is written, declaratively, for the two printers: TypeScript (the
 * emitted kernels) and math text (`gradc diff --format text`, explanations).
 */
export type Form =
  | { readonly kind: 'infix'; readonly symbol: string; readonly prec: number; readonly assoc: 'left' | 'right' }
  | { readonly kind: 'prefix'; readonly symbol: string; readonly prec: number }
  /** `name(operands…, trailing…)`: trailing arguments are fixed text, as in `Math.max(x, 0)`. */
  | { readonly kind: 'call'; readonly name: string; readonly trailing?: readonly string[] }
  | { readonly kind: 'ternary' };

export interface Syntax {
  readonly ts: Form;
  readonly math: Form;
}

/** Operator precedence, higher binds tighter (JavaScript's numbering). */
export const PREC = {
  ternary: 2,
  or: 3,
  and: 4,
  equality: 8,
  relational: 9,
  additive: 11,
  multiplicative: 12,
  /** `**` in TypeScript; its left operand may not be a unary expression. */
  tsPower: 13,
  tsUnary: 14,
  /** mathjs: unary minus binds looser than `^`, so `-x^2` is `-(x^2)`. */
  mathUnary: 13,
  mathPower: 14,
  atom: 20,
} as const;

const infix = (symbol: string, prec: number, assoc: 'left' | 'right' = 'left'): Form => ({
  kind: 'infix',
  symbol,
  prec,
  assoc,
});

/** The same infix operator in both printers. */
export const sameInfix = (symbol: string, prec: number): Syntax => ({
  ts: infix(symbol, prec),
  math: infix(symbol, prec),
});

export const infixSyntax = (ts: string, math: string, prec: number): Syntax => ({
  ts: infix(ts, prec),
  math: infix(math, prec),
});

export const powerSyntax: Syntax = {
  ts: infix('**', PREC.tsPower, 'right'),
  math: infix('^', PREC.mathPower, 'right'),
};

export const prefixSyntax = (ts: string, math: string): Syntax => ({
  ts: { kind: 'prefix', symbol: ts, prec: PREC.tsUnary },
  math: { kind: 'prefix', symbol: math, prec: PREC.mathUnary },
});

/** `Math.<name>` in TypeScript, `<name>` in math text. */
export const mathCall = (name: string): Syntax => ({
  ts: { kind: 'call', name: `Math.${name}` },
  math: { kind: 'call', name },
});

/** A helper function emitted into the module (see `helpers.ts`). */
export const helperCall = (name: string): Syntax => ({
  ts: { kind: 'call', name },
  math: { kind: 'call', name },
});

export const ternarySyntax: Syntax = { ts: { kind: 'ternary' }, math: { kind: 'ternary' } };
