/**
 * The functions a math expression may call, by their mathjs names, each
 * lowered to IR. An op's function and name come from the op table
 * (ir/opNames.ts); the few whose mathjs meaning is more than one application
 * of the op (log with a base, min/max that reduce a matrix) say so in
 * `SPECIAL`, and functions composed of several ops are `COMPOSED`. Functions
 * outside the table are rejected with a located error.
 */
import { apply, div, log, mul, num, pow } from '../ir/build.ts';
import { diag } from '../ir/buildMatrix.ts';
import { sum, transpose } from '../ir/buildTensor.ts';
import type { Node } from '../ir/node.ts';
import { opsNamedIn } from '../ir/opNames.ts';
import type { OpNamedIn } from '../ir/opNames.ts';
import type { ApplyOp } from '../ir/ops.ts';
import { ShapeError } from '../ir/shape.ts';
import { clamp, dot, logSoftmax, logsumexp, max, mean, min, norm, softmax } from './builders/nn.ts';
import { foldLeft, functionTable, log10, log2 } from './functionLowering.ts';
import type { FunctionLowering } from './functionLowering.ts';

export type MathFunction = FunctionLowering;

const isTensor = (n: Node) => n.shape.length > 0;

/** mathjs numbers the dimension argument of reductions from 1 in expressions. */
function dimension(arg: Node, rank: number): number {
  if (arg.op !== 'const' || !Number.isInteger(arg.value) || arg.value < 1 || arg.value > rank) {
    throw new ShapeError(`the dimension must be a whole number from 1 to ${rank}`);
  }
  return arg.value - 1;
}

/** A reduction of one matrix or vector (optionally along a dimension), else an elementwise chain. */
const reduceOrChain = (
  reduceAll: (x: Node, axes?: number[]) => Node,
  elementwise: ApplyOp | null,
): MathFunction => ({
  arity: { atLeast: 1 },
  lower(args) {
    const [x, d] = args;
    if (args.length <= 2 && isTensor(x!) && (args.length === 1 || !isTensor(d!))) {
      return args.length === 1 ? reduceAll(x!) : reduceAll(x!, [dimension(d!, x!.shape.length)]);
    }
    if (elementwise === null) throw new ShapeError('takes one matrix or vector, and optionally a dimension');
    return args.reduce((acc, a) => apply(elementwise, acc, a));
  },
});

const reciprocal = (of: ApplyOp): MathFunction => ({ arity: 1, lower: ([x]) => div(num(1), apply(of, x!)) });

/** mathjs functions named after an op that do more than apply it. */
const SPECIAL: Partial<Record<OpNamedIn<'mathjs'>, MathFunction>> = {
  // log(x) is the natural logarithm; log(x, b) is log base b, as in mathjs.
  log: {
    arity: { atLeast: 1 },
    lower: (args) => (args.length === 1 ? log(args[0]!) : div(log(args[0]!), log(args[1]!))),
  },
  min: reduceOrChain((x, axes) => min(x, axes), 'min'),
  max: reduceOrChain((x, axes) => max(x, axes), 'max'),
  hypot: foldLeft('hypot'),
  logsumexp: {
    arity: { atLeast: 1 },
    lower: (args) => (args.length === 1 && isTensor(args[0]!) ? logsumexp(args[0]!) : apply('logsumexp', ...args)),
  },
};

/** mathjs functions composed of several ops: no op's name. */
export const COMPOSED_MATH_FUNCTIONS: Readonly<Record<string, MathFunction>> = {
  log2,
  log10,
  sec: reciprocal('cos'),
  csc: reciprocal('sin'),
  cot: reciprocal('tan'),
  sum: reduceOrChain((x, axes) => sum(x, axes), 'add'),
  mean: reduceOrChain((x, axes) => mean(x, axes), null),
  norm: { arity: 1, lower: ([x]) => norm(x!) },
  dot: { arity: 2, lower: ([a, b]) => dot(a!, b!) },
  transpose: { arity: 1, lower: ([x]) => transpose(x!) },
  // A vector's diagonal matrix, or a matrix's diagonal (mathjs's diag without its offset argument).
  diag: { arity: 1, lower: ([x]) => diag(x!) },
  softmax: { arity: 1, lower: ([x]) => softmax(x!) },
  logSoftmax: { arity: 1, lower: ([x]) => logSoftmax(x!) },
  square: { arity: 1, lower: ([x]) => mul(x!, x!) },
  cube: { arity: 1, lower: ([x]) => pow(x!, num(3)) },
  // Not a mathjs function: clamp(x, lo, hi) = min(max(x, lo), hi) with the kink policy of nn.clamp.
  clamp: { arity: 3, lower: ([x, lo, hi]) => clamp(x!, lo!, hi!) },
};

export const MATH_FUNCTIONS: Readonly<Record<string, MathFunction>> = functionTable(opsNamedIn('mathjs'), SPECIAL, COMPOSED_MATH_FUNCTIONS);

export const MATH_CONSTANTS: Readonly<Record<string, number>> = {
  pi: Math.PI,
  PI: Math.PI,
  e: Math.E,
  E: Math.E,
  tau: 2 * Math.PI,
  Infinity,
  NaN,
};
