// examples/distributed: its training function runs trainDistributed on worker threads
// in both modes on a slice of the digits for one epoch, measures the validation loss
// along the way (update 1 … the last), and ends with a finite accuracy; async reports
// the staleness of every update.
import { describe, expect, it } from 'vitest';
import { loadMnist, subset, trainValidationSplit } from '../../runtime/index.ts';
import { trainDigitsDistributed } from '../../examples/distributed/digits.ts';

const { train, validation } = trainValidationSplit(subset(loadMnist(), Array.from({ length: 1200 }, (_, i) => i * 8)), { validationFraction: 0.25, seed: 7, stratify: true });
const BATCH = 60;
const UPDATES = Math.floor(train.count / BATCH);

describe('examples/distributed', () => {
  for (const mode of ['sync', 'async'] as const) {
    it(`trains the digits MLP in mode ${mode} on 2 worker threads`, async () => {
      const run = await trainDigitsDistributed(train, validation, { mode, workers: 2, epochs: 1, batchSize: BATCH, lr: 3e-3, evalEvery: 5 });
      expect(run.result.steps).toBe(UPDATES);
      expect(Number.isFinite(run.accuracy)).toBe(true);
      expect(run.accuracy).toBeGreaterThanOrEqual(0);
      expect(run.accuracy).toBeLessThanOrEqual(1);
      // The loss measured after update 1, every 5 updates and after the last; one epoch already lowers it.
      expect(run.curve[0]!.update).toBe(1);
      expect(run.curve.at(-1)!.update).toBe(UPDATES);
      const measured = [1, ...Array.from({ length: Math.floor(UPDATES / 5) }, (_, k) => 5 * (k + 1))];
      if (measured.at(-1) !== UPDATES) measured.push(UPDATES);
      expect(run.curve.map((p) => p.update)).toEqual(measured);
      expect(run.loss).toBeLessThan(run.curve[0]!.loss);
      for (let i = 1; i < run.curve.length; i++) expect(run.curve[i]!.seconds).toBeGreaterThanOrEqual(run.curve[i - 1]!.seconds);
      if (mode === 'async') {
        expect(run.staleness?.updates).toBe(UPDATES);
        expect(run.staleness!.histogram.reduce((a, b) => a + b, 0)).toBe(UPDATES);
      } else {
        expect(run.staleness).toBeNull();
        expect(run.result.distributed.usedGradients).toBe(2 * UPDATES);
      }
    });
  }
});
