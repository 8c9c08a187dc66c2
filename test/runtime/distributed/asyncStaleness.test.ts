// Asynchronous SGD with a parameter server: staleness counted exactly on a scripted
// arrival order (the script makes thread timing irrelevant), every update replayed
// in one process from the version it read, and bounded staleness respected whether
// stale gradients are dropped or workers wait.
import { describe, expect, it } from 'vitest';
import { SGD, trainDistributed, type AsyncOptions, type DistributedEvent } from '../../../runtime/index.ts';
import { LAMBDA, LOGISTIC_MODULE, RecordingSGD, binaryData, localShardLoss, sameBits } from './fixtures.ts';

const data = binaryData(200, 9);
const model = { module: LOGISTIC_MODULE, function: 'loss', data, constants: [LAMBDA] };
type Update = Extract<DistributedEvent, { kind: 'update' }>;

async function runAsync(workers: number, async: AsyncOptions, epochs = 1, optimizer = new SGD({ lr: 0.5 })) {
  const params = new Float64Array(5);
  const events: DistributedEvent[] = [];
  const updates: (Update & { indices: Int32Array })[] = [];
  const result = await trainDistributed({
    params, examples: data.count, optimizer, epochs, batchSize: 20, seed: 4, progress: false,
    distributed: {
      mode: 'async', workers, model, async,
      // `indices` is a view valid during the call: kept as a copy.
      onEvent: (e) => {
        events.push(e);
        if (e.kind === 'update') updates.push({ ...e, indices: e.indices.slice() });
      },
    },
  });
  return { params, events, updates, result };
}

/**
 * The staleness an independent model of the protocol predicts for a scripted order:
 * a worker reads the version its previous gradient was applied at (0 at first), so
 * the k-th update (k updates before it) from worker w has staleness k − that version.
 */
function predictedStaleness(script: readonly number[]): number[] {
  const readAt = new Map<number, number>();
  return script.map((w, k) => {
    const staleness = k - (readAt.get(w) ?? 0);
    readAt.set(w, k + 1);
    return staleness;
  });
}

/** Each epoch's examples, from the updates' batches, sorted: all of them exactly once when no batch is lost or applied twice. */
function examplesPerEpoch(updates: readonly { step: number; indices: Int32Array }[], stepsPerEpoch: number): number[][] {
  const epochs: number[][] = [];
  for (const u of updates) (epochs[Math.floor((u.step - 1) / stepsPerEpoch)] ??= []).push(...u.indices);
  return epochs.map((e) => e.sort((a, b) => a - b));
}
const allExamples = Array.from({ length: data.count }, (_, i) => i);

describe('asynchronous SGD: staleness', () => {
  // 10 batches, 3 workers: the last three entries name each worker once (each has one batch left).
  const script = [1, 1, 0, 1, 2, 1, 0, 2, 0, 1];

  it('is counted exactly on a scripted arrival order, per update, per epoch and for the run', async () => {
    const { updates, result } = await runAsync(3, { script });
    const expected = [0, 0, 2, 1, 4, 1, 3, 2, 1, 3];
    expect(predictedStaleness(script)).toEqual(expected);
    expect(updates.map((u) => u.worker)).toEqual(script);
    expect(updates.map((u) => u.staleness)).toEqual(expected);
    expect(updates.map((u) => u.step)).toEqual(script.map((_, k) => k + 1));
    for (const u of updates) expect(u.readVersion).toBe(u.step - 1 - u.staleness);
    const record = { updates: 10, mean: 1.7, max: 4, histogram: [2, 3, 2, 2, 1], dropped: 0, held: 0 };
    expect(result.history[0]!.staleness).toEqual(record);
    expect(result.distributed).toEqual({ mode: 'async', workers: 3, backup: 0, usedGradients: 10, droppedGradients: 0, diedWorkers: [], staleness: record });
    expect(examplesPerEpoch(updates, 10)).toEqual([allExamples]);
  });

  it('every update is the gradient of its batch at the parameters of the version it read (replayed in one process, bit for bit)', async () => {
    const recorder = new RecordingSGD({ lr: 0.5 });
    const { params, updates } = await runAsync(3, { script: [...script, 2, 2, 0, 1, 0, 1, 2, 0, 1, 2] }, 2, recorder);
    expect(updates.map((u) => u.staleness).slice(10)).toEqual([0, 0, 2, 3, 1, 1, 4, 2, 2, 2]);
    const shardLoss = await localShardLoss(LOGISTIC_MODULE, data, [LAMBDA]);
    const replayed = new Float64Array(5);
    const versions: Float64Array[] = [replayed.slice()];
    const sgd = new SGD({ lr: 0.5 });
    const grad = new Float64Array(5);
    for (const u of updates) {
      shardLoss(versions[u.readVersion]!, u.indices, grad);
      expect(sameBits(grad, recorder.grads[u.step - 1]!)).toBe(true);
      sgd.step(replayed, grad);
      versions.push(replayed.slice());
    }
    expect(sameBits(params, replayed)).toBe(true);
  });

  it('without a script (real arrival order), 3 workers apply every batch of every epoch exactly once, and the histograms count every update', async () => {
    const { updates, result } = await runAsync(3, {}, 2);
    expect(result.steps).toBe(20);
    expect(examplesPerEpoch(updates, 10)).toEqual([allExamples, allExamples]);
    const staleness = result.distributed.staleness!;
    expect(staleness.updates).toBe(20);
    expect(staleness.histogram.reduce((a, b) => a + b, 0)).toBe(20);
    expect(result.history.map((h) => h.staleness!.updates)).toEqual([10, 10]);
  });
});

