/**
 * Small models shared by the Gauss-Newton, Jacobian and Hessian tests: an MLP
 * (built with the IR API, as in test/bench/mlp.ts, with a choice of
 * activation) and softmax regression, with seeded parameters and data, and
 * the helpers that move between flat θ and named tensors.
 */
import type { CurvatureDefinition } from '../../compiler/api/compileCurvature.ts';
import { add, constant, input, mul, sub } from '../../compiler/ir/build.ts';
import { matmul, reshape, slice, sum } from '../../compiler/ir/buildTensor.ts';
import type { InputNode, Node } from '../../compiler/ir/node.ts';
import { mse, relu, softmaxCrossEntropy, stack, tanh } from '../../compiler/frontend/builders/nn.ts';
import { scan } from '../../compiler/ir/scan.ts';
import { tensor } from '../../compiler/ir/tensor.ts';
import type { Tensor } from '../../compiler/ir/tensor.ts';
import { SeededRng } from '../../runtime/random/seededRng.ts';

export const CLASSES = 3;
export const FEATURES = 4;

export interface Model {
  readonly def: CurvatureDefinition;
  readonly params: readonly InputNode[];
  readonly X: InputNode;
  readonly y: InputNode;
}

/** z = act(X·W1 + b1)·W2 + b2, loss = mean softmax cross-entropy (or MSE against y as targets). */
export function mlp(activation: 'tanh' | 'relu', hidden = 5, loss: 'softmaxCrossEntropy' | 'mse' = 'softmaxCrossEntropy'): Model {
  const X = input('X', ['batch', FEATURES]);
  const y = loss === 'mse' ? input('y', ['batch', CLASSES]) : input('y', ['batch']);
  const W1 = input('W1', [FEATURES, hidden]);
  const b1 = input('b1', [hidden]);
  const W2 = input('W2', [hidden, CLASSES]);
  const b2 = input('b2', [CLASSES]);
  const pre = add(matmul(X, W1), b1);
  const h = activation === 'tanh' ? tanh(pre) : relu(pre);
  const z = add(matmul(h, W2), b2);
  const params = [W1, b1, W2, b2];
  const lossOf = loss === 'mse' ? (s: Node) => mse(s, y) : (s: Node) => softmaxCrossEntropy(s, y);
  return { def: { inputs: [...params, X, y], wrt: params, outputs: z, loss: lossOf, source: `test MLP (${activation})` }, params, X, y };
}

/** z = X·W + b, loss = mean softmax cross-entropy: linear in θ, so its Gauss-Newton matrix is its Hessian. */
export function softmaxRegression(): Model {
  const X = input('X', ['batch', FEATURES]);
  const y = input('y', ['batch']);
  const W = input('W', [FEATURES, CLASSES]);
  const b = input('b', [CLASSES]);
  const z = add(matmul(X, W), b);
  return { def: { inputs: [W, b, X, y], wrt: [W, b], outputs: z, loss: (s) => softmaxCrossEntropy(s, y), source: 'softmax regression' }, params: [W, b], X, y };
}

export const randomVector = (n: number, seed: number, scale = 1): Float64Array => {
  const r = SeededRng.fromSeed(seed).asFunction();
  return Float64Array.from({ length: n }, () => scale * (2 * r() - 1));
};

export function randomData(model: Model, batch: number, seed: number): Record<string, Tensor> {
  const r = SeededRng.fromSeed(seed).asFunction();
  const X = tensor([batch, FEATURES], Array.from({ length: batch * FEATURES }, () => 2 * r() - 1));
  const y =
    model.y.shape.length === 2
      ? tensor([batch, CLASSES], Array.from({ length: batch * CLASSES }, () => 2 * r() - 1))
      : tensor([batch], Array.from({ length: batch }, (_, i) => (i * 7 + Math.floor(r() * 3)) % CLASSES));
  return { X, y };
}

/** Named tensors for the parameters, cut from flat θ in layout order. */
export function unflatten(params: readonly InputNode[], theta: Float64Array): Record<string, Tensor> {
  let offset = 0;
  return Object.fromEntries(
    params.map((p) => {
      const shape = p.shape as number[];
      const size = shape.reduce((a, b) => a * b, 1);
      const t = tensor(shape, theta.slice(offset, offset + size));
      offset += size;
      return [p.name, t];
    }),
  );
}

export const parameterCount = (params: readonly InputNode[]): number =>
  params.reduce((s, p) => s + (p.shape as number[]).reduce((a, b) => a * b, 1), 0);

export const dotProduct = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

/** Central difference of a vector function along one coordinate of θ, h = 1e-5 (error O(h²)). */
export function centralDifference(f: (theta: Float64Array) => Float64Array, theta: Float64Array, k: number, h = 1e-5): Float64Array {
  const plus = Float64Array.from(theta);
  const minus = Float64Array.from(theta);
  plus[k]! += h;
  minus[k]! -= h;
  const a = f(plus);
  const b = f(minus);
  return a.map((v, i) => (v - b[i]!) / (2 * h));
}

export const RNN = { B: 2, D: 3, H: 3 } as const;

/**
 * An Elman RNN as a scan: h_t = tanh(x_t W + h_{t−1} U + b); the outputs are
 * every hidden state, z = [h_1 … h_T] of shape [T, B, H], and the loss is
 * ½ Σ (z − C)² (so H_L = I and G = JᵀJ). `unrolled` builds the same model
 * without a loop, step by step, as the definition the scan must agree with.
 */
export function rnn(T: number, unrolled = false): Model {
  const { B, D, H } = RNN;
  const W = input('W', [D, H]);
  const U = input('U', [H, H]);
  const b = input('b', [H]);
  const h0 = input('h0', [B, H]);
  const xs = input('X', [T, B, D]);
  const C = input('y', [T, B, H]);
  const cell = (h: Node, x: Node): Node => tanh(add(add(matmul(x, W), matmul(h, U)), b));
  let z: Node;
  if (unrolled) {
    let h: Node = h0;
    const hs: Node[] = [];
    for (let t = 0; t < T; t++) {
      h = cell(h, reshape(slice(xs, 0, t, t + 1), [B, D]));
      hs.push(h);
    }
    z = stack(hs, 0);
  } else {
    const run = scan({ init: { h: h0 }, sequences: { x: xs }, step: ({ h }, { x }) => {
      const next = cell(h!, x!);
      return { carry: { h: next }, outputs: { h: next } };
    } });
    z = run.outputs['h']!;
  }
  const loss = (s: Node): Node => {
    const d = sub(s, C);
    return mul(constant(0.5), sum(mul(d, d)));
  };
  const params = [W, U, b, h0];
  return { def: { inputs: [...params, xs, C], wrt: params, outputs: z, loss, source: `test RNN T=${T}${unrolled ? ' unrolled' : ''}` }, params, X: xs, y: C };
}

export function rnnData(T: number, seed: number): Record<string, Tensor> {
  const { B, D, H } = RNN;
  const r = SeededRng.fromSeed(seed).asFunction();
  return {
    X: tensor([T, B, D], Array.from({ length: T * B * D }, () => 2 * r() - 1)),
    y: tensor([T, B, H], Array.from({ length: T * B * H }, () => 2 * r() - 1)),
  };
}
