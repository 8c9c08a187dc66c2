/**
 * examples/mlp: the generated module of the digits MLP agrees with the eager
 * run of the model file and with finite differences on real digits, and
 * training through it with the runtime's trainer learns the digits.
 */
import { describe, expect, it } from 'vitest';
import { logits, lossFlat, unpackLoss } from '../../examples/mlp/mlp.grad.ts';
import { logits as eagerLogits, loss as eagerLoss } from '../../examples/mlp/mlp.model.ts';
import { CLASSES, INPUTS, mlpKernels } from '../../examples/mlp/mlp.ts';
import { trainMlp } from '../../examples/mlp/train.ts';
import { loadMnist, subset, trainValidationSplit } from '../../runtime/index.ts';
import { checkAgainstEagerAndDifferences, viewAs } from './checkModel.ts';

const digits = loadMnist();
/** Five real digits of different classes: the batch the derivatives are checked on. */
const batch = subset(digits, [0, 1500, 3000, 6000, 9000]);
const X = viewAs(batch.x, [batch.count, INPUTS]);
const labels = viewAs(batch.y, [batch.count]);
const named = (x: Float64Array) => {
  const p = unpackLoss(x);
  return [viewAs(p.W1, [INPUTS, 64]), viewAs(p.b1, [64]), viewAs(p.W2, [64, CLASSES]), viewAs(p.b2, [CLASSES])] as const;
};
/** Glorot-uniform weights, as training starts from. */
const params = mlpKernels().init(3);

describe('examples/mlp', () => {
  checkAgainstEagerAndDifferences('loss (softmax cross-entropy of the MLP)', () => ({
    flat: lossFlat(batch.x, batch.y),
    eager: (x) => eagerLoss(...named(x), X, labels),
    x: params,
    h: 1e-4,
  }));

  it('logits (a tensor output, batch named) equal the eager run for any batch size', () => {
    for (const rows of [1, batch.count]) {
      const p = unpackLoss(params);
      const compiled = logits(p.W1, p.b1, p.W2, p.b2, batch.x.subarray(0, rows * INPUTS));
      const eager = eagerLogits(...named(params), viewAs(batch.x.subarray(0, rows * INPUTS), [rows, INPUTS])).data;
      expect(compiled.length).toBe(rows * CLASSES);
      compiled.forEach((z, i) => expect(z).toBeCloseTo(eager[i]!, 12));
    }
  });

  it('the trainer learns the digits through the generated module', async () => {
    const { train, validation } = trainValidationSplit(subset(digits, Array.from({ length: 2500 }, (_, i) => i * 4)), { validationFraction: 0.2, seed: 7, stratify: true });
    const run = await trainMlp(train, validation, 2, { progress: false });
    expect(run.after['loss']!).toBeLessThan(run.before['loss']! / 3);
    expect(run.after['accuracy']!).toBeGreaterThan(0.8);
  });
});
