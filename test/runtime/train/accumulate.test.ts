// Gradient accumulation over k mini-batches equals one batch k times larger: the
// same optimizer steps on the same examples, up to rounding.
import { describe, expect, it } from 'vitest';
import { Adam, SGD, accumulateGradient, train } from '../../../runtime/index.ts';
import type { TrainUnit } from '../../../runtime/index.ts';
import { makeRegression, mseAt, mseLoss } from './problems.ts';

const data = makeRegression(96, 5, 0.3, 21);

async function run(batchSize: number, accumulate: number, optimizer: 'sgd' | 'adam'): Promise<{ params: Float64Array; losses: number[] }> {
  const params = new Float64Array(6).fill(0.1);
  const losses: number[] = [];
  await train({
    params,
    examples: data.count,
    loss: mseLoss(data),
    optimizer: optimizer === 'sgd' ? new SGD({ lr: 0.1, momentum: 0.9 }) : new Adam({ lr: 0.05 }),
    epochs: 5,
    batchSize,
    accumulate,
    seed: 9,
    callbacks: { onStep: (s) => void losses.push(s.loss) },
    progress: false,
  });
  return { params, losses };
}

describe('gradient accumulation', () => {
  for (const optimizer of ['sgd', 'adam'] as const) {
    for (const [b, k] of [[8, 4], [6, 4], [16, 3], [10, 4]] as const) {
      it(`k = ${k} batches of ${b} equal one batch of ${k * b} (${optimizer}, ${Math.ceil(96 / b)} batches per epoch)`, async () => {
        const accumulated = await run(b, k, optimizer);
        const big = await run(b * k, 1, optimizer);
        expect(accumulated.losses.length).toBe(big.losses.length);
        accumulated.losses.forEach((l, i) => expect(Math.abs(l - big.losses[i]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(l))));
        accumulated.params.forEach((p, i) => expect(Math.abs(p - big.params[i]!)).toBeLessThanOrEqual(1e-12));
      });
    }
  }

  it('weights unequal mini-batches by their sizes, as the mean over their union', () => {
    const params = Float64Array.from([0.3, -0.2, 0.5, 0.1, -0.4, 0.2]);
    const parts = [[0, 1, 2, 3, 4], [5, 6], [7, 8, 9]].map((r): TrainUnit => ({ indices: Int32Array.from(r), window: 0, windows: 1, epoch: 0 }));
    const grad = new Float64Array(6);
    const acc = accumulateGradient(mseLoss(data), params, parts, 'mean', grad, new Float64Array(6));
    const whole = new Float64Array(6);
    const loss = mseAt(data, params, Int32Array.from({ length: 10 }, (_, i) => i), whole);
    expect(acc.examples).toBe(10);
    expect(Math.abs(acc.loss - loss)).toBeLessThanOrEqual(1e-14);
    grad.forEach((g, i) => expect(Math.abs(g - whole[i]!)).toBeLessThanOrEqual(1e-14));
  });
});
