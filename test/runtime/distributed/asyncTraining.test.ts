// Asynchronous SGD as a whole: a worker killed mid-run costs at most the gradient it
// was computing (its batch is recomputed, so every example is still trained on once
// an epoch), a small model converges with every variant, and options that cannot
// work asynchronously are refused before any worker starts.
import { describe, expect, it } from 'vitest';
import { Adam, SGD, trainDistributed, type AsyncOptions, type DistributedEvent, type FaultInjection } from '../../../runtime/index.ts';
import { LAMBDA, LOGISTIC_MODULE, binaryData, localShardLoss } from './fixtures.ts';

const data = binaryData(200, 9);
const model = { module: LOGISTIC_MODULE, function: 'loss', data, constants: [LAMBDA] };
const base = { examples: data.count, batchSize: 20, seed: 6 };

async function runAsync(o: { async?: AsyncOptions; inject?: FaultInjection; epochs?: number; optimizer?: SGD | Adam }) {
  const params = new Float64Array(5);
  const events: DistributedEvent[] = [];
  const examples: number[][] = [];
  let output = '';
  const result = await trainDistributed({
    ...base, params, optimizer: o.optimizer ?? new SGD({ lr: 0.5 }), epochs: o.epochs ?? 2,
    progress: { write: (s: string) => void (output += s) },
    distributed: {
      mode: 'async', workers: 3, model, ...(o.async === undefined ? {} : { async: o.async }), ...(o.inject === undefined ? {} : { inject: o.inject }),
      onEvent: (e) => {
        events.push(e);
        if (e.kind === 'update') (examples[Math.floor((e.step - 1) / 10)] ??= []).push(...e.indices);
      },
    },
  });
  return { params, events, output, result, examples: examples.map((e) => e.sort((a, b) => a - b)) };
}
const all = Array.from({ length: data.count }, (_, i) => i);

