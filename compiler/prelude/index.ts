/**
 * gradc/prelude: what a model file (`*.model.ts`) imports. Shaped tensor
 * types for the front end to read, the `Param` marker for differentiated
 * parameters, and every tensor op, implemented eagerly so the model file
 * runs as-is under tsx. Each op is defined once, in the op table
 * (`opTable.ts`), as a lowering to IR; the eager run evaluates that
 * lowering and the compiler compiles it.
 *
 * Scalars are plain numbers: an op whose result has rank 0 returns a
 * number, so losses can be combined with `+`, `*` and `Math.*`.
 */
import { runEager } from './eager.ts';
import type { EagerValue } from './eager.ts';
import type { PreludeOpName } from '../frontend/preludeOps.ts';
import { Tensor } from './tensor.ts';
import type { Dim, Shape } from './tensor.ts';
import { exprTag } from './exprTag.ts';

export { Tensor, tensor } from './tensor.ts';
export type { Dim, Param, Shape } from './tensor.ts';

/** A number or a tensor of any shape. */
export type Value = number | Tensor;
/** An axis or a list of axes; negative axes count from the end. */
export type Axes = number | readonly number[];

const run = (name: PreludeOpName, ...args: unknown[]): EagerValue => runEager(name, args);
/** Rank-0 results are numbers: the narrowing the overloads below promise. */
const tensorOf = <S extends Shape>(v: EagerValue) => v as Tensor<S>;
const numberOf = (v: EagerValue) => v as number;

// ── elementwise arithmetic (broadcasting) ──────────────────────────────────
type Binary = {
  (a: number, b: number): number;
  (a: Value, b: Value): Tensor;
};
const binary = (name: PreludeOpName): Binary => ((a: Value, b: Value) => run(name, a, b)) as Binary;

export const add = binary('add');
export const sub = binary('sub');
export const mul = binary('mul');
export const div = binary('div');
export const pow = binary('pow');
export const atan2 = binary('atan2');
export const hypot = binary('hypot');
/** Elementwise maximum (`max` reduces). At a tie of two variables the gradient is split evenly; against a constant it is 0 (README, kink policy). */
export const maximum = binary('maximum');
/** Elementwise minimum (`min` reduces); ties as for `maximum`. */
export const minimum = binary('minimum');
export function clamp(x: number, lo: number, hi: number): number;
export function clamp(x: Value, lo: Value, hi: Value): Tensor;
export function clamp(x: Value, lo: Value, hi: Value): Value { return run('clamp', x, lo, hi) as Value; }

// ── unary functions: shape-preserving ──────────────────────────────────────
type Unary = {
  (x: number): number;
  <S extends Shape>(x: Tensor<S>): Tensor<S>;
  (x: Value): Value;
};
const unary = (name: PreludeOpName): Unary => ((x: Value) => run(name, x)) as Unary;

export const neg = unary('neg');
export const square = unary('square');
export const exp = unary('exp');
export const log = unary('log');
export const log1p = unary('log1p');
export const expm1 = unary('expm1');
export const sqrt = unary('sqrt');
export const cbrt = unary('cbrt');
export const sin = unary('sin');
export const cos = unary('cos');
export const tan = unary('tan');
export const asin = unary('asin');
export const acos = unary('acos');
export const atan = unary('atan');
export const sinh = unary('sinh');
export const cosh = unary('cosh');
export const tanh = unary('tanh');
export const asinh = unary('asinh');
export const acosh = unary('acosh');
export const atanh = unary('atanh');
export const abs = unary('abs');
export const sign = unary('sign');
export const relu = unary('relu');
export const sigmoid = unary('sigmoid');
export const softplus = unary('softplus');
export const gelu = unary('gelu');
/** log|Γ(x)| (torch.lgamma): +∞ at 0, −1, −2, …; its derivative is digamma. */
export const lgamma = unary('lgamma');
/** ψ(x) = d/dx log|Γ(x)| (torch.digamma): −∞ at 0, NaN at the negative integers; its derivative is trigamma. */
export const digamma = unary('digamma');
/** ψ′(x) (torch.polygamma(1, x)): +∞ at the poles. */
export const trigamma = unary('trigamma');
/** ψ⁽ⁿ⁾(x) for a whole order n ≥ 0 known at compile time (torch.polygamma): n = 0 is digamma, n = 1 trigamma. */
export function polygamma(n: number, x: number): number;
export function polygamma<S extends Shape>(n: number, x: Tensor<S>): Tensor<S>;
export function polygamma(n: number, x: Value): Value;
export function polygamma(n: number, x: Value): Value { return run('polygamma', n, x) as Value; }
/**
 * log Γ_d(a) = d(d − 1)/4 · log π + Σ_{j=1..d} lgamma(a + (1 − j)/2), elementwise, for a
 * whole dimension d known at compile time (scipy.special.multigammaln; finite for a > (d − 1)/2).
 */
