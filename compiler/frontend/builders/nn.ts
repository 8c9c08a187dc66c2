/**
 * The IR builders front end: neural-network and linear-algebra functions
 * composed from primitive ops, for programs built in TypeScript directly.
 * They need no rules of their own: their derivatives follow from the
 * primitives', and numerically delicate parts go through the stable
 * primitives (reduceLogSumExp, softplus, sigmoid).
 */
import { apply, constant, div, exp, mul, select, sqrt, sub } from '../../ir/build.ts';
import {
  allAxes, broadcastTo, dimSize, gather, matmul, oneHot, reduce, reshape, sum,
} from '../../ir/buildTensor.ts';
import type { Node } from '../../ir/node.ts';
import { ShapeError, shapeToString } from '../../ir/shape.ts';

const axisOf = (x: Node, axis: number): number => (axis < 0 ? axis + x.shape.length : axis);

/** The number of elements over `axes`, as a node; symbolic dimensions contribute their run-time size. */
function countOver(x: Node, axes: readonly number[]): Node {
  return sizeProduct(axes.map((a) => x.shape[a]!));
}

function sizeProduct(dims: readonly (number | string)[]): Node {
  let numeric = 1;
  let symbolic: Node | null = null;
  for (const d of dims) {
    if (typeof d === 'number') numeric *= d;
    else symbolic = symbolic === null ? dimSize(d) : mul(symbolic, dimSize(d));
  }
  if (symbolic === null) return constant(numeric);
  return numeric === 1 ? symbolic : mul(constant(numeric), symbolic);
}

export function mean(x: Node, axes: readonly number[] = allAxes(x), keepDims = false): Node {
  const norm = axes.map((a) => axisOf(x, a));
  return div(sum(x, norm, keepDims), countOver(x, norm));
}

export const max = (x: Node, axes?: readonly number[], keepDims = false) => reduce('reduceMax', x, axes, keepDims);
export const min = (x: Node, axes?: readonly number[], keepDims = false) => reduce('reduceMin', x, axes, keepDims);
export const logsumexp = (x: Node, axes?: readonly number[], keepDims = false) => reduce('reduceLogSumExp', x, axes, keepDims);

/** Inner product of two vectors. */
export function dot(a: Node, b: Node): Node {
  if (a.shape.length !== 1 || b.shape.length !== 1) throw new ShapeError(`dot needs vectors, got ${shapeToString(a.shape)} and ${shapeToString(b.shape)}`);
  return sum(mul(a, b));
}

/** Outer product of two vectors: out[i, j] = a[i] b[j]. */
export function outer(a: Node, b: Node): Node {
  return mul(reshape(a, [a.shape[0]!, 1]), reshape(b, [1, b.shape[0]!]));
}

/**
 * Matrix product with NumPy's vector rules: a vector on the left is a row,
 * on the right a column, and the added axis is removed again.
 */
export function matmulAny(a: Node, b: Node): Node {
  const aVec = a.shape.length === 1;
  const bVec = b.shape.length === 1;
  if (aVec && bVec) return dot(a, b);
  const a2 = aVec ? reshape(a, [1, a.shape[0]!]) : a;
  const b2 = bVec ? reshape(b, [b.shape[0]!, 1]) : b;
  const out = matmul(a2, b2);
  if (aVec) return reshape(out, out.shape.filter((_, i) => i !== out.shape.length - 2));
  if (bVec) return reshape(out, out.shape.slice(0, -1));
  return out;
}


/**
 * Euclidean norm over `axes` (all by default). At 0 the gradient is 0, a
 * subgradient, through sqrt's kink policy.
 */
export function norm(x: Node, axes: readonly number[] = allAxes(x), keepDims = false): Node {
  return sqrt(sum(mul(x, x), axes.map((a) => axisOf(x, a)), keepDims));
}

/** softmax along `axis`: exp(x - logsumexp(x)), never overflowing. */
export function softmax(x: Node, axis = -1): Node {
  return exp(logSoftmax(x, axis));
}

export function logSoftmax(x: Node, axis = -1): Node {
  // A scalar has no axis to normalize over: say so in the user's words, not the reduction's.
  if (x.shape.length === 0) throw new ShapeError('softmax and logSoftmax need a vector or a matrix, not a scalar');
  const ax = axisOf(x, axis);
  return sub(x, broadcastTo(logsumexp(x, [ax], true), x.shape));
}

