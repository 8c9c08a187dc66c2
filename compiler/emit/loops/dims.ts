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

/** Σ index[k] · stride[k], leaving out zero strides and unit factors. */
export function indexExpr(indices: readonly string[], strides: readonly string[], base = ''): string {
  const terms: string[] = base === '' || base === '0' ? [] : [base];
  indices.forEach((ix, k) => {
    const s = strides[k]!;
    if (s === '0') return;
    terms.push(s === '1' ? ix : `${ix} * ${needsParens(s) ? `(${s})` : s}`);
  });
  return terms.length === 0 ? '0' : terms.join(' + ');
}

/** Symbols used by a list of shapes, sorted: the kernel's size parameters. */
export function symbolsOf(shapes: readonly Shape[]): string[] {
  const out = new Set<string>();
  for (const s of shapes) for (const d of s) if (typeof d === 'string') out.add(identifier(d));
  return [...out].sort();
}
