/**
 * The prelude's ops, each defined once as a lowering to IR builders. Both
 * paths read this table: the eager run (a model file under tsx) builds the
 * lowering over its arguments and evaluates it with the reference
 * evaluator, and the TypeScript front end calls the same lowering on the
 * nodes of the model. So an op means the same thing in both.
 *
 * Each op lists the kind of each argument: tensors become nodes, static
 * arguments (axes, shapes, sizes) must be known at compile time.
 */
import { apply, constant, select } from '../ir/build.ts';
import {
  broadcastTo, concat, gather, oneHot, pad, reshape, slice, sum, transpose,
} from '../ir/buildTensor.ts';
import type { Node } from '../ir/node.ts';
import {
  dot, elu, gelu, leakyRelu, logSoftmax, logsumexp, matmulAny, max, mean, min, mse, norm, outer,
  softmax, softmaxCrossEntropy, stack,
} from './builders/nn.ts';
import type { ApplyOp } from '../ir/ops.ts';
import type { Dim } from '../ir/shape.ts';

/**
 * What an argument position accepts. `tensor`: a number or tensor (booleans
 * read as 0/1); `cond`: a boolean or a comparison result (numbers are true
 * when nonzero); `tensors`: an array of tensors; the rest are static.
 */
export type ArgKind =
  | 'tensor' | 'cond' | 'tensors'
  | 'axes?' | 'int' | 'number?' | 'bool?' | 'shape' | 'perm?' | 'reduction?';

/** An argument after conversion: nodes for tensors, plain values for static arguments. */
export type ArgValue = Node | readonly Node[] | number | readonly Dim[] | boolean | string | undefined;

export interface PreludeOp {
  readonly args: readonly ArgKind[];
  readonly lower: (args: readonly ArgValue[]) => Node;
  /**
   * For a loss that is convex in one tensor argument (the model's outputs z,
   * e.g. logits): that argument's index. A model function returning such a
   * call gets a Gauss-Newton product Jᵀ H_L J v with J = ∂z/∂θ.
   */
  readonly convexIn?: number;
}

/** Booleans used as numbers are 1 or 0. */
export const asNumber = (n: Node): Node => (n.dtype === 'bool' ? select(n, constant(1), constant(0)) : n);
/** Numbers used as conditions are true when nonzero. */
export const asBool = (n: Node): Node => (n.dtype === 'bool' ? n : apply('ne', n, constant(0)));

const node = (v: ArgValue): Node => v as Node;
const axesOf = (v: ArgValue): number[] | undefined => (v === undefined ? undefined : [...(v as readonly number[])]);
const dims = (v: ArgValue): Dim[] => [...(v as readonly Dim[])];
const numOr = (v: ArgValue, fallback: number): number => (v === undefined ? fallback : (v as number));

const unary = (op: ApplyOp): PreludeOp => ({ args: ['tensor'], lower: ([x]) => apply(op, node(x)) });
const binary = (op: ApplyOp): PreludeOp => ({ args: ['tensor', 'tensor'], lower: ([a, b]) => apply(op, node(a), node(b)) });
const logical = (op: ApplyOp): PreludeOp => ({ args: ['cond', 'cond'], lower: ([a, b]) => apply(op, node(a), node(b)) });
const composed = (kinds: readonly ArgKind[], lower: (args: readonly ArgValue[]) => Node): PreludeOp => ({ args: kinds, lower });

/** A reduction over `axis` (a number or a list; all axes when omitted), optionally keeping the reduced axes. */
const reduction = (f: (x: Node, axes: number[] | undefined, keepDims: boolean) => Node): PreludeOp => ({
  args: ['tensor', 'axes?', 'bool?'],
  lower: ([x, axes, keep]) => f(node(x), axesOf(axes), keep === true),
});

