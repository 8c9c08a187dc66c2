// Small problems with hand-written gradients for the trainer tests: linear
// least squares, so that every number the trainer sees is checkable in plain TS.
import { SeededRng } from '../../../runtime/index.ts';
import type { Metrics, TrainUnit, UnitLoss } from '../../../runtime/index.ts';

export interface Regression {
  readonly x: Float64Array;
  readonly y: Float64Array;
  readonly count: number;
  readonly features: number;
}

/** y = x·wTrue + noise, with x ~ U(−1, 1). */
export function makeRegression(count: number, features: number, noise: number, seed: number): Regression {
  const rand = SeededRng.fromSeed(seed).asFunction();
  const wTrue = Array.from({ length: features }, () => 2 * rand() - 1);
  const x = new Float64Array(count * features);
  const y = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let s = 0;
    for (let j = 0; j < features; j++) {
      const v = 2 * rand() - 1;
      x[i * features + j] = v;
      s += v * wTrue[j]!;
    }
    y[i] = s + noise * (2 * rand() - 1);
  }
  return { x, y, count, features };
}

/**
 * ½ mean over `rows` of (x·w + b − y)², parameters [w…, b]; the gradient into gradOut:
 * ∂/∂w = mean r x, ∂/∂b = mean r with r = x·w + b − y.
 */
export function mseAt(data: Regression, params: Float64Array, rows: ArrayLike<number>, gradOut: Float64Array | null): number {
  const d = data.features;
  if (gradOut !== null) gradOut.fill(0);
  let loss = 0;
  for (let k = 0; k < rows.length; k++) {
    const i = rows[k]!;
    let r = params[d]! - data.y[i]!;
    for (let j = 0; j < d; j++) r += params[j]! * data.x[i * d + j]!;
    loss += 0.5 * r * r;
    if (gradOut !== null) {
      for (let j = 0; j < d; j++) gradOut[j] += r * data.x[i * d + j]!;
      gradOut[d] += r;
    }
  }
  const n = rows.length;
  if (gradOut !== null) for (let j = 0; j <= d; j++) gradOut[j] /= n;
  return loss / n;
}

export function mseLoss(data: Regression): UnitLoss {
  return (params, unit: TrainUnit, gradOut) => mseAt(data, params, unit.indices, gradOut);
}

export function mseMetrics(data: Regression): (params: Float64Array) => Metrics {
  const all = Int32Array.from({ length: data.count }, (_, i) => i);
  return (params) => ({ loss: mseAt(data, params, all, null) });
}
