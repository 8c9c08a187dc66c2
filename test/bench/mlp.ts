// The benchmark's model and data, shared by every peer: one definition of the
// MLP, its flat parameter layout, the step contract and seeded random data, so
// that all peers are checked and timed on exactly the same problem.
//
//   Z1 = X·W1 + b1        X [batch, inputs], W1 [inputs, hidden]
//   H1 = relu(Z1)
//   Z2 = H1·W2 + b2       W2 [hidden, classes]
//   loss = mean over rows of −log softmax(Z2)[row, label]

import { SeededRng } from '../../runtime/random/seededRng.ts';

export interface MlpConfig {
  readonly name: string;
  readonly inputs: number;
  readonly hidden: number;
  readonly classes: number;
  readonly batch: number;
}

/**
 * One training step: loss and the gradient with respect to every weight (not
 * with respect to the input batch).
 *
 * - `params`  — flat Float64Array, blocks in the order W1, b1, W2, b2, each
 *               row-major: W1 [inputs, hidden], b1 [hidden], W2 [hidden, classes],
 *               b2 [classes]; offsets in {@link paramLayout}.
 * - `X`       — the input batch, [batch, inputs] row-major.
 * - `labels`  — [batch] integer class ids in 0..classes-1, stored as doubles.
 * - `gradOut` — same length and layout as `params`; overwritten (not added to)
 *               with ∂loss/∂params.
 * - returns   — the mean softmax cross-entropy loss over the batch.
 *
 * A StepFn must not retain or modify `params`, `X` or `labels`, and should
 * allocate nothing per call beyond a few views (workspace is made once, when
 * the step is built for a config).
 */
export type StepFn = (
  params: Float64Array,
  X: Float64Array,
  labels: Float64Array,
  gradOut: Float64Array,
) => number;

export interface ParamLayout {
  readonly w1: number;
  readonly b1: number;
  readonly w2: number;
  readonly b2: number;
  readonly size: number;
}

export const PARAM_BLOCKS = ['W1', 'b1', 'W2', 'b2'] as const;
export type ParamBlock = (typeof PARAM_BLOCKS)[number];

export function paramLayout(c: MlpConfig): ParamLayout {
  const w1 = 0;
  const b1 = w1 + c.inputs * c.hidden;
  const w2 = b1 + c.hidden;
  const b2 = w2 + c.hidden * c.classes;
  return { w1, b1, w2, b2, size: b2 + c.classes };
}

/** [start, end) of each parameter block in the flat vector. */
export function blockRanges(c: MlpConfig): Record<ParamBlock, readonly [number, number]> {
  const L = paramLayout(c);
  return { W1: [L.w1, L.b1], b1: [L.b1, L.w2], W2: [L.w2, L.b2], b2: [L.b2, L.size] };
}

/**
 * Floating-point operations in one step, counting a multiply-add as 2:
 * forward X·W1 and H1·W2, backward H1ᵀ·dZ2, dZ2·W2ᵀ and Xᵀ·dZ1
 * (no dX: the input batch is not differentiated).
 */
export function stepFlops(c: MlpConfig): number {
  const first = 2 * c.batch * c.inputs * c.hidden;
  const second = 2 * c.batch * c.hidden * c.classes;
  return 2 * first + 3 * second;
}

/** Uniform floats in [0, 1) from the runtime's SeededRng, reproducible from `seed`. */
export function makeRng(seed: number): () => number {
  return SeededRng.fromSeed(seed).asFunction();
}

export interface Problem {
  readonly params: Float64Array;
  readonly X: Float64Array;
  readonly labels: Float64Array;
}

/**
 * Glorot-uniform weights, small random biases (so their gradients are tested
 * with nonzero values), pixel-like inputs in [0, 1) and uniform labels.
 */
export function makeProblem(c: MlpConfig, seed: number): Problem {
  const rng = makeRng(seed);
  const L = paramLayout(c);
  const params = new Float64Array(L.size);
  const fill = (from: number, to: number, scale: number): void => {
    for (let i = from; i < to; i++) params[i] = (2 * rng() - 1) * scale;
  };
  fill(L.w1, L.b1, Math.sqrt(6 / (c.inputs + c.hidden)));
  fill(L.b1, L.w2, 0.1);
  fill(L.w2, L.b2, Math.sqrt(6 / (c.hidden + c.classes)));
  fill(L.b2, L.size, 0.1);
  const X = new Float64Array(c.batch * c.inputs);
  for (let i = 0; i < X.length; i++) X[i] = rng();
  const labels = new Float64Array(c.batch);
  for (let i = 0; i < labels.length; i++) labels[i] = Math.floor(rng() * c.classes);
  return { params, X, labels };
}
