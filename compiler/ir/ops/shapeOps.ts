/** Structural ops that move data: broadcast, reshape, transpose, slice, pad, concat. */
import { constantLike } from '../build.ts';
import { broadcastTo, concat, pad, reshape, slice, transpose, unbroadcast } from '../buildTensor.ts';
import type { Attrs, Node } from '../node.ts';
import type { OpDef } from '../opDef.ts';
import { f64 } from '../opDef.ts';
import { ShapeError, broadcastShapes, sameSize, shapeToString, shapesEqual } from '../shape.ts';
import type { Dim, Shape } from '../shape.ts';
import { helperCall } from '../syntax.ts';
import { broadcastStrides, sizeOf, stridesOf, zeros } from '../tensor.ts';
import type { Tensor } from '../tensor.ts';

const numbers = (attrs: Attrs, key: string): number[] => attrs[key] as number[];
const dims = (attrs: Attrs, key: string): Dim[] => attrs[key] as Dim[];
const num = (attrs: Attrs, key: string): number => attrs[key] as number;

/** Structural ops are not elementwise: the scalar evaluator must never reach them. */
export function notElementwise(op: string) {
  return (): number => {
    throw new Error(`${op} is a structural op; use the tensor evaluator`);
  };
}

/** Shared fields of a one-operand structural op. */
function structural(op: string, doc: string): Pick<OpDef, 'doc' | 'arity' | 'inputTypes' | 'output' | 'evaluate' | 'syntax'> {
  return { doc, arity: 1, inputTypes: f64, output: 'f64', evaluate: notElementwise(op), syntax: { ts: helperCall(op).ts, math: helperCall(op).math } };
}

/** Copies `x` reading it through `strides` into a tensor of shape `out`. */
function gatherStrided(x: Tensor, out: readonly number[], strides: readonly number[], offset = 0): Tensor {
  const result = zeros(out);
  const rank = out.length;
  const index = new Array<number>(rank).fill(0);
  let src = offset;
  for (let i = 0; i < result.data.length; i++) {
    result.data[i] = x.data[src]!;
    for (let axis = rank - 1; axis >= 0; axis--) {
      index[axis]!++;
      src += strides[axis]!;
      if (index[axis]! < out[axis]!) break;
      src -= strides[axis]! * out[axis]!;
      index[axis] = 0;
    }
  }
  return result;
}

const transposeShape = (shape: Shape, perm: readonly number[]): Dim[] => perm.map((p) => shape[p]!);

function checkAxisStatic(op: string, shape: Shape, axis: number): number {
  const d = shape[axis];
  if (typeof d !== 'number') throw new ShapeError(`${op}: axis ${axis} of ${shapeToString(shape)} must have a size known at compile time`);
  return d;
}

