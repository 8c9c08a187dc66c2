/**
 * Sizes, strides and index expressions as TypeScript text. Numeric
 * dimensions fold at compile time; named dimensions are kernel parameters.
 */
import type { Dim, Shape } from '../../ir/shape.ts';
import { identifier } from '../safeText.ts';

/** The product of `dims` as an expression: numbers folded and written first; named sizes pass the identifier gate. */
export function productExpr(dims: readonly Dim[]): string {
  return productOfTerms(dims.map((d) => (typeof d === 'number' ? d : identifier(d))));
}

/** The product of numbers and expressions the emitter already made (locals, `bound.n`), numbers folded. */
export function productOfTerms(terms: readonly (number | string)[]): string {
  let numeric = 1;
  const symbols: string[] = [];
  for (const d of terms) {
    if (typeof d === 'number') numeric *= d;
    else symbols.push(d);
  }
  if (symbols.length === 0) return String(numeric);
  if (numeric === 0) return '0';
  return (numeric === 1 ? symbols : [String(numeric), ...symbols]).join(' * ');
}

export const sizeExpr = (shape: Shape): string => productExpr(shape);

/** One dimension as an expression: a number, or a named size (which passes the identifier gate). */
export const dimExpr = (d: Dim): string => productExpr([d]);

/** Row-major strides as expressions. */
export function strideExprs(shape: Shape): string[] {
  return shape.map((_, k) => productExpr(shape.slice(k + 1)));
}

/**
 * Strides of `shape` read inside a loop over `target` (aligned from the
 * right): an axis that is missing or stretched from 1 gets stride "0".
 */
export function broadcastStrideExprs(shape: Shape, target: Shape): string[] {
  const own = strideExprs(shape);
  const lead = target.length - shape.length;
  return target.map((d, axis) => {
    const i = axis - lead;
    if (i < 0) return '0';
    return shape[i] === 1 && d !== 1 ? '0' : own[i]!;
  });
}

const needsParens = (e: string) => /[+\-*/]/.test(e);
const isNumeral = (e: string): boolean => /^\d+$/.test(e);

/*
 * Index and size arithmetic is built through plusIndex and timesIndex, which
 * fold as they build: zeros and unit factors vanish and numerals combine, so
 * `x[1 * 1 + i0]`, `fill(0, 20, 20 + 5)` or `new Float64Array(0 + batch)`
 * are never written. Operands are expressions the emitter made (numerals,
 * loop variables, named sizes already through the identifier gate).
 */

/** a + b + …, numerals summed into one (where the first stood), zeros left out. */
export function plusIndex(...terms: readonly string[]): string {
  let numeric = 0;
  let numeralAt = -1;
  const kept: string[] = [];
  for (const t of terms) {
    if (isNumeral(t)) {
      numeric += Number(t);
      if (numeralAt < 0) {
        numeralAt = kept.length;
        kept.push('');
      }
    } else kept.push(t);
  }
  if (numeralAt >= 0) {
    if (numeric === 0) kept.splice(numeralAt, 1);
    else kept[numeralAt] = String(numeric);
  }
  return kept.length === 0 ? '0' : kept.join(' + ');
}

/** a · b: zero if either is, the other if one is 1, numerals multiplied. */
export function timesIndex(a: string, b: string): string {
  if (a === '0' || b === '0') return '0';
  if (b === '1') return a;
  if (a === '1') return b;
  if (isNumeral(a) && isNumeral(b)) return String(Number(a) * Number(b));
  return `${a} * ${/[+-]/.test(b) ? `(${b})` : b}`;
}

/** Σ index[k] · stride[k], leaving out zero strides and unit factors. */
export function indexExpr(indices: readonly string[], strides: readonly string[], base = ''): string {
  const terms: string[] = base === '' ? [] : [base];
  indices.forEach((ix, k) => {
    const s = strides[k]!;
    if (s === '0') return;
    terms.push(s === '1' ? ix : `${ix} * ${needsParens(s) ? `(${s})` : s}`);
  });
  return plusIndex(...terms);
}

/** Symbols used by a list of shapes, sorted: the kernel's size parameters. */
export function symbolsOf(shapes: readonly Shape[]): string[] {
  const out = new Set<string>();
  for (const s of shapes) for (const d of s) if (typeof d === 'string') out.add(identifier(d));
  return [...out].sort();
}
