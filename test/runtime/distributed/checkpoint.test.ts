// trainDistributed() keeps the trainer's checkpoints: a run stopped after an epoch and
// resumed from its checkpoint (new workers, a fresh optimizer) ends bit-identical to
// the uninterrupted run (b = 0), and the caller's parameter vector gets the result.
// So does an asynchronous run on a scripted order: an epoch ends with nothing in
// flight, and the epochs' staleness records survive the checkpoint.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Adam, trainDistributed } from '../../../runtime/index.ts';
import { LAMBDA, LOGISTIC_MODULE, binaryData, sameBits } from './fixtures.ts';

const data = binaryData(180, 4);
const model = { module: LOGISTIC_MODULE, function: 'loss', data, constants: [LAMBDA] };
const dir = mkdtempSync(join(tmpdir(), 'gradc-distributed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (params: Float64Array, path: string | null, stopAfter: number | null, script?: readonly number[]) =>
  trainDistributed({
    params, examples: data.count, optimizer: new Adam({ lr: 0.05 }), epochs: 3, batchSize: 36, seed: 6, clip: { maxNorm: 1 }, progress: false,
    ...(path === null ? {} : { checkpoint: { path } }),
    ...(stopAfter === null ? {} : { callbacks: { onEpoch: (r) => (r.epoch === stopAfter ? 'stop' : undefined) } }),
    distributed: script === undefined ? { workers: 2, model } : { mode: 'async', workers: 2, model, async: { script } },
  });

describe('checkpoints under trainDistributed', () => {
  it('a run stopped after epoch 1 and resumed equals the uninterrupted run, bit for bit', async () => {
    const whole = new Float64Array(5);
    await run(whole, null, null);
    const path = join(dir, 'run.ckpt');
    const resumed = new Float64Array(5);
    const first = await run(resumed, path, 1);
    expect(first.stoppedEarly).toBe(true);
    expect(sameBits(resumed, whole)).toBe(false);
    const continued = new Float64Array(5);
    const rest = await run(continued, path, null);
    expect(rest.resumedFrom).toEqual({ epoch: 1, step: 5 });
    expect(rest.steps).toBe(15);
    expect(sameBits(continued, whole)).toBe(true);
  });

  it('an asynchronous run (scripted order) stopped after epoch 1 and resumed equals the uninterrupted run, staleness records included', async () => {
    // 5 batches an epoch, 2 workers: the last two entries of an epoch name each worker once.
    const epoch = [0, 0, 1, 0, 1];
    const whole = new Float64Array(5);
    const all = await run(whole, null, null, [...epoch, ...epoch, ...epoch]);
    const record = { updates: 5, mean: 0.8, max: 2, histogram: [2, 2, 1], dropped: 0, held: 0 };
    expect(all.history.map((h) => h.staleness)).toEqual([record, record, record]);
    const path = join(dir, 'async.ckpt');
    const resumed = new Float64Array(5);
    await run(resumed, path, 1, epoch);
    const continued = new Float64Array(5);
    const rest = await run(continued, path, null, [...epoch, ...epoch]);
    expect(rest.resumedFrom).toEqual({ epoch: 1, step: 5 });
    expect(rest.history.map((h) => h.staleness)).toEqual([record, record, record]);
    expect(sameBits(continued, whole)).toBe(true);
  });
});
