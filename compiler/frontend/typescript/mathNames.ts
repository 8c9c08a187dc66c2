/**
 * `Math.*` in a model file: the functions with an IR lowering and the
 * constants. An op's `Math` name comes from the op table (ir/opNames.ts);
 * JavaScript's variadic Math.max/min/hypot fold left, as JavaScript
 * evaluates them, and log2/log10 are composed of ops.
 */
import { opsNamedIn } from '../../ir/opNames.ts';
import type { OpNamedIn } from '../../ir/opNames.ts';
import { foldLeft, functionTable, log10, log2 } from '../functionLowering.ts';
import type { FunctionLowering } from '../functionLowering.ts';

export type MathLowering = FunctionLowering;

/** Math functions of any number of arguments whose op takes two. */
const VARIADIC: Partial<Record<OpNamedIn<'math'>, MathLowering>> = {
  max: foldLeft('max'),
  min: foldLeft('min'),
  hypot: foldLeft('hypot'),
};

/** Math functions composed of several ops: no op's name. */
export const COMPOSED_MATH_LOWERINGS: Readonly<Record<string, MathLowering>> = { log2, log10 };

export const MATH_LOWERINGS: Readonly<Record<string, MathLowering>> = functionTable(opsNamedIn('math'), VARIADIC, COMPOSED_MATH_LOWERINGS);

export const MATH_CONSTANTS: Readonly<Record<string, number>> = {
  PI: Math.PI, E: Math.E, LN2: Math.LN2, LN10: Math.LN10, LOG2E: Math.LOG2E, LOG10E: Math.LOG10E,
  SQRT2: Math.SQRT2, SQRT1_2: Math.SQRT1_2,
};

export const MATH_FUNCTION_NAMES: ReadonlySet<string> = new Set(Object.keys(MATH_LOWERINGS));
export const MATH_CONSTANT_NAMES: ReadonlySet<string> = new Set(Object.keys(MATH_CONSTANTS));
