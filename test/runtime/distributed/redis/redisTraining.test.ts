// The Redis transport against a real redis-server, with worker processes: synchronous
// training over Redis is the thread transport's run bit for bit (b = 0), and so is an
// asynchronous run on a scripted order, staleness records included. The same two
// worker processes serve both runs, one server after the other (two generations).
// Against CI's redis-server when .ci/run started one, else a server of its own.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Adam, trainDistributed, type DistributedOptions } from '../../../../runtime/index.ts';
import { LAMBDA, LOGISTIC_MODULE, binaryData, sameBits } from '../fixtures.ts';
import { startWorker, stopAll, type Child } from './processes.ts';
import { sharedOrOwnRedis, type TestRedis } from './testRedis.ts';

const COUNT = 180;
const SEED = 4;
const data = binaryData(COUNT, SEED);
const model = { module: LOGISTIC_MODULE, function: 'loss', data, constants: [LAMBDA] };
// Its own prefix: the Redis may be CI's, shared with other runs.
const prefix = `training-${process.pid}-${Date.now()}`;
let redis: TestRedis;
let workers: Child[] = [];

beforeAll(async () => {
  redis = await sharedOrOwnRedis();
  workers = [0, 1].map((id) => startWorker({ url: redis.url, prefix, id, count: COUNT, seed: SEED }));
}, 30_000);
afterAll(async () => {
  await stopAll(workers);
  await redis?.stop();
});

const run = async (distributed: Omit<DistributedOptions, 'model'>) => {
  const params = new Float64Array(5);
  const result = await trainDistributed({
    params, examples: data.count, optimizer: new Adam({ lr: 0.05 }), epochs: 2, batchSize: 36, seed: 6, clip: { maxNorm: 1 }, progress: false,
    distributed: { ...distributed, model },
  });
  return { params, result };
};

describe('the Redis transport', () => {
  it('synchronous training over Redis with 2 worker processes equals the thread transport bit for bit', async () => {
    const threads = await run({ workers: 2 });
    const overRedis = await run({ workers: 2, transport: { kind: 'redis', url: redis.url, prefix, minWorkers: 2, heartbeatMs: 2000 } });
    expect(overRedis.result.steps).toBe(10);
    expect(sameBits(overRedis.params, threads.params)).toBe(true);
    const report = overRedis.result.distributed.redis!;
    expect(report.generation).toBe(1);
    // Every shard gradient used was acknowledged once applied (no checkpoint in this run).
    expect(report.acknowledged).toBe(overRedis.result.distributed.usedGradients);
    expect(report).toMatchObject({ discardedEarlier: 0, duplicates: 0, orphaned: 0 });
  }, 30_000);

  it('an asynchronous run on a scripted order over Redis equals the thread transport, staleness included', async () => {
    const epoch = [0, 0, 1, 0, 1];
    const async = { mode: 'async' as const, workers: 2, async: { script: [...epoch, ...epoch] } };
    const threads = await run(async);
    const overRedis = await run({ ...async, transport: { kind: 'redis', url: redis.url, prefix, minWorkers: 2, heartbeatMs: 2000 } });
    expect(sameBits(overRedis.params, threads.params)).toBe(true);
    expect(overRedis.result.history.map((h) => h.staleness)).toEqual(threads.result.history.map((h) => h.staleness));
    expect(overRedis.result.distributed.redis!.generation).toBe(2);
  }, 30_000);
});
