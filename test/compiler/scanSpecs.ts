/**
 * Op specs for `scan`, run by the op-spec suite like every structural op:
 * reference evaluation against a plain recurrence, J·V against finite
 * differences, <JV, U> = <V, JᵀU>, H·V against differences of the gradient,
 * and the compiled kernels against the reference evaluation. Each case is a
 * loop of another kind: stacked outputs, a reversed loop's final carry with
 * the step index read, a loop nested in a loop body, and a while loop.
 */
import { add, constant, lt, mul, sin } from '../../compiler/ir/build.ts';
import { tanh } from '../../compiler/frontend/builders/nn.ts';
import type { Node } from '../../compiler/ir/node.ts';
import { scan, whileLoop } from '../../compiler/ir/scan.ts';
import type { Tensor } from '../../compiler/ir/tensor.ts';
import type { TensorSpec } from './tensorSpecs.ts';

const real = (shape: number[], lo = -1.5, hi = 1.5) => ({ shape, kind: 'real' as const, lo, hi });
const flatIndex = (index: readonly number[], shape: readonly number[]) => index.reduce((acc, v, k) => acc * shape[k]! + v, 0);

/** h_t = tanh(h_{t-1} ⊙ w + x_t), y_t = h_{t-1} ⊙ x_t, by plain arithmetic. */
function elman(h0: Tensor, xs: Tensor, w: Tensor): number[][] {
  const n = h0.data.length;
  let h = [...h0.data];
  const ys: number[][] = [];
  for (let t = 0; t < xs.shape[0]!; t++) {
    const x = [...xs.data.subarray(t * n, (t + 1) * n)];
    ys.push(h.map((v, i) => v * x[i]!));
    h = h.map((v, i) => Math.tanh(v * w.data[i]! + x[i]!));
  }
  return ys;
}

/** c ← c ⊙ x_t + sin(c) · t from the last step to the first. */
function reversed(c0: Tensor, xs: Tensor): number[] {
  const n = c0.data.length;
  let c = [...c0.data];
  for (let t = xs.shape[0]! - 1; t >= 0; t--) c = c.map((v, i) => v * xs.data[t * n + i]! + Math.sin(v) * t);
  return c;
}

/** Rows of a nested loop: g runs over each row of x from h; h ← g + sin(h); out_t = g after row t. */
function nested(h0: Tensor, xs: Tensor, w: Tensor): number[][] {
  const [rows, cols, n] = [xs.shape[0]!, xs.shape[1]!, h0.data.length];
  let h = [...h0.data];
  const out: number[][] = [];
  for (let t = 0; t < rows; t++) {
    let g = [...h];
    for (let s = 0; s < cols; s++) g = g.map((v, i) => Math.tanh(v * w.data[i]! + xs.data[(t * cols + s) * n + i]!));
    out.push(g);
    h = g.map((v, i) => v + Math.sin(h[i]!));
  }
  return out;
}

export const SCAN_SPEC: TensorSpec = {
  kind: 'tensor',
  cases: [
    {
      note: 'stacked outputs of an Elman-style recurrence over [5, 3]',
      operands: [real([3]), real([5, 3]), real([3])],
      build: ([h0, xs, w]) =>
        scan({
          init: { h: h0! },
          sequences: { x: xs! },
          step: ({ h }, { x }) => ({ carry: { h: tanh(add(mul(h!, w!), x!)) }, outputs: { y: mul(h!, x!) } }),
        }).outputs['y']!,
      oracle: ([h0, xs, w], index) => elman(h0!, xs!, w!)[index[0]!]![index[1]!]!,
    },
    {
      note: 'final carry of a reversed loop that reads the step index',
      operands: [real([2], -1, 1), real([4, 2], -0.9, 0.9)],
      build: ([c0, xs]) =>
        scan({
          init: { c: c0! },
          sequences: { x: xs! },
          reverse: true,
          step: ({ c }, { x }, t) => ({ carry: { c: add(mul(c!, x!), mul(sin(c!), t)) } }),
        }).carry['c']!,
      oracle: ([c0, xs], index, out) => reversed(c0!, xs!)[flatIndex(index, out)]!,
    },
    {
      note: 'a loop nested in a loop body',
      operands: [real([2]), real([3, 4, 2]), real([2], -1, 1)],
      build: ([h0, xs, w]) =>
        scan({
          init: { h: h0! },
          sequences: { row: xs! },
          step: ({ h }, { row }) => {
            const g = scan({ init: { g: h! }, sequences: { x: row! }, step: ({ g: v }, { x }) => ({ carry: { g: tanh(add(mul(v!, w!), x!)) } }) }).carry['g']!;
            return { carry: { h: add(g, sin(h!)) }, outputs: { g } };
          },
        }).outputs['g']!,
      oracle: ([h0, xs, w], index) => nested(h0!, xs!, w!)[index[0]!]![index[1]!]!,
    },
    {
      note: 'a while loop (three steps of a bound of six) carrying a scalar and a vector',
      operands: [real([]), real([2])],
      build: ([a, v]): Node => {
        const run = whileLoop({
          init: { s: a!, v: v! },
          maxSteps: 6,
          cond: (_c, t) => lt(t, constant(3)),
          step: ({ s, v: u }) => ({ s: add(mul(s!, s!), constant(0.25)), v: mul(u!, s!) }),
        });
        return add(run.carry['v']!, mul(run.carry['s']!, run.count));
      },
      oracle: ([a, v], index) => {
        let s = a!.data[0]!;
        let u = [...v!.data];
        for (let t = 0; t < 3; t++) [s, u] = [s * s + 0.25, u.map((x) => x * s)];
        return u[index[0]!]! + s * 3;
      },
    },
  ],
};
