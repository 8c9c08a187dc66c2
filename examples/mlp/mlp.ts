/**
 * The digits MLP as the runtime's trainer takes it, from the module gradc
 * generated from mlp.model.ts: the flat-vector loss-and-gradient and logits
 * over one parameter vector laid out as `lossLayout`, and a seeded
 * Glorot-uniform initialization. Nothing is compiled at run time.
 */
import { SeededRng, type BatchLogits, type BatchValueAndGradient } from '../../runtime/index.ts';
import * as generated from './mlp.grad.ts';
import { lossLayout, type LossParams } from './mlp.grad.ts';

export const INPUTS = 784;
export const CLASSES = 10;

export interface MlpKernels {
  /** Length of the flat parameter vector: W1, b1, W2, b2, row-major. */
  readonly size: number;
  /** Mean softmax cross-entropy of a batch, with its gradient written into gradOut. */
  readonly valueAndGradient: BatchValueAndGradient;
  /** Logits [size, 10] of a batch into out. */
  readonly logits: BatchLogits;
  /** Each weight matrix U(−a, a) with a = √(6 / (fan in + fan out)); biases 0. */
  init(seed: number): Float64Array;
}

function glorot(seed: number): Float64Array {
  const rng = SeededRng.fromSeed(seed);
  const params = new Float64Array(lossLayout.size);
  for (const { shape, offset, size } of lossLayout.params) {
    if (shape.length !== 2) continue;
    const a = Math.sqrt(6 / (shape[0] + shape[1]));
    for (let i = offset; i < offset + size; i++) params[i] = (2 * rng.float() - 1) * a;
  }
  return params;
}

/** The first `length` values of `a`, without a new view when that is all of it. */
const front = (a: Float64Array, length: number) => (a.length === length ? a : a.subarray(0, length));

/** What the kernels are bound to: the checked-in module, or a build of the same model file with the same API (a --health one). */
export type MlpModule = Pick<typeof generated, 'logits' | 'lossValueAndGradient' | 'unpackLoss'>;

export function mlpKernels(mod: MlpModule = generated): MlpKernels {
  const { logits, lossValueAndGradient, unpackLoss } = mod;
  // Named views of the flat vector, made once per vector rather than per step.
  let last: Float64Array | undefined;
  let views: LossParams | undefined;
  const named = (params: Float64Array): LossParams => {
    if (params !== last) [last, views] = [params, unpackLoss(params)];
    return views!;
  };
  return {
    size: lossLayout.size,
    // The generated code reads the batch size off X's length and checks labels against it.
    valueAndGradient: (params, x, y, size, gradOut) => {
      const { W1, b1, W2, b2 } = named(params);
      return lossValueAndGradient(W1, b1, W2, b2, front(x, size * INPUTS), front(y, size), gradOut);
    },
    logits: (params, x, size, out) => {
      const { W1, b1, W2, b2 } = named(params);
      return logits(W1, b1, W2, b2, front(x, size * INPUTS), front(out, size * CLASSES));
    },
    init: glorot,
  };
}
