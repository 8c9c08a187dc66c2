// Data and models for the distributed tests: real generated modules (the digits MLP,
// the logistic regression example, and the least-squares function of the regression
// golden module: a quadratic), and one-process references computed with the same
// shard kernels the workers use.
import {
  SGD,
  SeededRng,
  loadMnist,
  loadShardLoss,
  range,
  shuffleInPlace,
  subset,
  type Dataset,
  type ShardLoss,
  type UnitLoss,
} from '../../../runtime/index.ts';

export const MLP_MODULE = 'examples/mlp/mlp.grad.ts';
export const LOGISTIC_MODULE = 'examples/logistic-regression/logistic.grad.ts';
export const LAMBDA = 1e-3;
/** 0.5 Σ (A v − t)² over a batch, v of 4: its Hessian AᵀA is constant, so a first-order correction of its gradient is exact. */
export const QUADRATIC_MODULE = 'test/compiler/golden/models/regression.grad.ts';
export const QUADRATIC_FUNCTION = 'leastSquares';

/** Rows A of 4 features and targets t = A v* + noise for the least-squares function. */
export function quadraticData(count: number, seed: number): Dataset {
  const rand = SeededRng.fromSeed(seed).asFunction();
  const x = new Float64Array(count * 4);
  const y = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let t = 0;
    for (let j = 0; j < 4; j++) {
      const v = 2 * rand() - 1;
      x[i * 4 + j] = v;
      t += v * (j - 1.5);
    }
    y[i] = t + 0.1 * (2 * rand() - 1);
  }
  return { x, y, count, features: 4 };
}

/** Plain SGD that keeps, for every step, the parameters it was given (w_now) and the gradient it applied. */
export class RecordingSGD extends SGD {
  readonly before: Float64Array[] = [];
  readonly grads: Float64Array[] = [];
  readonly lrs: number[] = [];

  override step(params: Float64Array, grad: Float64Array): void {
    this.before.push(params.slice());
    this.grads.push(grad.slice());
    this.lrs.push(this.lr);
    super.step(params, grad);
  }
}

/** `count` digits drawn at random (the mnist package lists them by class). */
export function digits(count: number): Dataset {
  const order = shuffleInPlace(range(10_000), SeededRng.fromSeed(5));
  return subset(loadMnist(), order.subarray(0, count));
}

/** Labels y ∈ {0, 1} from a noisy linear rule on 4 features, for the logistic model. */
export function binaryData(count: number, seed: number): Dataset {
  const rand = SeededRng.fromSeed(seed).asFunction();
  const x = new Float64Array(count * 4);
  const y = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let z = 0.3;
    for (let j = 0; j < 4; j++) {
      const v = 2 * rand() - 1;
      x[i * 4 + j] = v;
      z += v * (j + 1) * (j % 2 === 0 ? 1 : -1);
    }
    y[i] = z + 0.5 * (2 * rand() - 1) > 0 ? 1 : 0;
  }
  return { x, y, count, features: 4 };
}

/** The workers' shard loss, loaded in this process. */
export function localShardLoss(module: string, data: Dataset, constants?: readonly number[]): Promise<ShardLoss> {
  return loadShardLoss({ module, function: 'loss', data, ...(constants === undefined ? {} : { constants }) });
}

/** The trainer's unit loss over the same shard loss. */
export function unitLoss(shardLoss: ShardLoss): UnitLoss {
  return (params, unit, gradOut) => shardLoss(params, unit.indices, gradOut);
}

export function sameBits(a: Float64Array, b: Float64Array): boolean {
  if (a.length !== b.length) return false;
  const x = new BigInt64Array(a.buffer, a.byteOffset, a.length);
  const y = new BigInt64Array(b.buffer, b.byteOffset, b.length);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}