export function multigammaln(a: number, d: number): number;
export function multigammaln<S extends Shape>(a: Tensor<S>, d: number): Tensor<S>;
export function multigammaln(a: Value, d: number): Value;
export function multigammaln(a: Value, d: number): Value { return run('multigammaln', a, d) as Value; }
/** The value unchanged, with a zero derivative in every mode: cuts a path for differentiation. */
export const stopGradient = unary('stopGradient');

/** x for x > 0, slope·x otherwise (slope 0.01, as torch). */
export function leakyRelu<S extends Shape>(x: Tensor<S>, slope?: number): Tensor<S>;
export function leakyRelu(x: number, slope?: number): number;
export function leakyRelu(x: Value, slope?: number): Value { return run('leakyRelu', x, slope) as Value; }
/** x for x > 0, α(eˣ - 1) otherwise (α = 1, as torch). */
export function elu<S extends Shape>(x: Tensor<S>, alpha?: number): Tensor<S>;
export function elu(x: number, alpha?: number): number;
export function elu(x: Value, alpha?: number): Value { return run('elu', x, alpha) as Value; }

// ── comparisons and selection ──────────────────────────────────────────────
/** A boolean tensor (or a boolean, for numbers), for `where`. */
export type Condition = boolean | Tensor;
type Comparison = {
  (a: number, b: number): boolean;
  (a: Value, b: Value): Tensor;
};
const comparison = (name: PreludeOpName): Comparison => ((a: Value, b: Value) => run(name, a, b)) as Comparison;
export const lt = comparison('lt');
export const le = comparison('le');
export const gt = comparison('gt');
export const ge = comparison('ge');
export const eq = comparison('eq');
export const ne = comparison('ne');
export function and(a: Condition, b: Condition): Condition { return run('and', a, b) as Condition; }
export function or(a: Condition, b: Condition): Condition { return run('or', a, b) as Condition; }
export function not(a: Condition): Condition { return run('not', a) as Condition; }
/** Elementwise `c ? a : b` with broadcasting; both sides are computed, the untaken one gets no gradient. */
export function where(c: boolean, a: number, b: number): number;
export function where(c: Condition, a: Value, b: Value): Tensor;
export function where(c: Condition, a: Value, b: Value): Value { return run('where', c, a, b) as Value; }

// ── reductions: to a number without an axis, to a tensor with one ─────────
type Reduction = {
  (x: Value): number;
  (x: Value, axis: Axes, keepDims?: boolean): Tensor;
};
const reduction = (name: PreludeOpName): Reduction =>
  ((x: Value, axis?: Axes, keepDims?: boolean) => run(name, x, axis, keepDims)) as Reduction;
export const sum = reduction('sum');
export const mean = reduction('mean');
/** The largest element (over `axis`); ties share the gradient evenly. */
export const max = reduction('max');
export const min = reduction('min');
/** log Σ exp, never overflowing. */
export const logsumexp = reduction('logsumexp');
/** Euclidean norm (over `axis`). */
export const norm = reduction('norm');

// ── linear algebra ─────────────────────────────────────────────────────────
/** Matrix product over the last two axes, with NumPy's rules for vectors. */
export function matmul<A extends Dim, B extends Dim, C extends Dim>(a: Tensor<[A, B]>, b: Tensor<[B, C]>): Tensor<[A, C]>;
/** Two vectors: their inner product. */
export function matmul<N extends Dim>(a: Tensor<[N]>, b: Tensor<[N]>): number;
export function matmul(a: Tensor, b: Tensor): Tensor;
export function matmul(a: Tensor, b: Tensor): Value { return run('matmul', a, b) as Value; }
export function dot(a: Tensor, b: Tensor): number { return numberOf(run('dot', a, b)); }
export function outer(a: Tensor, b: Tensor): Tensor { return tensorOf(run('outer', a, b)); }
/** Reverses the axes, or permutes them by `perm`. */
export function transpose(x: Tensor, perm?: readonly number[]): Tensor { return tensorOf(run('transpose', x, perm)); }

// ── index vectors ──────────────────────────────────────────────────────────
/** 0, 1, …, n − 1, for n a literal or a size read from a tensor (`arange(X.shape[0])`). */
export function arange(n: number): Tensor { return tensorOf(run('arange', n)); }
/** n evenly spaced points from a to b, both included (NumPy's linspace); n ≥ 2. */
export function linspace(a: number, b: number, n: number): Tensor { return tensorOf(run('linspace', a, b, n)); }

