// Early stopping on a constructed overfitting case: 40 features, 30 noisy training
// examples. Gradient descent drives the training loss down toward interpolating the
// noise while the validation loss turns up; training must stop `patience` epochs
// after the validation minimum and hand back the parameters of that epoch.
import { describe, expect, it } from 'vitest';
import { EarlyStopping, SGD, train } from '../../../runtime/index.ts';
import { makeRegression, mseMetrics, mseLoss, type Regression } from './problems.ts';

function split(all: Regression, trainCount: number): [Regression, Regression] {
  const d = all.features;
  const part = (from: number, to: number): Regression => ({ x: all.x.slice(from * d, to * d), y: all.y.slice(from, to), count: to - from, features: d });
  return [part(0, trainCount), part(trainCount, all.count)];
}

describe('early stopping', () => {
  it('stops patience epochs after the best validation loss and restores that epoch\'s parameters', async () => {
    const [trainSet, validation] = split(makeRegression(230, 40, 0.8, 11), 30);
    const params = new Float64Array(41);
    const snapshots: Float64Array[] = [];
    const patience = 4;
    const result = await train({
      params,
      examples: trainSet.count,
      loss: mseLoss(trainSet),
      validate: mseMetrics(validation),
      optimizer: new SGD({ lr: 0.3 }),
      epochs: 400,
      batchSize: 30,
      earlyStopping: { patience, minDelta: 0 },
      callbacks: { onEpoch: () => void snapshots.push(params.slice()) },
      progress: false,
    });
    const val = result.history.map((r) => r.validation['loss']!);
    const trainLoss = result.history.map((r) => r.trainLoss);
    const best = val.indexOf(Math.min(...val));
    // It is an overfitting case: training loss still falling while validation rose.
    expect(trainLoss[trainLoss.length - 1]).toBeLessThan(trainLoss[best]!);
    expect(val[val.length - 1]).toBeGreaterThan(val[best]!);
    expect(result.stoppedEarly).toBe(true);
    expect(result.history.length).toBe(best + 1 + patience);
    expect(result.restoredEpoch).toBe(best + 1);
    expect(Array.from(params)).toEqual(Array.from(snapshots[best]!));
    expect(mseMetrics(validation)(params)['loss']).toBe(val[best]);
  });

  it('counts only improvements larger than minDelta, and watches max for accuracies', () => {
    const p = new Float64Array(1);
    const min = new EarlyStopping({ patience: 2, minDelta: 0.1 });
    expect([1, 0.95, 0.92].map((v, e) => min.update(v, e, p))).toEqual([false, false, true]);
    expect(min.bestEpoch).toBe(0);
    const max = new EarlyStopping({ patience: 1, mode: 'max', monitor: 'accuracy' });
    expect([0.5, 0.7, 0.7].map((v, e) => max.update(v, e, p))).toEqual([false, false, true]);
    expect(max.best).toBe(0.7);
  });

  it('names the missing metric when validate() does not return the monitored one', async () => {
    const data = makeRegression(10, 2, 0, 1);
    await expect(
      train({ params: new Float64Array(3), examples: 10, loss: mseLoss(data), validate: () => ({ mse: 1 }), optimizer: new SGD({ lr: 0.1 }), epochs: 2, batchSize: 5, earlyStopping: { patience: 1 }, progress: false }),
    ).rejects.toThrow("Early stopping watches the validation metric 'loss', but validate() returned only [mse]");
  });
});