export const shapeOps = {
  broadcastTo: {
    ...structural('broadcastTo', 'broadcasts a to the shape attribute'),
    shape(op, [a], attrs) {
      const target = dims(attrs, 'shape');
      if (!shapesEqual(broadcastShapes(op, [a!, target]), target)) {
        throw new ShapeError(`${op}: ${shapeToString(a!)} does not broadcast to ${shapeToString(target)}`);
      }
      return target;
    },
    emission: { kind: 'stridedCopy', source: 'broadcast', elementwiseView: true },
    evaluateTensor: ([x], _attrs, out) => gatherStrided(x!, out, broadcastStrides(x!.shape, out)),
    derivative: {
      jvp: (node, [dot]) => broadcastTo(dot!, node.shape),
      vjp: (node, bar) => [unbroadcast(bar, node.inputs[0]!.shape)],
    },
  },
  reshape: {
    ...structural('reshape', 'the same elements, row-major, in the shape attribute'),
    shape(op, [a], attrs) {
      const target = dims(attrs, 'shape');
      if (!sameSize(a!, target)) throw new ShapeError(`${op}: cannot reshape ${shapeToString(a!)} to ${shapeToString(target)}`);
      return target;
    },
    emission: { kind: 'flatCopy' },
    evaluateTensor: ([x], _attrs, out) => ({ shape: [...out], data: x!.data.slice() }),
    derivative: {
      jvp: (node, [dot]) => reshape(dot!, node.shape),
      vjp: (node, bar) => [reshape(bar, node.inputs[0]!.shape)],
    },
  },
  transpose: {
    ...structural('transpose', 'permutes the axes: out axis i is input axis perm[i]'),
    shape(op, [a], attrs) {
      const perm = numbers(attrs, 'perm');
      if (perm.length !== a!.length || [...perm].sort().some((p, i) => p !== i)) {
        throw new ShapeError(`${op}: [${perm.join(', ')}] is not a permutation of the axes of ${shapeToString(a!)}`);
      }
      return transposeShape(a!, perm);
    },
    emission: { kind: 'stridedCopy', source: 'permute', transposeView: true },
    evaluateTensor: ([x], attrs, out) => {
      const strides = stridesOf(x!.shape);
      return gatherStrided(x!, out, numbers(attrs, 'perm').map((p) => strides[p]!));
    },
    derivative: {
      jvp: (node, [dot]) => transpose(dot!, numbers(node.attrs, 'perm')),
      vjp: (node, bar) => {
        const perm = numbers(node.attrs, 'perm');
        const inverse = perm.map((_, i) => perm.indexOf(i));
        return [transpose(bar, inverse)];
      },
    },
  },
  slice: {
    ...structural('slice', 'elements start ≤ i < end along one axis'),
    shape(op, [a], attrs) {
      const axis = num(attrs, 'axis');
      const d = checkAxisStatic(op, a!, axis);
      const [start, end] = [num(attrs, 'start'), num(attrs, 'end')];
      if (!(0 <= start && start <= end && end <= d)) throw new ShapeError(`${op}: [${start}, ${end}) is outside axis ${axis} of ${shapeToString(a!)}`);
      return a!.map((dim, i) => (i === axis ? end - start : dim));
    },
    emission: { kind: 'stridedCopy', source: 'slice' },
    evaluateTensor: ([x], attrs, out) => {
      const strides = stridesOf(x!.shape);
      return gatherStrided(x!, out, strides, num(attrs, 'start') * strides[num(attrs, 'axis')]!);
    },
    derivative: {
      jvp: (node, [dot]) => slice(dot!, num(node.attrs, 'axis'), num(node.attrs, 'start'), num(node.attrs, 'end')),
      vjp: (node, bar) => {
        const axis = num(node.attrs, 'axis');
        const d = node.inputs[0]!.shape[axis] as number;
        return [pad(bar, axis, num(node.attrs, 'start'), d - num(node.attrs, 'end'))];
      },
    },
  },
  pad: {
    ...structural('pad', 'zeros added before and after along one axis'),
    shape(op, [a], attrs) {
      const axis = num(attrs, 'axis');
      const d = checkAxisStatic(op, a!, axis);
      return a!.map((dim, i) => (i === axis ? d + num(attrs, 'before') + num(attrs, 'after') : dim));
    },
    emission: { kind: 'pad' },
    evaluateTensor: ([x], attrs, out) => {
      // x lands in the window of the result that starts at `before` on `axis`.
      const result = zeros(out);
      const outStrides = stridesOf(out);
      const index = new Array<number>(x!.shape.length).fill(0);
      const origin = num(attrs, 'before') * outStrides[num(attrs, 'axis')]!;
      for (let i = 0; i < x!.data.length; i++) {
        result.data[index.reduce((acc, v, k) => acc + v * outStrides[k]!, origin)] = x!.data[i]!;
        for (let k = index.length - 1; k >= 0; k--) {
          if (++index[k]! < x!.shape[k]!) break;
          index[k] = 0;
        }
      }
      return result;
    },
    derivative: {
      jvp: (node, [dot]) => pad(dot!, num(node.attrs, 'axis'), num(node.attrs, 'before'), num(node.attrs, 'after')),
      vjp: (node, bar) => {
        const axis = num(node.attrs, 'axis');
        const before = num(node.attrs, 'before');
        return [slice(bar, axis, before, before + (node.inputs[0]!.shape[axis] as number))];
      },
    },
  },
  concat: {
    ...structural('concat', 'operands joined along one axis'),
    arity: 'variadic',
    shape(op, inputs, attrs) {
      const axis = num(attrs, 'axis');
      const first = inputs[0]!;
      let total = 0;
      for (const s of inputs) {
        const sameElsewhere = s.length === first.length && s.every((d, i) => i === axis || d === first[i]);
        if (!sameElsewhere) throw new ShapeError(`${op}: ${shapeToString(s)} does not match ${shapeToString(first)} off axis ${axis}`);
        total += checkAxisStatic(op, s, axis);
      }
      return first.map((d, i) => (i === axis ? total : d));
    },
    emission: { kind: 'concat' },
    evaluateTensor: (xs, attrs, out) => {
      const axis = num(attrs, 'axis');
      const result = zeros(out);
      const outer = sizeOf(out.slice(0, axis));
      const rowOut = sizeOf(out.slice(axis));
      let offset = 0;
      for (const x of xs) {
        const row = sizeOf(x.shape.slice(axis));
        for (let o = 0; o < outer; o++) result.data.set(x.data.subarray(o * row, (o + 1) * row), o * rowOut + offset);
        offset += row;
      }
      return result;
    },
    derivative: {
      jvp: (node, dots) => concat(dots.map((d, i) => d ?? constantLike(0, node.inputs[i]!)), num(node.attrs, 'axis')),
      vjp: (node, bar) => {
        const axis = num(node.attrs, 'axis');
        let start = 0;
        return node.inputs.map((x: Node) => {
          const d = x.shape[axis] as number;
          start += d;
          return slice(bar, axis, start - d, start);
        });
      },
    },
  },
} satisfies Record<string, OpDef>;

