/**
 * The prelude's ops, each defined once as a lowering to IR builders. A
 * function that applies one op has its name from the op table
 * (ir/opNames.ts) and takes tensors, or conditions for logic, unless
 * `OP_ARGUMENTS` gives its static arguments; functions composed of several
 * ops are `PRELUDE_COMPOSED`. Both
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
  broadcastTo, concat, gather, oneHot, pad, reduce, reshape, slice, transpose,
} from '../ir/buildTensor.ts';
import {
  arange, diag, diagEmbed, diagonal, linspace, logDetTriangular, lowerTriangular, packLowerTriangular, triangularPart, triangularSolve,
} from '../ir/buildMatrix.ts';
import type { Node } from '../ir/node.ts';
import { opsNamedIn } from '../ir/opNames.ts';
import type { OpNameIn, OpNamedIn } from '../ir/opNames.ts';
import { OP_TABLE } from '../ir/opTable.ts';
import type { ApplyOp } from '../ir/ops.ts';
import type { Dim } from '../ir/shape.ts';
import {
  dot, elu, gelu, leakyRelu, logSoftmax, matmulAny, mean, mse, norm, outer,
  sigmoidBinaryCrossEntropy, softmax, softmaxCrossEntropy, stack,
} from './builders/nn.ts';
import { multigammaln, polygamma } from './builders/special.ts';

/**
 * What an argument position accepts. `tensor`: a number or tensor (booleans
 * read as 0/1); `cond`: a boolean or a comparison result (numbers are true
 * when nonzero); `tensors`: an array of tensors; the rest are static.
 */
export type ArgKind =
  | 'tensor' | 'cond' | 'tensors'
  | 'axes?' | 'int' | 'number?' | 'bool?' | 'bool' | 'shape' | 'perm?' | 'reduction?'
  /** A length: a whole number known at compile time, or a named size read with `x.shape[i]`. */
  | 'size';

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

const composed = (kinds: readonly ArgKind[], lower: (args: readonly ArgValue[]) => Node): PreludeOp => ({ args: kinds, lower });

/** A reduction over `axis` (a number or a list; all axes when omitted), optionally keeping the reduced axes. */
const reduction = (f: (x: Node, axes: number[] | undefined, keepDims: boolean) => Node): PreludeOp => ({
  args: ['tensor', 'axes?', 'bool?'],
  lower: ([x, axes, keep]) => f(node(x), axesOf(axes), keep === true),
});

/** An elementwise op's function: tensors in, or conditions for ops on booleans (and, or, not). */
function elementwiseOp(op: ApplyOp): PreludeOp {
  const { arity, inputTypes } = OP_TABLE[op];
  const kind: ArgKind = inputTypes(0) === 'bool' ? 'cond' : 'tensor';
  const args: ArgKind[] = arity === 1 ? [kind] : [kind, kind];
  return { args, lower: (values) => apply(op, ...values.map(node)) };
}

type Reduction = 'reduceSum' | 'reduceMax' | 'reduceMin' | 'reduceLogSumExp';
const reduceWith = (op: Reduction): PreludeOp => reduction((x, axes, keep) => reduce(op, x, axes, keep));

/** Functions of one op that take more than tensors: axes, shapes, sizes known at compile time. */
const OP_ARGUMENTS: Partial<Record<OpNamedIn<'prelude'>, PreludeOp>> = {
  select: composed(['cond', 'tensor', 'tensor'], ([c, a, b]) => select(node(c), node(a), node(b))),
  // reductions
  reduceSum: reduceWith('reduceSum'),
  reduceMax: reduceWith('reduceMax'),
  reduceMin: reduceWith('reduceMin'),
  reduceLogSumExp: reduceWith('reduceLogSumExp'),
  // shapes and indexing
  transpose: composed(['tensor', 'perm?'], ([x, perm]) => transpose(node(x), axesOf(perm))),
  reshape: composed(['tensor', 'shape'], ([x, shape]) => reshape(node(x), dims(shape))),
  broadcastTo: composed(['tensor', 'shape'], ([x, shape]) => broadcastTo(node(x), dims(shape))),
  concat: composed(['tensors', 'int'], ([xs, axis]) => concat(xs as readonly Node[], axis as number)),
  slice: composed(['tensor', 'int', 'int', 'int'], ([x, axis, start, end]) => slice(node(x), axis as number, start as number, end as number)),
  pad: composed(['tensor', 'int', 'int', 'int'], ([x, axis, before, after]) => pad(node(x), axis as number, before as number, after as number)),
  gather: composed(['tensor', 'tensor'], ([table, indices]) => gather(node(table), node(indices))),
  oneHot: composed(['tensor', 'int'], ([indices, depth]) => oneHot(node(indices), depth as number)),
  // index vectors and structured matrices
  arange: composed(['size'], ([n]) => arange(n as Dim)),
  linspace: composed(['tensor', 'tensor', 'size'], ([a, b, n]) => linspace(node(a), node(b), n as Dim)),
  lowerTriangular: composed(['tensor', 'int'], ([v, d]) => lowerTriangular(node(v), d as number)),
  packLowerTriangular: composed(['tensor'], ([m]) => packLowerTriangular(node(m))),
  diagEmbed: composed(['tensor'], ([v]) => diagEmbed(node(v))),
  diagonal: composed(['tensor'], ([m]) => diagonal(node(m))),
  triangularSolve: composed(['tensor', 'tensor', 'bool'], ([a, b, lower]) => triangularSolve(node(a), node(b), lower === true)),
  // special functions: the order is a whole number known at compile time
  polygamma: composed(['int', 'tensor'], ([n, x]) => polygamma(n as number, node(x))),
};


