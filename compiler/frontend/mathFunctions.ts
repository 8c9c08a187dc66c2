/**
 * The functions a math expression may call, by their mathjs names, each
 * lowered to IR. Functions outside this table are rejected with a located error.
 */
import { apply, constant, div, log, mul, num, pow } from '../ir/build.ts';
import { sum, transpose } from '../ir/buildTensor.ts';
import type { Node } from '../ir/node.ts';
import { clamp, dot, logSoftmax, logsumexp, max, mean, min, norm, softmax } from './builders/nn.ts';
import type { ApplyOp } from '../ir/ops.ts';
import { ShapeError } from '../ir/shape.ts';

export interface MathFunction {
  /** Accepted argument counts: exact, or a minimum for variadic functions. */
  readonly arity: number | { readonly atLeast: number };
  readonly lower: (args: readonly Node[]) => Node;
}

const op = (name: ApplyOp, arity: number): MathFunction => ({
  arity,
  lower: (args) => apply(name, ...args),
});

/** Folds a variadic call into a left-nested chain of a binary op. */
const chain = (name: ApplyOp): MathFunction => ({
  arity: { atLeast: 1 },
  lower: (args) => args.reduce((acc, a) => apply(name, acc, a)),
});

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

export const MATH_FUNCTIONS: Readonly<Record<string, MathFunction>> = {
  sqrt: op('sqrt', 1),
  cbrt: op('cbrt', 1),
  exp: op('exp', 1),
  // log(x) is the natural logarithm; log(x, b) is log base b, as in mathjs.
  log: {
    arity: { atLeast: 1 },
    lower: (args) => (args.length === 1 ? log(args[0]!) : div(log(args[0]!), log(args[1]!))),
  },
  log1p: op('log1p', 1),
  expm1: op('expm1', 1),
  log2: { arity: 1, lower: ([x]) => div(log(x!), constant(Math.LN2)) },
  log10: { arity: 1, lower: ([x]) => div(log(x!), constant(Math.LN10)) },
  sin: op('sin', 1),
  cos: op('cos', 1),
  tan: op('tan', 1),
  sec: reciprocal('cos'),
  csc: reciprocal('sin'),
  cot: reciprocal('tan'),
  asin: op('asin', 1),
  acos: op('acos', 1),
  atan: op('atan', 1),
  atan2: op('atan2', 2),
  sinh: op('sinh', 1),
  cosh: op('cosh', 1),
  tanh: op('tanh', 1),
  asinh: op('asinh', 1),
  acosh: op('acosh', 1),
  atanh: op('atanh', 1),
  abs: op('abs', 1),
  sign: op('sign', 1),
  min: reduceOrChain((x, axes) => min(x, axes), 'min'),
  max: reduceOrChain((x, axes) => max(x, axes), 'max'),
  sum: reduceOrChain((x, axes) => sum(x, axes), 'add'),
  mean: reduceOrChain((x, axes) => mean(x, axes), null),
  norm: { arity: 1, lower: ([x]) => norm(x!) },
  dot: { arity: 2, lower: ([a, b]) => dot(a!, b!) },
  transpose: { arity: 1, lower: ([x]) => transpose(x!) },
  softmax: { arity: 1, lower: ([x]) => softmax(x!) },
  logSoftmax: { arity: 1, lower: ([x]) => logSoftmax(x!) },
  hypot: chain('hypot'),
  pow: op('pow', 2),
  square: { arity: 1, lower: ([x]) => mul(x!, x!) },
  cube: { arity: 1, lower: ([x]) => pow(x!, num(3)) },
  sigmoid: op('sigmoid', 1),
  softplus: op('softplus', 1),
  relu: op('relu', 1),
  // Not a mathjs function: clamp(x, lo, hi) = min(max(x, lo), hi) with the kink policy of nn.clamp.
  clamp: { arity: 3, lower: ([x, lo, hi]) => clamp(x!, lo!, hi!) },
  logsumexp: {
    arity: { atLeast: 1 },
    lower: (args) => (args.length === 1 && isTensor(args[0]!) ? logsumexp(args[0]!) : apply('logsumexp', ...args)),
  },
};

export const MATH_CONSTANTS: Readonly<Record<string, number>> = {
  pi: Math.PI,
  PI: Math.PI,
  e: Math.E,
  E: Math.E,
  tau: 2 * Math.PI,
  Infinity,
  NaN,
};
