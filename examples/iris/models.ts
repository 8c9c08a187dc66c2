/**
 * The two Iris classifiers as the runtime's trainer takes them, from the
 * modules gradc generated from softmax.model.ts and mlp.model.ts: the
 * flat-vector loss-and-gradient and logits over one parameter vector, and a
 * seeded Glorot-uniform initialization. Nothing is compiled at run time.
 */
import { SeededRng, type BatchLogits, type BatchValueAndGradient } from '../../runtime/index.ts';
import * as mlp from './mlp.grad.ts';
import * as softmax from './softmax.grad.ts';

export const FEATURES = 4;
export const CLASSES = 3;

export type IrisModel = 'softmax regression' | 'MLP';

export interface ClassifierKernels {
  /** Length of the flat parameter vector (the parameters in order, row-major). */
  readonly size: number;
  readonly valueAndGradient: BatchValueAndGradient;
  readonly logits: BatchLogits;
  /** Each weight matrix U(−a, a) with a = √(6 / (fan in + fan out)); biases 0. */
  init(seed: number): Float64Array;
}

interface Layout {
  readonly size: number;
  readonly params: readonly { readonly shape: readonly number[]; readonly offset: number; readonly size: number }[];
}

function glorot(layout: Layout, seed: number): Float64Array {
  const rng = SeededRng.fromSeed(seed);
  const params = new Float64Array(layout.size);
  for (const { shape, offset, size } of layout.params) {
    if (shape.length !== 2) continue;
    const a = Math.sqrt(6 / (shape[0]! + shape[1]!));
    for (let i = offset; i < offset + size; i++) params[i] = (2 * rng.float() - 1) * a;
  }
  return params;
}

/** Named views of a flat vector, made once per vector rather than per step. */
function viewsOnce<T>(unpack: (x: Float64Array) => T): (x: Float64Array) => T {
  let last: Float64Array | undefined;
  let views: T | undefined;
  return (x) => {
    if (x !== last) [last, views] = [x, unpack(x)];
    return views!;
  };
}

/** The first `length` values of `a` (the trainer's buffers may be longer than the batch). */
const front = (a: Float64Array, length: number) => (a.length === length ? a : a.subarray(0, length));

function softmaxKernels(): ClassifierKernels {
  const named = viewsOnce(softmax.unpackLoss);
  return {
    size: softmax.lossLayout.size,
    valueAndGradient: (p, x, y, n, gradOut) => {
      const { W, b } = named(p);
      return softmax.lossValueAndGradient(W, b, front(x, n * FEATURES), front(y, n), gradOut);
    },
    logits: (p, x, n, out) => {
      const { W, b } = named(p);
      return softmax.logits(W, b, front(x, n * FEATURES), front(out, n * CLASSES));
    },
    init: (seed) => glorot(softmax.lossLayout, seed),
  };
}

function mlpKernels(): ClassifierKernels {
  const named = viewsOnce(mlp.unpackLoss);
  return {
    size: mlp.lossLayout.size,
    valueAndGradient: (p, x, y, n, gradOut) => {
      const { W1, b1, W2, b2 } = named(p);
      return mlp.lossValueAndGradient(W1, b1, W2, b2, front(x, n * FEATURES), front(y, n), gradOut);
    },
    logits: (p, x, n, out) => {
      const { W1, b1, W2, b2 } = named(p);
      return mlp.logits(W1, b1, W2, b2, front(x, n * FEATURES), front(out, n * CLASSES));
    },
    init: (seed) => glorot(mlp.lossLayout, seed),
  };
}

export function irisKernels(model: IrisModel): ClassifierKernels {
  return model === 'MLP' ? mlpKernels() : softmaxKernels();
}
