/**
 * `Math.*` in a model file: the functions with an IR lowering and the
 * constants. Variadic Math.max/min/hypot fold left, as JavaScript evaluates them.
 */
import { apply, constant, div, log } from '../../ir/build.ts';
import type { Node } from '../../ir/node.ts';
import type { ApplyOp } from '../../ir/ops.ts';

export interface MathLowering {
  /** Exact argument count, or the least for variadic functions. */
  readonly arity: number | { readonly atLeast: number };
  readonly lower: (args: readonly Node[]) => Node;
}

const op = (name: ApplyOp, arity: number): MathLowering => ({ arity, lower: (args) => apply(name, ...args) });
const fold = (name: ApplyOp): MathLowering => ({ arity: { atLeast: 1 }, lower: (args) => args.reduce((a, b) => apply(name, a, b)) });

export const MATH_LOWERINGS: Readonly<Record<string, MathLowering>> = {
  abs: op('abs', 1), sign: op('sign', 1), sqrt: op('sqrt', 1), cbrt: op('cbrt', 1),
  exp: op('exp', 1), expm1: op('expm1', 1), log: op('log', 1), log1p: op('log1p', 1),
  log2: { arity: 1, lower: ([x]) => div(log(x!), constant(Math.LN2)) },
  log10: { arity: 1, lower: ([x]) => div(log(x!), constant(Math.LN10)) },
  sin: op('sin', 1), cos: op('cos', 1), tan: op('tan', 1),
  asin: op('asin', 1), acos: op('acos', 1), atan: op('atan', 1), atan2: op('atan2', 2),
  sinh: op('sinh', 1), cosh: op('cosh', 1), tanh: op('tanh', 1),
  asinh: op('asinh', 1), acosh: op('acosh', 1), atanh: op('atanh', 1),
  pow: op('pow', 2),
  max: fold('max'), min: fold('min'), hypot: fold('hypot'),
};

export const MATH_CONSTANTS: Readonly<Record<string, number>> = {
  PI: Math.PI, E: Math.E, LN2: Math.LN2, LN10: Math.LN10, LOG2E: Math.LOG2E, LOG10E: Math.LOG10E,
  SQRT2: Math.SQRT2, SQRT1_2: Math.SQRT1_2,
};

export const MATH_FUNCTION_NAMES: ReadonlySet<string> = new Set(Object.keys(MATH_LOWERINGS));
export const MATH_CONSTANT_NAMES: ReadonlySet<string> = new Set(Object.keys(MATH_CONSTANTS));