// ── structured matrices: the last two axes, batched over the leading ones ─
/** The d×d lower-triangular matrices whose rows are packed in order in the last axis (d(d+1)/2 entries, diagonal included). */
export function lowerTriangular(v: Tensor, d: number): Tensor { return tensorOf(run('lowerTriangular', v, d)); }
/** The lower triangles (diagonal included) of square matrices, rows packed in order: the inverse of lowerTriangular. */
export function packLowerTriangular(m: Tensor): Tensor { return tensorOf(run('packLowerTriangular', m)); }
/** Vectors on the diagonals of square matrices (torch.diag_embed). */
export function diagEmbed(v: Tensor): Tensor { return tensorOf(run('diagEmbed', v)); }
/** The diagonals of square matrices (torch.linalg.diagonal: the last two axes). */
export function diagonal(m: Tensor): Tensor { return tensorOf(run('diagonal', m)); }
/** torch.diag: a vector's diagonal matrix, or a matrix's diagonal. */
export function diag(x: Tensor): Tensor { return tensorOf(run('diag', x)); }
/** The lower triangle, diagonal included, zeros above (torch.tril). */
export function tril(m: Tensor): Tensor { return tensorOf(run('tril', m)); }
/** The upper triangle, diagonal included, zeros below (torch.triu). */
export function triu(m: Tensor): Tensor { return tensorOf(run('triu', m)); }
/**
 * X with A X = B, reading only A's lower (`lower` true) or upper triangle
 * (torch.linalg.solve_triangular with upper = !lower). B is [..., n, k], or
 * [..., n] for one right-hand side.
 */
export function triangularSolve(a: Tensor, b: Tensor, lower: boolean): Tensor { return tensorOf(run('triangularSolve', a, b, lower)); }
/**
 * Σ log |L_ii|, the log-determinant of triangular matrices: a number for one
 * matrix, a tensor of the batch's shape for [..., d, d] (the types cannot tell
 * which, so the result is a Value, accepted by every op).
 */
export function logDetTriangular(l: Tensor): Value { return run('logDetTriangular', l) as Value; }

// ── softmax family and losses ──────────────────────────────────────────────
export function softmax<S extends Shape>(x: Tensor<S>, axis?: number): Tensor<S> { return tensorOf<S>(run('softmax', x, axis)); }
export function logSoftmax<S extends Shape>(x: Tensor<S>, axis?: number): Tensor<S> { return tensorOf<S>(run('logSoftmax', x, axis)); }
/** Cross-entropy of logits [batch…, classes] against integer labels [batch…], averaged (or summed). */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, reduction?: 'mean' | 'sum'): number {
  return numberOf(run('softmaxCrossEntropy', logits, labels, reduction));
}
/** Binary cross-entropy of logits against labels in [0, 1], averaged over the elements: softplus(z) − y·z, stable for all z. */
export function sigmoidBinaryCrossEntropy(logits: Value, labels: Value): number { return numberOf(run('sigmoidBinaryCrossEntropy', logits, labels)); }
/** Mean squared error. */
export function mse(prediction: Value, target: Value): number { return numberOf(run('mse', prediction, target)); }

// ── shapes and indexing ────────────────────────────────────────────────────
/** Reshapes; a named dimension (e.g. 'batch') keeps its run-time size. */
export function reshape<S extends Shape>(x: Tensor, shape: S): Tensor<S> { return tensorOf<S>(run('reshape', x, shape)); }
export function broadcastTo<S extends Shape>(x: Value, shape: S): Tensor<S> { return tensorOf<S>(run('broadcastTo', x, shape)); }
export function concat(xs: readonly Tensor[], axis: number): Tensor { return tensorOf(run('concat', xs, axis)); }
export function stack(xs: readonly Value[], axis?: number): Tensor { return tensorOf(run('stack', xs, axis)); }
/** Elements start ≤ i < end along `axis`. */
export function slice(x: Tensor, axis: number, start: number, end: number): Tensor { return tensorOf(run('slice', x, axis, start, end)); }
/** Zeros added before and after along `axis`. */
export function pad(x: Tensor, axis: number, before: number, after: number): Tensor { return tensorOf(run('pad', x, axis, before, after)); }
/** Rows of `table` at integer `indices` (one row for a number): an embedding lookup, or step t of a sequence. */
export function gather(table: Tensor, indices: Tensor | number): Tensor { return tensorOf(run('gather', table, indices)); }
export function oneHot(indices: Tensor, depth: number): Tensor { return tensorOf(run('oneHot', indices, depth)); }
export function zeros<S extends Shape>(shape: S): Tensor<S> { return tensorOf<S>(run('zeros', shape)); }
export function ones<S extends Shape>(shape: S): Tensor<S> { return tensorOf<S>(run('ones', shape)); }
export function full<S extends Shape>(shape: S, value: number): Tensor<S> { return tensorOf<S>(run('full', shape, value)); }

// ── embedded math ──────────────────────────────────────────────────────────
export const expr = exprTag;

export { customDerivative } from './customDerivative.ts';
export type { Cotangents, DerivativeRules } from './customDerivative.ts';
