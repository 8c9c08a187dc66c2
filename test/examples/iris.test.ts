/**
 * examples/iris: both generated modules (softmax regression and the tanh MLP)
 * agree with the eager run of their model files and with finite differences
 * on the standardized Iris flowers; their logits equal the eager run for any
 * batch size; trained by the trainer, both classify the held-out flowers with
 * at least 95 % accuracy.
 */
import { describe, expect, it } from 'vitest';
import * as mlp from '../../examples/iris/mlp.grad.ts';
import * as mlpModel from '../../examples/iris/mlp.model.ts';
import { CLASSES, FEATURES, irisKernels } from '../../examples/iris/models.ts';
import * as softmax from '../../examples/iris/softmax.grad.ts';
import * as softmaxModel from '../../examples/iris/softmax.model.ts';
import { trainIris } from '../../examples/iris/train.ts';
import { fitStandardizer, loadIris, standardize } from '../../runtime/index.ts';
import { checkAgainstEagerAndDifferences, viewAs } from './checkModel.ts';

const raw = loadIris();
const flowers = standardize(raw, fitStandardizer(raw));
const X = viewAs(flowers.x, [flowers.count, FEATURES]);
const labels = viewAs(flowers.y, [flowers.count]);

const softmaxViews = (x: Float64Array) => {
  const p = softmax.unpackLoss(x);
  return [viewAs(p.W, [FEATURES, CLASSES]), viewAs(p.b, [CLASSES])] as const;
};
const mlpViews = (x: Float64Array) => {
  const p = mlp.unpackLoss(x);
  return [viewAs(p.W1, [FEATURES, 8]), viewAs(p.b1, [8]), viewAs(p.W2, [8, CLASSES]), viewAs(p.b2, [CLASSES])] as const;
};
/** Glorot-uniform weights with nonzero biases, so every parameter block matters. */
const start = (model: 'softmax regression' | 'MLP') => irisKernels(model).init(5).map((v, i) => (v === 0 ? 0.1 * Math.sin(i + 1) : v));

describe('examples/iris', () => {
  checkAgainstEagerAndDifferences('softmax regression loss', () => ({
    flat: softmax.lossFlat(flowers.x, flowers.y),
    eager: (x) => softmaxModel.loss(...softmaxViews(x), X, labels),
    x: start('softmax regression'),
    h: 1e-3,
  }));

  checkAgainstEagerAndDifferences('MLP loss', () => ({
    flat: mlp.lossFlat(flowers.x, flowers.y),
    eager: (x) => mlpModel.loss(...mlpViews(x), X, labels),
    x: start('MLP'),
    h: 1e-3,
  }));

  it('the adapted logits equal the eager run of each model file, for one flower and for all', () => {
    for (const model of ['softmax regression', 'MLP'] as const) {
      const kernels = irisKernels(model);
      const p = start(model);
      for (const rows of [1, flowers.count]) {
        const x = flowers.x.subarray(0, rows * FEATURES);
        const compiled = kernels.logits(p, x, rows, new Float64Array(flowers.count * CLASSES));
        const xs = viewAs(x, [rows, FEATURES]);
        const eager = (model === 'MLP' ? mlpModel.logits(...mlpViews(p), xs) : softmaxModel.logits(...softmaxViews(p), xs)).data;
        expect(compiled.length).toBe(rows * CLASSES);
        compiled.forEach((z, i) => expect(z).toBeCloseTo(eager[i]!, 12));
      }
    }
  });

  for (const kind of ['softmax regression', 'MLP'] as const) {
    it(`${kind}, trained by train(), reaches ≥ 95 % validation accuracy`, async () => {
      const m = await trainIris(kind);
      expect(m['accuracy']).toBeGreaterThanOrEqual(0.95);
      expect(m['loss']).toBeLessThan(0.2);
    });
  }
});
