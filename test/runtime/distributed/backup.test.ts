// Backup workers (Chen et al. 2016): with N + b workers a step is applied with the
// first N gradients to arrive and the late ones are dropped. A straggler injected by
// a per-worker delay is always late, so exactly its gradients are dropped, and each
// step is the reduction of exactly the shards it used (replayed here, bit for bit).
import { describe, expect, it } from 'vitest';
import { ShardPlanner, SGD, combineGradients, trainDistributed, type DistributedEvent } from '../../../runtime/index.ts';
import { runTraining } from '../../../runtime/train/train.ts';
import { LAMBDA, LOGISTIC_MODULE, binaryData, localShardLoss, sameBits } from './fixtures.ts';

const data = binaryData(240, 3);
const model = { module: LOGISTIC_MODULE, function: 'loss', data, constants: [LAMBDA] };
const common = { examples: data.count, epochs: 2, batchSize: 30, seed: 8, progress: false as const };

describe('backup workers', () => {
  it('N = 2, b = 1 with worker 2 a straggler (150 ms a shard against 25 ms): its gradients, and only its, are dropped; steps use the first two', async () => {
    const params = new Float64Array(5);
    const events: DistributedEvent[] = [];
    const result = await trainDistributed({
      ...common, params, optimizer: new SGD({ lr: 0.5 }),
      distributed: { workers: 2, backup: 1, model, onEvent: (e) => void events.push(e), inject: { delayMs: { 0: 25, 1: 25, 2: 150 } } },
    });
    const applied = events.filter((e) => e.kind === 'applied');
    const dropped = events.filter((e) => e.kind === 'dropped');
    expect(applied.length).toBe(result.steps);
    expect(result.steps).toBe(16);
    for (const e of applied) expect(e.used.map((u) => u.worker).sort()).toEqual([0, 1]);
    expect(dropped.length).toBeGreaterThan(0);
    for (const e of dropped) {
      expect(e.worker).toBe(2);
      expect(e.arrivedDuringStep).toBeGreaterThan(e.step);
    }
    expect(result.distributed).toMatchObject({ usedGradients: 2 * result.steps, droppedGradients: dropped.length, diedWorkers: [] });

    // Replay in one process: each step reduces exactly the shards the run used.
    const shardLoss = await localShardLoss(LOGISTIC_MODULE, data, [LAMBDA]);
    const planner = new ShardPlanner(3);
    const replayed = new Float64Array(5);
    const slots = [0, 1, 2].map(() => new Float64Array(5));
    await runTraining({ ...common, params: replayed, optimizer: new SGD({ lr: 0.5 }) }, {
      gradient: (p, units, reduction, grad, context) => {
        const shards = planner.split(units);
        const used = applied[context.step - 1]!.used.map((u) => u.shard).sort();
        const parts = used.map((s) => ({ loss: shardLoss(p, shards[s]!, slots[s]!), examples: shards[s]!.length, gradient: slots[s]! }));
        return combineGradients(parts, reduction, grad);
      },
    });
    expect(sameBits(params, replayed)).toBe(true);
  });

  it('with b = 0 the same straggler is waited for: every step uses all shards and nothing is dropped', async () => {
    const events: DistributedEvent[] = [];
    const result = await trainDistributed({
      ...common, epochs: 1, params: new Float64Array(5), optimizer: new SGD({ lr: 0.5 }),
      distributed: { workers: 2, model, onEvent: (e) => void events.push(e), inject: { delayMs: { 1: 20 } } },
    });
    expect(result.distributed).toMatchObject({ usedGradients: 2 * result.steps, droppedGradients: 0 });
    for (const e of events) expect(e.kind === 'applied' && e.used.map((u) => u.worker).sort()).toEqual([0, 1]);
  });
});