export const PRELUDE_OPS = {
  // elementwise arithmetic, broadcasting like NumPy
  add: binary('add'),
  sub: binary('sub'),
  mul: binary('mul'),
  div: binary('div'),
  pow: binary('pow'),
  neg: unary('neg'),
  atan2: binary('atan2'),
  hypot: binary('hypot'),
  /** Elementwise maximum and minimum of two tensors (max/min reduce). */
  maximum: binary('max'),
  minimum: binary('min'),
  square: composed(['tensor'], ([x]) => apply('mul', node(x), node(x))),
  clamp: composed(['tensor', 'tensor', 'tensor'], ([x, lo, hi]) => apply('min', apply('max', node(x), node(lo)), node(hi))),
  // elementary functions
  exp: unary('exp'),
  log: unary('log'),
  log1p: unary('log1p'),
  expm1: unary('expm1'),
  sqrt: unary('sqrt'),
  cbrt: unary('cbrt'),
  sin: unary('sin'),
  cos: unary('cos'),
  tan: unary('tan'),
  asin: unary('asin'),
  acos: unary('acos'),
  atan: unary('atan'),
  sinh: unary('sinh'),
  cosh: unary('cosh'),
  tanh: unary('tanh'),
  asinh: unary('asinh'),
  acosh: unary('acosh'),
  atanh: unary('atanh'),
  abs: unary('abs'),
  sign: unary('sign'),
  /** The value unchanged, with a zero derivative: cuts a path for differentiation (truncated BPTT, targets). */
  stopGradient: unary('stopGradient'),
  // activations
  relu: unary('relu'),
  sigmoid: unary('sigmoid'),
  softplus: unary('softplus'),
  leakyRelu: composed(['tensor', 'number?'], ([x, slope]) => leakyRelu(node(x), numOr(slope, 0.01))),
  elu: composed(['tensor', 'number?'], ([x, alpha]) => elu(node(x), numOr(alpha, 1))),
  gelu: composed(['tensor'], ([x]) => gelu(node(x))),
  // comparisons and logic: boolean tensors, for where()
  lt: binary('lt'),
  le: binary('le'),
  gt: binary('gt'),
  ge: binary('ge'),
  eq: binary('eq'),
  ne: binary('ne'),
  and: logical('and'),
  or: logical('or'),
  not: composed(['cond'], ([c]) => apply('not', node(c))),
  where: composed(['cond', 'tensor', 'tensor'], ([c, a, b]) => select(node(c), node(a), node(b))),
  // reductions
  sum: reduction((x, axes, keep) => sum(x, axes, keep)),
  mean: reduction((x, axes, keep) => mean(x, axes, keep)),
  max: reduction((x, axes, keep) => max(x, axes, keep)),
  min: reduction((x, axes, keep) => min(x, axes, keep)),
  logsumexp: reduction((x, axes, keep) => logsumexp(x, axes, keep)),
  norm: reduction((x, axes, keep) => norm(x, axes, keep)),
  // linear algebra
  matmul: composed(['tensor', 'tensor'], ([a, b]) => matmulAny(node(a), node(b))),
  dot: composed(['tensor', 'tensor'], ([a, b]) => dot(node(a), node(b))),
  outer: composed(['tensor', 'tensor'], ([a, b]) => outer(node(a), node(b))),
  transpose: composed(['tensor', 'perm?'], ([x, perm]) => transpose(node(x), axesOf(perm))),
  // softmax family and losses
  softmax: composed(['tensor', 'number?'], ([x, axis]) => softmax(node(x), numOr(axis, -1))),
  logSoftmax: composed(['tensor', 'number?'], ([x, axis]) => logSoftmax(node(x), numOr(axis, -1))),
  softmaxCrossEntropy: {
    ...composed(['tensor', 'tensor', 'reduction?'], ([z, labels, r]) => softmaxCrossEntropy(node(z), node(labels), r === 'sum' ? 'sum' : 'mean')),
    convexIn: 0,
  },
  mse: { ...composed(['tensor', 'tensor'], ([p, t]) => mse(node(p), node(t))), convexIn: 0 },
  // shapes and indexing
  reshape: composed(['tensor', 'shape'], ([x, shape]) => reshape(node(x), dims(shape))),
  broadcastTo: composed(['tensor', 'shape'], ([x, shape]) => broadcastTo(node(x), dims(shape))),
  concat: composed(['tensors', 'int'], ([xs, axis]) => concat(xs as readonly Node[], axis as number)),
  stack: composed(['tensors', 'number?'], ([xs, axis]) => stack(xs as readonly Node[], numOr(axis, 0))),
  slice: composed(['tensor', 'int', 'int', 'int'], ([x, axis, start, end]) => slice(node(x), axis as number, start as number, end as number)),
  pad: composed(['tensor', 'int', 'int', 'int'], ([x, axis, before, after]) => pad(node(x), axis as number, before as number, after as number)),
  gather: composed(['tensor', 'tensor'], ([table, indices]) => gather(node(table), node(indices))),
  oneHot: composed(['tensor', 'int'], ([indices, depth]) => oneHot(node(indices), depth as number)),
  // constants of a shape
  zeros: composed(['shape'], ([shape]) => constant(0, dims(shape))),
  ones: composed(['shape'], ([shape]) => constant(1, dims(shape))),
  full: composed(['shape', 'tensor'], ([shape, value]) => broadcastTo(node(value), dims(shape))),
} satisfies Record<string, PreludeOp>;

export type PreludeOpName = keyof typeof PRELUDE_OPS;

export function isPreludeOp(name: string): name is PreludeOpName {
  return Object.hasOwn(PRELUDE_OPS, name);
}
