/**
 * examples/curriculum: the generated module of the adding-problem RNN (a loop
 * over the named dimension `time`, one scan node) agrees with the eager run of
 * the model file and with finite differences on a padded batch of sequences
 * of different lengths; padding leaves each sequence's final state as if it
 * ran alone; the curriculum admits exactly the scheduled shortest sequences;
 * and a short run learns with and without it.
 */
import { describe, expect, it } from 'vitest';
import { addingData, BASELINE, gatherBatch, HIDDEN, initAdding, lastHidden, type AddingBatch } from '../../examples/curriculum/adding.ts';
import { lossFlat, lossValueAndGradient, loss as lossValue, unpackLoss } from '../../examples/curriculum/adding.grad.ts';
import { loss as eagerLoss } from '../../examples/curriculum/adding.model.ts';
import { addingSetup, trainAdding } from '../../examples/curriculum/train.ts';
import { admittedCount, pacing, truncatedBPTT, type RecurrentStep, type TrainUnit } from '../../runtime/index.ts';
import { differentiate } from '../compiler/gradcheck.ts';
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

  it('truncated BPTT with the compiled RNN: each window\'s gradient holds the incoming state fixed, and the state carries exactly', () => {
    // Sequences of one length (12), split into two windows of 6 steps; h0 is a data input, so it is a constant.
    const even = addingData(4, 12, 12, 8);
    const full = gatherBatch(even, [0, 1, 2, 3]);
    const B = even.count;
    const windowOf = (w: number, hIn: Float64Array): AddingBatch => ({
      X: full.X.subarray(w * 6 * B * 2, (w + 1) * 6 * B * 2),
      mask: full.mask.subarray(w * 6 * B, (w + 1) * 6 * B),
      h0: hIn,
      target: full.target,
      time: 6,
    });
    const step: RecurrentStep<number> = (p, w, hIn, gradOut, hOut) => {
      const { Wx, Wh, b, Wy, c } = unpackLoss(p);
      const win = windowOf(w, hIn);
      hOut.set(lastHidden(p, win));
      return lossValueAndGradient(Wx, Wh, b, Wy, c[0]!, win.X, win.mask, win.h0, win.target, gradOut);
    };
    const tbptt = truncatedBPTT({ step, stateSize: HIDDEN, windows: 2, window: (_indices, w) => w });
    const unit = (window: number): TrainUnit => ({ indices: Int32Array.from([0, 1, 2, 3]), window, windows: 2, epoch: 0 });
    const grads = [new Float64Array(params.length), new Float64Array(params.length)];
    tbptt.loss(params, unit(0), grads[0]!);
    const carried = tbptt.carry.saveState();
    // The state after window 0 is the state after the first 6 steps of the whole sequences.
    const firstHalf = lastHidden(params, windowOf(0, new Float64Array(B * HIDDEN)));
    carried.forEach((h, i) => expect(h).toBe(firstHalf[i]));
    tbptt.loss(params, unit(1), grads[1]!);
    // Two windows end where the whole sequence ends.
    const end = lastHidden(params, full);
    tbptt.carry.saveState().forEach((h, i) => expect(h).toBeCloseTo(end[i]!, 14));
    // Each window's gradient equals central differences of that window's loss with its incoming state held fixed.
    const starts = [new Float64Array(B * HIDDEN), carried];
    for (const w of [0, 1]) {
      const win = windowOf(w, starts[w]!);
      const windowLoss = (x: Float64Array) => {
        const { Wx, Wh, b, Wy, c } = unpackLoss(x);
        return lossValue(Wx, Wh, b, Wy, c[0]!, win.X, win.mask, win.h0, win.target);
      };
      for (const k of [0, 40, 290, 310, 320]) {
        const estimate = differentiate((t) => {
          const x = params.slice();
          x[k]! += t;
          return [windowLoss(x)];
        }, 1e-4);
        expect(estimate.reliable, estimate.why).toBe(true);
        expect(grads[w]![k]).toBeCloseTo(estimate.derivative[0]!, 8);
      }
    }
    // And it is not the full-BPTT gradient: window 1 ignores how the parameters shaped its incoming state.
    const fullGrad = new Float64Array(params.length);
    const { Wx, Wh, b, Wy, c } = unpackLoss(params);
    lossValueAndGradient(Wx, Wh, b, Wy, c[0]!, full.X, full.mask, full.h0, full.target, fullGrad);
    expect(fullGrad.some((g, i) => Math.abs(g - grads[1]![i]!) > 1e-6)).toBe(true);
  });
});
