/**
 * An Elman RNN (tanh) over 100-step sequences, built with the IR API: the
 * recurrence is one `scan`, so the compiled kernels hold one loop whatever
 * the length. Task: delayed recall, a task where memory over time matters.
 * The input is a stream of uniform numbers u_t ∈ [−1, 1]; at each step t ≥ d
 * the network must output u_{t−d}, the number it saw d steps earlier:
 *
 *     h_t = tanh(x_t W + h_{t−1} U + b),   ŷ_t = h_t V + c,
 *     loss = mean over t ≥ d and the batch of (ŷ_t − u_{t−d})².
 *
 * Predicting 0 scores E[u²] = 1/3. Trained with Adam under full BPTT and
 * under truncated BPTT (windows of k steps: no gradient crosses a window
 * boundary, the hidden state is carried forward unchanged).
 */
import { compileModel } from '../../compiler/index.ts';
import type { CompiledModel, LoopOptions } from '../../compiler/index.ts';
import { add, input, matmul, mul, scan, sub, sum, tanh } from '../../compiler/index.ts';
import { Adam, clipGradNorm, SeededRng } from '../../runtime/index.ts';

export interface RnnConfig {
  readonly steps: number;
  readonly batch: number;
  readonly hidden: number;
  /** How many steps back the target lies. */
  readonly delay: number;
}

export const CONFIG: RnnConfig = { steps: 100, batch: 32, hidden: 32, delay: 12 };

/** The mean squared error of always predicting 0: E[u²] for u uniform on [−1, 1]. */
export const BASELINE = 1 / 3;

export function compileRnn(config: RnnConfig, loop: LoopOptions = {}): CompiledModel {
  const { steps: T, batch: B, hidden: H } = config;
  const W = input('W', [1, H]);
  const U = input('U', [H, H]);
  const b = input('b', [H]);
  const V = input('V', [H, 1]);
  const c = input('c', [1]);
  const xs = input('xs', [T, B, 1]);
  const ys = input('ys', [T, B, 1]);
  /** 1 where step t has a target (t ≥ d), scaled so that the sum is the mean. */
  const weight = input('weight', [T, 1, 1]);
  const h0 = input('h0', [B, H]);
  const run = scan({
    init: { h: h0 },
    sequences: { x: xs, y: ys },
    step: ({ h }, { x, y }) => {
      const next = tanh(add(add(matmul(x!, W), matmul(h!, U)), b));
      return { carry: { h: next }, outputs: { error: sub(add(matmul(next, V), c), y!) } };
    },
    ...loop,
  });
  const error = run.outputs['error']!;
  const loss = sum(mul(mul(error, error), weight));
  const params = [W, U, b, V, c];
  return compileModel({ inputs: [...params, xs, ys, weight, h0], loss, wrt: params, source: 'examples/rnn/rnn.ts' });
}

/** A batch of the task: inputs, delayed targets, and the per-step weights of the mean. */
export class TaskBatch {
  readonly xs: Float64Array;
  readonly ys: Float64Array;
  readonly weight: Float64Array;
  readonly h0: Float64Array;

  constructor(readonly config: RnnConfig) {
    const { steps: T, batch: B, hidden: H, delay } = config;
    this.xs = new Float64Array(T * B);
    this.ys = new Float64Array(T * B);
    this.weight = Float64Array.from({ length: T }, (_, t) => (t >= delay ? 1 / (B * (T - delay)) : 0));
    this.h0 = new Float64Array(B * H);
  }

  /** New sequences drawn from `random`. */
  draw(random: () => number): this {
    const { steps: T, batch: B, delay } = this.config;
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < B; i++) {
        this.xs[t * B + i] = 2 * random() - 1;
        this.ys[t * B + i] = t >= delay ? this.xs[(t - delay) * B + i]! : 0;
      }
    }
    return this;
  }
}

/** Kernels of a compiled RNN on a flat parameter vector θ (layout order) and a batch. */
export function rnnKernels(model: CompiledModel) {
  type Kernel = (...args: unknown[]) => number;
  const value = model.kernels['value'] as Kernel;
  const valueAndGradient = model.kernels['valueAndGradient'] as Kernel;
  const args = (theta: Float64Array, batch: TaskBatch) => {
    const data: Record<string, Float64Array> = { xs: batch.xs, ys: batch.ys, weight: batch.weight, h0: batch.h0 };
    return model.derivatives.inputs.map((x) => {
      const e = model.layout.find((l) => l.name === x.name);
      return e === undefined ? data[x.name]! : theta.subarray(e.offset, e.offset + e.size);
    });
  };
  return {
    loss: (theta: Float64Array, batch: TaskBatch) => value(...args(theta, batch)),
    lossAndGradient: (theta: Float64Array, batch: TaskBatch, gradOut: Float64Array) => valueAndGradient(...args(theta, batch), gradOut),
  };
}

/** Small random W and V, U the identity plus noise (the state persists at first), zero biases. */
export function initialParameters(model: CompiledModel, hidden: number, seed: number): Float64Array {
  const random = SeededRng.fromSeed(seed).asFunction();
  const theta = new Float64Array(model.size);
  for (const e of model.layout) {
    for (let i = 0; i < e.size; i++) {
      const r = 2 * random() - 1;
      if (e.name === 'U') theta[e.offset + i] = (Math.floor(i / hidden) === i % hidden ? 1 : 0) + 0.05 * r;
      else if (e.name === 'W' || e.name === 'V') theta[e.offset + i] = 0.5 * r;
    }
  }
  return theta;
}

export interface TrainOptions {
  readonly iterations: number;
  readonly lr?: number;
  /** Evaluate on held-out batches every this many iterations. */
  readonly evalEvery?: number;
  readonly seed?: number;
  /** Clip the gradient to this norm before each step (default 10; Infinity: no clipping). */
  readonly maxNorm?: number;
}

export interface TrainResult {
  /** (iteration, held-out loss) pairs, the first before any training. */
  readonly curve: readonly (readonly [number, number])[];
  readonly final: number;
  readonly theta: Float64Array;
}

/** Adam (lr 1e-2), gradients clipped to norm 10 (BPTT's gradients can burst); the held-out loss averages 4 fixed batches. */
export function train(model: CompiledModel, config: RnnConfig, options: TrainOptions): TrainResult {
  const { iterations, lr = 1e-2, evalEvery = 50, seed = 1, maxNorm = 10 } = options;
  const k = rnnKernels(model);
  const theta = initialParameters(model, config.hidden, seed);
  const grad = new Float64Array(model.size);
  const adam = new Adam({ lr });
  const random = SeededRng.fromSeed(seed + 1).asFunction();
  const batch = new TaskBatch(config);
  const heldOut = Array.from({ length: 4 }, (_, i) => new TaskBatch(config).draw(SeededRng.fromSeed(1000 + i).asFunction()));
  const evaluate = () => heldOut.reduce((s, b) => s + k.loss(theta, b), 0) / heldOut.length;
  const curve: [number, number][] = [[0, evaluate()]];
  for (let it = 1; it <= iterations; it++) {
    k.lossAndGradient(theta, batch.draw(random), grad);
    if (maxNorm < Infinity) clipGradNorm(grad, maxNorm);
    adam.step(theta, grad);
    if (it % evalEvery === 0 || it === iterations) curve.push([it, evaluate()]);
  }
  return { curve, final: curve[curve.length - 1]![1], theta };
}