describe('asynchronous SGD: bounded staleness', () => {
  it("'drop' (s = 1): a gradient staler than 1 is dropped and its batch recomputed, counted; no update is staler", async () => {
    // Round robin: worker 2's first two gradients are 2 updates old when taken.
    const { events, updates, result } = await runAsync(3, { bound: { staleness: 1, policy: 'drop' }, script: [0, 1, 2, 0, 1, 2] });
    const taken = events.filter((e) => e.kind === 'update' || e.kind === 'stale').slice(0, 6);
    expect(taken.map((e) => e.kind === 'update' || e.kind === 'stale' ? [e.kind, e.worker, e.staleness, e.step] : null)).toEqual([
      ['update', 0, 0, 1], ['update', 1, 1, 2], ['stale', 2, 2, 3], ['update', 0, 1, 3], ['update', 1, 1, 4], ['stale', 2, 2, 5],
    ]);
    const stale = events.filter((e) => e.kind === 'stale');
    for (const e of stale) expect(e.staleness).toBeGreaterThan(1);
    for (const u of updates) expect(u.staleness).toBeLessThanOrEqual(1);
    expect(result.distributed.droppedGradients).toBe(stale.length);
    expect(result.history[0]!.staleness).toMatchObject({ updates: 10, dropped: stale.length, held: 0 });
    expect(result.history[0]!.staleness!.max).toBeLessThanOrEqual(1);
    // Dropped batches were recomputed: every example still trained on once.
    expect(examplesPerEpoch(updates, 10)).toEqual([allExamples]);
  });

  it("'wait' (s = 1): a gradient is held while applying it would leave an older one in flight staler than 1; no update is staler", async () => {
    const { events, updates, result } = await runAsync(3, { bound: { staleness: 1, policy: 'wait' }, script: [1, 1, 0] });
    const taken = events.filter((e) => e.kind === 'update' || e.kind === 'held').slice(0, 4);
    // Worker 1's second gradient (read at 1) waits for worker 0's (read at 0): applied first it would leave that one 2 stale.
    expect(taken.map((e) => e.kind === 'update' || e.kind === 'held' ? [e.kind, e.worker, e.readVersion, e.staleness] : null)).toEqual([
      ['update', 1, 0, 0], ['held', 1, 1, 0], ['update', 0, 0, 1], ['update', 1, 1, 1],
    ]);
    // Worker 2 never had a turn before the script ran out: with s = 1 only two workers compute at once.
    for (const u of updates) expect(u.staleness).toBeLessThanOrEqual(1);
    const held = events.filter((e) => e.kind === 'held').length;
    expect(result.history[0]!.staleness).toMatchObject({ updates: 10, dropped: 0, held });
    expect(examplesPerEpoch(updates, 10)).toEqual([allExamples]);
  });

  it("'wait' with s = 0 is sequential SGD: every update fresh, whatever the arrival order", async () => {
    const { updates, result } = await runAsync(3, { bound: { staleness: 0, policy: 'wait' } });
    expect(updates.map((u) => u.staleness)).toEqual(Array(10).fill(0));
    expect(result.distributed.staleness).toMatchObject({ updates: 10, max: 0, held: 0 });
  });
});
