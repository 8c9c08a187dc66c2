/**
 * Builders for the structural tensor ops, with their attributes normalised
 * (negative axes resolved, axes sorted) so equal ops intern alike.
 */
import { applyWith, constant } from './build.ts';
import type { Node } from './node.ts';
import { ShapeError, resolveAxes, shapeToString, shapesEqual } from './shape.ts';
import type { Dim, Shape } from './shape.ts';

const normalizeAxes = (op: string, axes: readonly number[], rank: number): number[] => resolveAxes(op, axes, rank);

export const allAxes = (x: Node): number[] => x.shape.map((_, i) => i);

export function broadcastTo(x: Node, shape: Shape): Node {
  return shapesEqual(x.shape, shape) ? x : applyWith('broadcastTo', [x], { shape: [...shape] });
}

export function reshape(x: Node, shape: Shape): Node {
  return shapesEqual(x.shape, shape) ? x : applyWith('reshape', [x], { shape: [...shape] });
}

export function transpose(x: Node, perm?: readonly number[]): Node {
  const p = perm ?? x.shape.map((_, i) => x.shape.length - 1 - i);
  return p.every((v, i) => v === i) ? x : applyWith('transpose', [x], { perm: [...p] });
}

/** Swaps the last two axes: the matrix transpose of a (batch of) matrices. */
export function transposeLast2(x: Node): Node {
  const r = x.shape.length;
  return transpose(x, x.shape.map((_, i) => (i === r - 2 ? r - 1 : i === r - 1 ? r - 2 : i)));
}

type Reduction = 'reduceSum' | 'reduceMax' | 'reduceMin' | 'reduceLogSumExp';

export function reduce(op: Reduction, x: Node, axes: readonly number[] = allAxes(x), keepDims = false): Node {
  const norm = normalizeAxes(op, axes, x.shape.length);
  if (norm.length === 0) return x;
  return applyWith(op, [x], { axes: norm, keepDims });
}

export const sum = (x: Node, axes?: readonly number[], keepDims = false) => reduce('reduceSum', x, axes, keepDims);

/** The shape `x` has after reducing `axes` with keepDims. */
export function keptShape(shape: Shape, axes: readonly number[]): Dim[] {
  return shape.map((d, i) => (axes.includes(i) ? 1 : d));
}

/**
 * Sums a broadcast value back to `shape`: over the leading axes broadcasting
 * added and over the axes it stretched from 1. The reverse-mode driver calls
 * this once for every operand, so rules never un-broadcast themselves.
 */
export function unbroadcast(t: Node, shape: Shape): Node {
  if (shapesEqual(t.shape, shape)) return t;
  const lead = t.shape.length - shape.length;
  if (lead < 0) throw new ShapeError(`cannot sum ${shapeToString(t.shape)} to ${shapeToString(shape)}`);
  const axes: number[] = [];
  t.shape.forEach((d, i) => {
    if (i < lead || (shape[i - lead] === 1 && d !== 1)) axes.push(i);
  });
  return reshape(sum(t, axes), shape);
}

/** Matrix product over the last two axes (batched over leading equal axes). */
export function matmul(a: Node, b: Node): Node {
  return applyWith('matmul', [a, b], {});
}

export function slice(x: Node, axis: number, start: number, end: number): Node {
  const [ax] = normalizeAxes('slice', [axis], x.shape.length);
  if (start === 0 && end === x.shape[ax!]) return x;
  return applyWith('slice', [x], { axis: ax!, start, end });
}

export function pad(x: Node, axis: number, before: number, after: number): Node {
  const [ax] = normalizeAxes('pad', [axis], x.shape.length);
  if (before === 0 && after === 0) return x;
  return applyWith('pad', [x], { axis: ax!, before, after });
}

export function concat(xs: readonly Node[], axis: number): Node {
  if (xs.length === 1) return xs[0]!;
  const [ax] = normalizeAxes('concat', [axis], xs[0]!.shape.length);
  return applyWith('concat', xs, { axis: ax! });
}

/** Stacks equal-shaped tensors along a new axis. */
export function stack(xs: readonly Node[], axis = 0): Node {
  const rank = xs[0]!.shape.length + 1;
  const ax = axis < 0 ? axis + rank : axis;
  const expanded = xs.map((x) => reshape(x, [...x.shape.slice(0, ax), 1, ...x.shape.slice(ax)]));
  return concat(expanded, ax);
}

/** Rows of `table` (first axis) picked by integer-valued `indices`: an embedding lookup. */
export function gather(table: Node, indices: Node): Node {
  return applyWith('gather', [table, indices], {});
}

/** The adjoint of gather: adds `values` into `rows` rows at `indices`. */
export function scatterAdd(indices: Node, values: Node, rows: Dim): Node {
  return applyWith('scatterAdd', [indices, values], { rows });
}

export function oneHot(indices: Node, depth: Dim): Node {
  return applyWith('oneHot', [indices], { depth });
}

/** The run-time size of a dimension, as a scalar node (a constant for a number). */
export function dimSize(dim: Dim): Node {
  return typeof dim === 'number' ? constant(dim) : applyWith('dimSize', [], { dim });
}
