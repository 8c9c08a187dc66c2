// The Iris example end to end: both models, compiled by gradc and trained by the
// trainer, classify the held-out flowers with at least 95 % accuracy.
import { describe, expect, it } from 'vitest';
import { trainIris } from '../../../examples/iris/train.ts';

describe('examples/iris', () => {
  for (const kind of ['softmax regression', 'MLP'] as const) {
    it(`${kind} reaches ≥ 95 % validation accuracy`, async () => {
      const m = await trainIris(kind);
      expect(m['accuracy']).toBeGreaterThanOrEqual(0.95);
      expect(m['loss']).toBeLessThan(0.2);
    });
  }
});
