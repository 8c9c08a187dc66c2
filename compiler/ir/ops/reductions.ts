/** Reductions over axes: sum, max, min and the stable log-sum-exp. */
import { applyWith, constantLike, div, eq, exp, mul, select, sub } from '../build.ts';
import { broadcastTo, keptShape, reshape, sum } from '../buildTensor.ts';
import type { ApplyNode, Attrs, Node } from '../node.ts';
import type { Derivative, OpDef } from '../opDef.ts';
import { f64 } from '../opDef.ts';
import { ShapeError, resolveAxes } from '../shape.ts';
import type { Shape } from '../shape.ts';
import { helperCall } from '../syntax.ts';
import { stridesOf, zeros } from '../tensor.ts';
import type { Tensor } from '../tensor.ts';
import { notElementwise } from './shapeOps.ts';

const axesOf = (attrs: Attrs): number[] => attrs['axes'] as number[];
const keepDims = (attrs: Attrs): boolean => attrs['keepDims'] === true;

/**
 * The builders resolve and sort the axes; the shape rule checks them again,
 * so a node built (or rebuilt by a pass) over an operand whose rank does not
 * fit its axes is an error, not a silently different shape.
 */
function reducedShape(op: string, [a]: readonly Shape[], attrs: Attrs): Shape {
  const given = attrs['axes'];
  if (!Array.isArray(given)) throw new ShapeError(`${op}: the axes attribute must be a list of axes`);
  const axes = resolveAxes(op, given, a!.length);
  if (axes.some((axis, i) => axis !== given[i])) {
    throw new ShapeError(`${op}: axes [${given.join(', ')}] must be resolved and sorted (build reductions with reduce or sum)`);
  }
  return keepDims(attrs) ? keptShape(a!, axes) : a!.filter((_, i) => !axes.includes(i));
}

/** Folds every element of `x` into its output slot with `combine`, from `init`. */
function reduceTensor(x: Tensor, attrs: Attrs, out: readonly number[], init: number, combine: (acc: number, v: number) => number): Tensor {
  const axes = axesOf(attrs);
  const result = zeros(out);
  result.data.fill(init);
  // Output strides laid over the input's axes: reduced axes contribute nothing.
  const kept = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const keptStrides = stridesOf(kept).map((s, i) => (axes.includes(i) ? 0 : s));
  const index = new Array<number>(x.shape.length).fill(0);
  let dst = 0;
  for (let i = 0; i < x.data.length; i++) {
    result.data[dst] = combine(result.data[dst]!, x.data[i]!);
    for (let k = index.length - 1; k >= 0; k--) {
      index[k]!++;
      dst += keptStrides[k]!;
      if (index[k]! < x.shape[k]!) break;
      dst -= keptStrides[k]! * x.shape[k]!;
      index[k] = 0;
    }
  }
  return result;
}

/** The output (or a cotangent of it) laid back over the input's shape. */
function spread(node: ApplyNode, t: Node): Node {
  const x = node.inputs[0]!;
  return broadcastTo(reshape(t, keptShape(x.shape, axesOf(node.attrs))), x.shape);
}

const reduceAgain = (node: ApplyNode, t: Node): Node => sum(t, axesOf(node.attrs), keepDims(node.attrs));

/**
 * Max and min send the cotangent to the elements that attain the extreme,
 * split evenly among ties (as torch.amax/amin do).
 */
const extremeDerivative: Derivative = {
  jvp(node, [dot]) {
    const x = node.inputs[0]!;
    const hit = eq(x, spread(node, node));
    const count = reduceAgain(node, select(hit, constantLike(1, x), constantLike(0, x)));
    return div(reduceAgain(node, select(hit, dot!, constantLike(0, dot!))), count);
  },
  vjp(node, bar) {
    const x = node.inputs[0]!;
    const hit = eq(x, spread(node, node));
    const count = reduceAgain(node, select(hit, constantLike(1, x), constantLike(0, x)));
    return [select(hit, spread(node, div(bar, count)), constantLike(0, x))];
  },
};