/** Prelude functions composed of several ops: no op's name. */
export const PRELUDE_COMPOSED = {
  square: composed(['tensor'], ([x]) => apply('mul', node(x), node(x))),
  clamp: composed(['tensor', 'tensor', 'tensor'], ([x, lo, hi]) => apply('min', apply('max', node(x), node(lo)), node(hi))),
  // activations
  leakyRelu: composed(['tensor', 'number?'], ([x, slope]) => leakyRelu(node(x), numOr(slope, 0.01))),
  elu: composed(['tensor', 'number?'], ([x, alpha]) => elu(node(x), numOr(alpha, 1))),
  gelu: composed(['tensor'], ([x]) => gelu(node(x))),
  // reductions
  mean: reduction((x, axes, keep) => mean(x, axes, keep)),
  norm: reduction((x, axes, keep) => norm(x, axes, keep)),
  // linear algebra: matmul also takes vectors, as matrices of one row or column
  matmul: composed(['tensor', 'tensor'], ([a, b]) => matmulAny(node(a), node(b))),
  dot: composed(['tensor', 'tensor'], ([a, b]) => dot(node(a), node(b))),
  outer: composed(['tensor', 'tensor'], ([a, b]) => outer(node(a), node(b))),
  // softmax family and losses
  softmax: composed(['tensor', 'number?'], ([x, axis]) => softmax(node(x), numOr(axis, -1))),
  logSoftmax: composed(['tensor', 'number?'], ([x, axis]) => logSoftmax(node(x), numOr(axis, -1))),
  softmaxCrossEntropy: {
    ...composed(['tensor', 'tensor', 'reduction?'], ([z, labels, r]) => softmaxCrossEntropy(node(z), node(labels), r === 'sum' ? 'sum' : 'mean')),
    convexIn: 0,
  },
  mse: { ...composed(['tensor', 'tensor'], ([p, t]) => mse(node(p), node(t))), convexIn: 0 },
  sigmoidBinaryCrossEntropy: { ...composed(['tensor', 'tensor'], ([z, y]) => sigmoidBinaryCrossEntropy(node(z), node(y))), convexIn: 0 },
  // special functions
  multigammaln: composed(['tensor', 'int'], ([a, d]) => multigammaln(node(a), d as number)),
  stack: composed(['tensors', 'number?'], ([xs, axis]) => stack(xs as readonly Node[], numOr(axis, 0))),
  // structured matrices
  tril: composed(['tensor'], ([m]) => triangularPart(node(m), true)),
  triu: composed(['tensor'], ([m]) => triangularPart(node(m), false)),
  diag: composed(['tensor'], ([x]) => diag(node(x))),
  logDetTriangular: composed(['tensor'], ([l]) => logDetTriangular(node(l))),
  // constants of a shape
  zeros: composed(['shape'], ([shape]) => constant(0, dims(shape))),
  ones: composed(['shape'], ([shape]) => constant(1, dims(shape))),
  full: composed(['shape', 'tensor'], ([shape, value]) => broadcastTo(node(value), dims(shape))),
} satisfies Record<string, PreludeOp>;

export type PreludeOpName = OpNameIn<'prelude'> | keyof typeof PRELUDE_COMPOSED;

export const PRELUDE_OPS: Readonly<Record<PreludeOpName, PreludeOp>> = {
  // Built from the op names, so the entries' keys are the names' union; fromEntries only knows strings.
  ...(Object.fromEntries(
    opsNamedIn('prelude').map(({ op, name }) => [name, OP_ARGUMENTS[op] ?? elementwiseOp(op)]),
  ) as Record<OpNameIn<'prelude'>, PreludeOp>),
  ...PRELUDE_COMPOSED,
};

export function isPreludeOp(name: string): name is PreludeOpName {
  return Object.hasOwn(PRELUDE_OPS, name);
}