/**
 * Mean cross-entropy between logits [batch…, classes] and integer labels
 * [batch…], written as softplus(r) with r = logsumexp(z over the other
 * classes) - z[label] (the log-odds against the label): equal to
 * logsumexp(z) - z[label], stable for any logits, and its gradient is
 * softmax(z) - onehot(label) with the label's entry -σ(r) = -Σ_(j≠label) p_j
 * computed, not p_label - 1, which rounds to 0 once p_label is within an ulp
 * of 1 (logits 40 apart) although the true value is 4e-18. The loss itself
 * keeps its digits too when it is tiny. Divided by the batch size for 'mean'.
 */
export function softmaxCrossEntropy(logits: Node, labels: Node, reduction: 'mean' | 'sum' = 'mean'): Node {
  // The class count may be a named size (a vocabulary given at run time): oneHot and the reductions take it as one.
  const classes = logits.shape[logits.shape.length - 1];
  if (classes === undefined) throw new ShapeError('softmaxCrossEntropy needs logits with a class axis, [batch…, classes]');
  const last = logits.shape.length - 1;
  const hot = oneHot(labels, classes);
  const picked = sum(mul(logits, hot), [last]);
  // One class has no others (the loss is 0): logsumexp(z) - z[label] says so without -∞ - -∞.
  const others = select(apply('gt', hot, constant(0)), constant(-Infinity), logits);
  const losses = classes === 1 ? sub(logsumexp(logits, [last]), picked) : softplus(sub(logsumexp(others, [last]), picked));
  if (reduction === 'sum') return sum(losses);
  return div(sum(losses), sizeProduct(losses.shape));
}

/**
 * Binary cross-entropy of logits z against labels y in [0, 1], averaged over the
 * elements (torch.nn.functional.binary_cross_entropy_with_logits):
 * −y log σ(z) − (1 − y) log σ(−z) = softplus(z) − y·z, which never forms log 0
 * or e^z for large z. Convex in z, with H_L = diag σ(z)σ(−z) / count.
 */
export function sigmoidBinaryCrossEntropy(logits: Node, labels: Node): Node {
  return mean(sub(softplus(logits), mul(labels, logits)));
}

/** Mean squared error. */
export function mse(prediction: Node, target: Node): Node {
  const d = sub(prediction, target);
  return mean(mul(d, d));
}

export const relu = (x: Node): Node => apply('relu', x);
export const sigmoid = (x: Node): Node => apply('sigmoid', x);
export const tanh = (x: Node): Node => apply('tanh', x);
export const softplus = (x: Node): Node => apply('softplus', x);

/**
 * clamp(x, lo, hi) = min(max(x, lo), hi), NaN propagating. With constant
 * bounds the derivative at a bound is 0 (the minimum-norm subgradient, as
 * F.hardtanh and F.relu6; torch.clamp gives 1 there); a bound that is itself
 * differentiated shares a tie with x half and half, as torch.maximum does.
 */
export function clamp(x: Node, lo: Node | number, hi: Node | number): Node {
  const bound = (b: Node | number): Node => (typeof b === 'number' ? constant(b) : b);
  return apply('min', apply('max', x, bound(lo)), bound(hi));
}

/** leakyRelu(x) = x for x > 0, slope·x otherwise (slope 0.01, as torch). */
export function leakyRelu(x: Node, slope = 0.01): Node {
  return select(apply('gt', x, constant(0)), x, mul(constant(slope), x));
}

/** elu(x) = x for x > 0, α(eˣ - 1) otherwise (α = 1, as torch). */
export function elu(x: Node, alpha = 1): Node {
  return select(apply('gt', x, constant(0)), x, mul(constant(alpha), apply('expm1', x)));
}

/** GELU, tanh approximation: ½x(1 + tanh(√(2/π)(x + 0.044715x³))), torch's approximate='tanh'. */
export function gelu(x: Node): Node {
  const inner = mul(constant(Math.sqrt(2 / Math.PI)), apply('add', x, mul(constant(0.044715), mul(x, mul(x, x)))));
  return mul(mul(constant(0.5), x), apply('add', constant(1), apply('tanh', inner)));
}

/** where(c, a, b): elementwise select with broadcasting. */
export const where = (c: Node, a: Node, b: Node): Node => select(c, a, b);

// stack is a structural builder of the IR (the Jacobian and Hessian drivers
// assemble their results with it); it is part of this vocabulary too.
export { stack } from '../../ir/buildTensor.ts';

/** An embedding lookup: rows of a table at integer indices. */
export const embedding = gather;