/**
 * ∂/∂xᵢ log Σ eˣ = e^(xᵢ - m) / Σⱼ e^(xⱼ - m), m the maximum along the
 * reduced axes: the softmax, shifted. The textbook e^(xᵢ - lse) subtracts two
 * rounded large numbers and loses digits (at 1e15 every ulp of lse is 0.125);
 * xᵢ - m is exact where it matters. m is a constant to differentiation (the
 * softmax does not depend on it), so second derivatives carry no max terms.
 */
function softmaxParts(node: ApplyNode): { shifted: Node; total: Node } {
  const x = node.inputs[0]!;
  const m = applyWith('stopGradient', [applyWith('reduceMax', [x], node.attrs)], {});
  const shifted = exp(sub(x, spread(node, m)));
  return { shifted, total: reduceAgain(node, shifted) };
}

function reduction(op: string, doc: string): Pick<OpDef, 'doc' | 'arity' | 'inputTypes' | 'output' | 'evaluate' | 'syntax' | 'shape'> {
  return { doc, arity: 1, inputTypes: f64, output: 'f64', evaluate: notElementwise(op), syntax: helperCall(op), shape: reducedShape };
}

export const reductionOps = {
  reduceSum: {
    ...reduction('reduceSum', 'sum over axes'),
    emission: { kind: 'reduce', combine: 'sum', init: '0' },
    evaluateTensor: ([x], attrs, out) => reduceTensor(x!, attrs, out, 0, (a, v) => a + v),
    derivative: {
      jvp: (node, [dot]) => reduceAgain(node, dot!),
      vjp: (node, bar) => [spread(node, bar)],
    },
  },
  reduceMax: {
    ...reduction('reduceMax', 'maximum over axes; NaN if any element is NaN'),
    emission: { kind: 'reduce', combine: 'max', init: '-Infinity' },
    evaluateTensor: ([x], attrs, out) => reduceTensor(x!, attrs, out, -Infinity, Math.max),
    derivative: extremeDerivative,
    kink: 'Ties split the cotangent evenly among the maximal elements (torch.amax).',
  },
  reduceMin: {
    ...reduction('reduceMin', 'minimum over axes; NaN if any element is NaN'),
    emission: { kind: 'reduce', combine: 'min', init: 'Infinity' },
    evaluateTensor: ([x], attrs, out) => reduceTensor(x!, attrs, out, Infinity, Math.min),
    derivative: extremeDerivative,
    kink: 'Ties split the cotangent evenly among the minimal elements (torch.amin).',
  },
  reduceLogSumExp: {
    ...reduction('reduceLogSumExp', 'log Σ exp over axes, shifted by the maximum so nothing overflows'),
    emission: { kind: 'reduce', combine: 'logSumExp', init: '-Infinity' },
    evaluateTensor: ([x], attrs, out) => {
      const m = reduceTensor(x!, attrs, out, -Infinity, (a, v) => Math.max(a, v));
      const kept = { ...attrs, keepDims: true };
      const mKept = { shape: x!.shape.map((d, i) => (axesOf(attrs).includes(i) ? 1 : d)), data: m.data };
      const shifted = zeros(x!.shape);
      const strides = stridesOf(mKept.shape).map((s, i) => (axesOf(attrs).includes(i) ? 0 : s));
      const index = new Array<number>(x!.shape.length).fill(0);
      for (let i = 0; i < x!.data.length; i++) {
        const mi = m.data[index.reduce((acc, v, k) => acc + v * strides[k]!, 0)]!;
        shifted.data[i] = Number.isFinite(mi) ? Math.exp(x!.data[i]! - mi) : x!.data[i]! === mi ? 1 : 0;
        for (let k = index.length - 1; k >= 0; k--) {
          if (++index[k]! < x!.shape[k]!) break;
          index[k] = 0;
        }
      }
      const s = reduceTensor(shifted, kept, mKept.shape, 0, (a, v) => a + v);
      return { shape: [...out], data: m.data.map((mi, i) => (Number.isFinite(mi) ? mi + Math.log(s.data[i]!) : mi)) };
    },
    derivative: {
      jvp(node, [dot]) {
        const { shifted, total } = softmaxParts(node);
        return div(reduceAgain(node, mul(shifted, dot!)), total);
      },
      vjp(node, bar) {
        const { shifted, total } = softmaxParts(node);
        return [mul(shifted, spread(node, div(bar, total)))];
      },
    },
  },
} satisfies Record<string, OpDef>;
