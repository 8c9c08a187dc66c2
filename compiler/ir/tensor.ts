/**
 * Tensor values for the reference evaluator: a concrete shape and row-major
 * data. Also the index arithmetic shared by the evaluator's broadcasting.
 */
import type { Shape } from './shape.ts';

export interface Tensor {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

export const sizeOf = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Row-major strides. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i]!;
  }
  return strides;
}

export function scalarTensor(value: number): Tensor {
  return { shape: [], data: Float64Array.of(value) };
}

export function tensor(shape: readonly number[], data: ArrayLike<number>): Tensor {
  if (data.length !== sizeOf(shape)) {
    throw new Error(`tensor of shape [${shape.join(', ')}] needs ${sizeOf(shape)} values, got ${data.length}`);
  }
  return { shape: [...shape], data: Float64Array.from(data) };
}

export const zeros = (shape: readonly number[]): Tensor => ({ shape: [...shape], data: new Float64Array(sizeOf(shape)) });

/**
 * Strides of `shape` read as if broadcast to `target` (aligned from the
 * right): a stretched axis gets stride 0.
 */
export function broadcastStrides(shape: readonly number[], target: readonly number[]): number[] {
  const own = stridesOf(shape);
  const offset = target.length - shape.length;
  return target.map((d, axis) => {
    const i = axis - offset;
    if (i < 0) return 0;
    return shape[i] === 1 && d !== 1 ? 0 : own[i]!;
  });
}

/** Calls `visit(flat index in target, flat index in each source)` over all of `target`. */
export function forEachBroadcast(
  target: readonly number[],
  sources: readonly (readonly number[])[],
  visit: (out: number, ins: readonly number[]) => void,
): void {
  const strides = sources.map((s) => broadcastStrides(s, target));
  const rank = target.length;
  const index = new Array<number>(rank).fill(0);
  const ins = new Array<number>(sources.length).fill(0);
  const total = sizeOf(target);
  for (let out = 0; out < total; out++) {
    visit(out, ins);
    // Odometer increment: bump the last axis, carry leftwards.
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      for (let k = 0; k < ins.length; k++) ins[k]! += strides[k]![axis]!;
      if (index[axis]! < target[axis]!) break;
      for (let k = 0; k < ins.length; k++) ins[k]! -= strides[k]![axis]! * target[axis]!;
      index[axis] = 0;
    }
  }
}

/** A shape with its symbolic dimensions replaced by their sizes. */
export function concreteShape(shape: Shape, sizes: Readonly<Record<string, number>>): number[] {
  return shape.map((d) => {
    if (typeof d === 'number') return d;
    const size = sizes[d];
    if (size === undefined) throw new Error(`no size given for dimension '${d}'`);
    return size;
  });
}
