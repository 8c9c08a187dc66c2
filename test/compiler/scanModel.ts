/**
 * The Elman RNN (tanh) the loop tests share, built twice from the same
 * inputs: with a scan, and unrolled with the ordinary builders.
 * h_t = tanh(x_t W + h_{t-1} U + b), loss = Σ_t Σ (h_t ⊙ C_t) + Σ h_T².
 */
import { add, input, mul } from '../../compiler/ir/build.ts';
import { matmul, reshape, slice, sum } from '../../compiler/ir/buildTensor.ts';
import { stack, tanh } from '../../compiler/frontend/builders/nn.ts';
import type { InputNode, Node } from '../../compiler/ir/node.ts';
import { scan, stopGradient } from '../../compiler/ir/scan.ts';
import type { LoopOptions } from '../../compiler/ir/scan.ts';
import type { Dim } from '../../compiler/ir/shape.ts';

export interface RnnSizes {
  readonly T: Dim;
  readonly B: number;
  readonly D: number;
  readonly H: number;
}

export interface Rnn {
  readonly params: readonly InputNode[];
  readonly data: readonly InputNode[];
  readonly loss: Node;
}

function rnnInputs({ T, B, D, H }: RnnSizes) {
  return {
    W: input('W', [D, H]),
    U: input('U', [H, H]),
    b: input('b', [H]),
    h0: input('h0', [B, H]),
    xs: input('xs', [T, B, D]),
    C: input('C', [T, B, H]),
  };
}

const cell = (h: Node, x: Node, W: Node, U: Node, b: Node): Node => tanh(add(add(matmul(x, W), matmul(h, U)), b));

export function scanRnn(sizes: RnnSizes, options: LoopOptions = {}): Rnn {
  const { W, U, b, h0, xs, C } = rnnInputs(sizes);
  const run = scan({
    init: { h: h0 },
    sequences: { x: xs },
    step: ({ h }, { x }) => {
      const next = cell(h!, x!, W, U, b);
      return { carry: { h: next }, outputs: { h: next } };
    },
    ...options,
  });
  const hT = run.carry['h']!;
  const loss = add(sum(mul(run.outputs['h']!, C)), sum(mul(hT, hT)));
  return { params: [W, U, b, h0], data: [xs, C], loss };
}

/** The same RNN unrolled; with `truncate`, the hidden state passes through stopGradient before steps k, 2k, … */
export function unrolledRnn(sizes: RnnSizes & { readonly T: number }, truncate = 0): Rnn {
  const { W, U, b, h0, xs, C } = rnnInputs(sizes);
  const { T, B, D, H } = sizes;
  let h: Node = h0;
  const hs: Node[] = [];
  for (let t = 0; t < T; t++) {
    if (truncate > 0 && t > 0 && t % truncate === 0) h = stopGradient(h);
    const x = reshape(slice(xs, 0, t, t + 1), [B, D]);
    h = cell(h, x, W, U, b);
    hs.push(h);
  }
  const loss = add(sum(mul(stack(hs, 0), C)), sum(mul(h, h)));
  void H;
  return { params: [W, U, b, h0], data: [xs, C], loss };
}