describe('asynchronous SGD on worker threads', () => {
  for (const how of ['exit', 'throw'] as const) {
    it(`a worker that dies by ${how === 'exit' ? 'process.exit' : 'an uncaught throw'} mid-run loses only its in-flight gradient: its batch is recomputed`, async () => {
      // 4 ms a batch each, so that all three take turns (unslowed, two busy threads can starve the third on two cores).
      const { events, output, result, examples } = await runAsync({ inject: { crash: { worker: 1, job: 3, how }, delayMs: { 0: 4, 1: 4, 2: 4 } } });
      expect(result.distributed.diedWorkers).toEqual([1]);
      const died = events.filter((e) => e.kind === 'died');
      expect(died).toHaveLength(1);
      expect(died[0]).toMatchObject({ worker: 1, requeuedShard: 0 });
      // It died on receiving its 3rd batch: 2 of its gradients were applied, none after.
      const updates = events.filter((e) => e.kind === 'update');
      expect(updates.filter((e) => e.worker === 1)).toHaveLength(2);
      const deathAt = events.indexOf(died[0]!);
      for (const e of events.slice(deathAt)) if (e.kind === 'update') expect(e.worker).not.toBe(1);
      // Nothing else is lost: 20 updates, every example of both epochs once.
      expect(result.steps).toBe(20);
      expect(result.distributed).toMatchObject({ usedGradients: 20, droppedGradients: 0 });
      expect(examples).toEqual([all, all]);
      expect(output).toMatch(/distributed: worker 1 died during step \d+ .*the gradient it was computing \(read at version \d+\) is lost and its batch goes back to the queue; 2 of 3 workers left/);
    });
  }

  it('a logistic regression converges with plain async SGD, staleness-aware lr, DC-ASGD and the HVP correction (and with Adam)', async () => {
    const shardLoss = await localShardLoss(LOGISTIC_MODULE, data, [LAMBDA]);
    const every = Int32Array.from(all);
    const fullLoss = (p: Float64Array): number => shardLoss(p, every, new Float64Array(5));
    const start = fullLoss(new Float64Array(5));
    const roundRobin = Array.from({ length: 50 }, (_, k) => (k % 10) % 3);
    const variants: [string, AsyncOptions, SGD | Adam][] = [
      ['plain', {}, new SGD({ lr: 0.5 })],
      ['staleness-aware', { stalenessAwareLr: true }, new SGD({ lr: 0.5 })],
      ['dc', { compensation: { kind: 'dc', lambda: 0.5 } }, new SGD({ lr: 0.5 })],
      ['hvp', { compensation: { kind: 'hvp' } }, new SGD({ lr: 0.5 })],
      ['adam', {}, new Adam({ lr: 0.05 })],
    ];
    for (const [name, async, optimizer] of variants) {
      // A round robin, every update but each epoch's first two 2 stale: the threads' own order
      // on two loaded cores can starve one for a while, and then (lr / τ) converges slower than the bound below.
      const { params, result } = await runAsync({ async: { ...async, script: roundRobin }, optimizer, epochs: 5 });
      const loss = fullLoss(params);
      expect(loss, name).toBeLessThan(0.6 * start);
      expect(accuracy(params), name).toBeGreaterThan(0.9);
      expect(result.history.at(-1)!.trainLoss, name).toBeLessThan(result.history[0]!.trainLoss);
      expect(result.distributed.staleness!.updates, name).toBe(50);
    }
  });

  it('the progress line of an epoch gives its staleness', async () => {
    const { output } = await runAsync({ async: { script: [0, 1, 2, 0, 1, 2, 0, 1, 2, 0] }, epochs: 1 });
    expect(output).toMatch(/epoch 1\/1 .*staleness mean 1\.70 max 2/);
  });

  it('refuses what asynchronous training cannot do, naming the option and what to do instead', async () => {
    const common = { ...base, params: new Float64Array(5), optimizer: new SGD({ lr: 0.1 }), epochs: 1, progress: false as const };
    const d = { mode: 'async' as const, workers: 2, model };
    await expect(trainDistributed({ ...common, distributed: { ...d, backup: 1 } })).rejects.toThrow(/backup workers belong to mode 'sync'/);
    await expect(trainDistributed({ ...common, distributed: { ...d, async: { bound: { staleness: -1, policy: 'drop' } } } })).rejects.toThrow(/Invalid distributed.async.bound.staleness -1/);
    // @ts-expect-error: a policy that does not exist, as untyped callers could pass
    await expect(trainDistributed({ ...common, distributed: { ...d, async: { bound: { staleness: 1, policy: 'block' } } } })).rejects.toThrow(/policy 'block'; it must be 'drop' .* or 'wait'/);
    await expect(trainDistributed({ ...common, distributed: { ...d, async: { compensation: { kind: 'dc', lambda: Number.NaN } } } })).rejects.toThrow(/compensation.lambda NaN/);
    await expect(trainDistributed({ ...common, distributed: { ...d, async: { script: [0, 2] } } })).rejects.toThrow(/script\[1\] 2; it must name a worker, an integer from 0 to 1/);
    await expect(trainDistributed({ ...common, checkpoint: { path: '/tmp/never-written.ckpt', everySteps: 2 }, distributed: d })).rejects.toThrow(/checkpoint.everySteps is not supported in mode 'async'/);
    // @ts-expect-error: a mode that does not exist
    await expect(trainDistributed({ ...common, distributed: { ...d, mode: 'hogwild' } })).rejects.toThrow(/Invalid distributed.mode 'hogwild'; it must be 'sync' or 'async'/);
  });

  it('a script naming a worker with nothing to compute is an error saying why', async () => {
    // 10 batches: after the 7th update the workers hold one batch each, so an 8th entry may not repeat one of the last.
    await expect(runAsync({ async: { script: [0, 1, 2, 0, 1, 2, 0, 0, 0] }, epochs: 1 })).rejects.toThrow(/script: entry 8 names worker 0, but it has no gradient being computed: it is idle/);
  });
});

/** The fraction of the training set the logistic model w·x + b (w at offsets 0–3, b at 4) classifies right. */
function accuracy(p: Float64Array): number {
  let correct = 0;
  for (let i = 0; i < data.count; i++) {
    let z = p[4]!;
    for (let j = 0; j < 4; j++) z += p[j]! * data.x[i * 4 + j]!;
    if ((z > 0 ? 1 : 0) === data.y[i]) correct++;
  }
  return correct / data.count;
}
