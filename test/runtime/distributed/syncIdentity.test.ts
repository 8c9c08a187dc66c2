// Synchronous SGD with b = 0 is one process computing the same shards and summing
// them in shard order, bit for bit: for one step of the digits MLP (the generated
// examples/mlp module), and for whole runs (Adam, clipping, a schedule) against the
// trainer accumulating the same shards, whichever worker finishes first.
import { describe, expect, it } from 'vitest';
import { Adam, SGD, StepLR, combineGradients, train, trainDistributed, type Dataset, type DistributedEvent } from '../../../runtime/index.ts';
import { mlpKernels } from '../../../examples/mlp/mlp.ts';
import { MLP_MODULE, digits, localShardLoss, sameBits, unitLoss } from './fixtures.ts';

const data: Dataset = digits(768);
const model = { module: MLP_MODULE, function: 'loss', data };

describe('synchronous SGD on worker threads (b = 0)', () => {
  it('one step with 2 workers × 128 equals the two shards computed here and summed in order', async () => {
    const start = mlpKernels().init(7);
    // One step: one epoch of exactly one batch, the 256 first examples.
    const one = start.slice();
    await trainDistributed({
      params: one, examples: 256, optimizer: new SGD({ lr: 1 }), epochs: 1, batchSize: 256, shuffle: false, progress: false,
      distributed: { workers: 2, model: { ...model, data: firstExamples(data, 256) } },
    });
    const shardLoss = await localShardLoss(MLP_MODULE, data);
    const n = start.length;
    const parts = [[0, 128], [128, 256]].map(([from, to]) => {
      const gradient = new Float64Array(n);
      const indices = Int32Array.from({ length: to! - from! }, (_, i) => from! + i);
      return { loss: shardLoss(start, indices, gradient), examples: indices.length, gradient };
    });
    const grad = new Float64Array(n);
    combineGradients(parts, 'mean', grad);
    const expected = start.slice();
    new SGD({ lr: 1 }).step(expected, grad);
    expect(sameBits(one, expected)).toBe(true);
    expect(sameBits(one, start)).toBe(false);
  });

  for (const [workers, delayed] of [[2, null], [2, 0], [3, 1]] as const) {
    const title = delayed === null ? '' : `, worker ${delayed} slowed so the others finish first`;
    it(`a whole run with ${workers} workers × 64 equals train() accumulating ${workers} batches of 64${title}`, async () => {
      const run = async (distributed: boolean): Promise<{ params: Float64Array; losses: number[] }> => {
        const params = mlpKernels().init(11);
        const optimizer = new Adam({ lr: 3e-3 });
        const losses: number[] = [];
        const common = {
          params, examples: data.count, optimizer, schedule: new StepLR(optimizer, { stepSize: 1, gamma: 0.5 }),
          clip: { maxNorm: 1 }, epochs: 2, seed: 4, progress: false as const, callbacks: { onStep: (s: { loss: number }) => void losses.push(s.loss) },
        };
        if (!distributed) {
          await train({ ...common, loss: unitLoss(await localShardLoss(MLP_MODULE, data)), batchSize: 64, accumulate: workers });
          return { params, losses };
        }
        const events: DistributedEvent[] = [];
        const result = await trainDistributed({
          ...common, batchSize: 64 * workers,
          distributed: { workers, model, onEvent: (e) => void events.push(e), ...(delayed === null ? {} : { inject: { delayMs: { [delayed]: 15 } } }) },
        });
        expect(result.distributed).toEqual({ mode: 'sync', workers, backup: 0, usedGradients: workers * result.steps, droppedGradients: 0, diedWorkers: [] });
        for (const e of events) if (e.kind === 'applied') expect(e.used.map((u) => u.shard)).toEqual(Array.from({ length: workers }, (_, s) => s));
        return { params, losses };
      };
      const here = await run(false);
      const there = await run(true);
      expect(there.losses.length).toBe(2 * Math.ceil(data.count / (64 * workers)));
      expect(there.losses).toEqual(here.losses);
      expect(sameBits(there.params, here.params)).toBe(true);
    });
  }
});

function firstExamples(d: Dataset, count: number): Dataset {
  return { ...d, x: d.x.slice(0, count * d.features), y: d.y.slice(0, count), count };
}
