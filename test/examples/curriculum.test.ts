/**
 * examples/curriculum: the generated module of the adding-problem RNN (a loop
 * over the named dimension `time`, one scan node) agrees with the eager run of
 * the model file and with finite differences on a padded batch of sequences
 * of different lengths; padding leaves each sequence's final state as if it
 * ran alone; the curriculum admits exactly the scheduled shortest sequences;
 * and a short run learns with and without it.
 */
import { describe, expect, it } from 'vitest';
import { addingData, BASELINE, gatherBatch, HIDDEN, initAdding, lastHidden } from '../../examples/curriculum/adding.ts';
import { lossFlat, unpackLoss } from '../../examples/curriculum/adding.grad.ts';
import { loss as eagerLoss } from '../../examples/curriculum/adding.model.ts';
import { addingSetup, trainAdding } from '../../examples/curriculum/train.ts';
import { admittedCount, pacing } from '../../runtime/index.ts';
import { checkAgainstEagerAndDifferences, viewAs } from './checkModel.ts';

const data = addingData(6, 3, 9, 4);
const all = Array.from({ length: data.count }, (_, i) => i);
const batch = gatherBatch(data, all);
/** Trained-looking weights: Glorot, with small nonzero biases. */
const params = initAdding(2).map((p, i) => (p === 0 ? 0.05 * Math.cos(i) : p));

describe('examples/curriculum', () => {
  it('the test batch mixes lengths, so the mask matters', () => {
    expect(new Set(data.lengths).size).toBeGreaterThan(2);
    expect(batch.time).toBe(Math.max(...data.lengths));
  });

  checkAgainstEagerAndDifferences('loss (an Elman RNN over a padded batch, one scan)', () => ({
    flat: lossFlat(batch.X, batch.mask, batch.h0, batch.target),
    eager: (x) => {
      const { Wx, Wh, b, Wy, c } = unpackLoss(x);
      const B = data.count;
      return eagerLoss(
        viewAs(Wx, [2, HIDDEN]), viewAs(Wh, [HIDDEN, HIDDEN]), viewAs(b, [HIDDEN]), viewAs(Wy, [HIDDEN]), c[0]!,
        viewAs(batch.X, [batch.time, B, 2]), viewAs(batch.mask, [batch.time, B, 1]), viewAs(batch.h0, [B, HIDDEN]), viewAs(batch.target, [B]),
      );
    },
    x: params,
    h: 1e-4,
  }));

  it('a padded sequence ends in the state it reaches when run alone, to its own length', () => {
    const together = lastHidden(params, batch);
    for (const i of all) {
      const alone = lastHidden(params, gatherBatch(data, [i]));
      expect(gatherBatch(data, [i]).time).toBe(data.lengths[i]);
      alone.forEach((h, k) => expect(together[i * HIDDEN + k]).toBeCloseTo(h, 14));
    }
  });

  const setup = addingSetup({ count: 600, minLength: 3, maxLength: 12, validation: 64, epochs: 30, seed: 3 });

  it('the curriculum trains each epoch on exactly the admitted shortest sequences', async () => {
    const run = await trainAdding(setup, true);
    const sorted = Array.from(setup.trainSet.lengths).sort((a, b) => a - b);
    const fraction = pacing('linear', setup.pacing);
    run.history.forEach((record, epoch) => {
      const admitted = admittedCount(fraction(epoch), setup.trainSet.count);
      expect(record.examples).toBe(admitted);
      expect(run.longestSeen[epoch]).toBe(sorted[admitted - 1]);
    });
    // It starts on short sequences only and ends on all of them.
    expect(run.longestSeen[0]).toBeLessThan(setup.trainSet.longest);
    expect(run.longestSeen.at(-1)).toBe(setup.trainSet.longest);
  });

  for (const curriculum of [false, true]) {
    it(`${curriculum ? 'with' : 'without'} the curriculum, a short run learns the sum on held-out sequences`, async () => {
      const run = await trainAdding(setup, curriculum);
      const last = run.history.at(-1)!;
      // Predicting the mean scores BASELINE; a third of it needs the two marked values.
      expect(last.validation['loss']).toBeLessThan(BASELINE / 3);
    });
  }
});
