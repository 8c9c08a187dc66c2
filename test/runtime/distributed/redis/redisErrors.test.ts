// Refusals and setup errors of the Redis transport, each a sentence saying what to
// do: thread faults asked of processes, bad transport options, a Redis that is not
// there, no worker joining, and a worker whose training set is not the server's.
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SGD, runRedisWorker, trainDistributed, type DistributedOptions } from '../../../../runtime/index.ts';
import { LAMBDA, LOGISTIC_MODULE, binaryData } from '../fixtures.ts';
import { sharedOrOwnRedis, type TestRedis } from './testRedis.ts';

const data = binaryData(60, 3);
const model = { module: LOGISTIC_MODULE, function: 'loss', data, constants: [LAMBDA] };
let redis: TestRedis;
beforeAll(async () => {
  redis = await sharedOrOwnRedis();
}, 30_000);
afterAll(async () => {
  await redis?.stop();
});

const train = (distributed: Omit<DistributedOptions, 'model'>) => trainDistributed({
  params: new Float64Array(5), examples: data.count, optimizer: new SGD({ lr: 0.1 }), epochs: 1, batchSize: 20, progress: false,
  distributed: { ...distributed, model },
});

const closedPort = (): Promise<number> => new Promise((resolve) => {
  const s = createServer().listen(0, '127.0.0.1', () => {
    const port = (s.address() as { port: number }).port;
    s.close(() => resolve(port));
  });
});

describe('the Redis transport refuses', () => {
  it('thread fault injection and bad transport options', async () => {
    const url = redis.url;
    await expect(train({ workers: 1, transport: { kind: 'redis', url }, inject: { delayMs: { 0: 5 } } })).rejects.toThrow(/distributed.inject acts on worker threads; with the Redis transport, slow a worker with runRedisWorker\(\{ delayMs \}\)/);
    await expect(train({ workers: 1, transport: { kind: 'redis', url, heartbeatMs: 10 } })).rejects.toThrow(/Invalid distributed.transport.heartbeatMs 10; it must be an integer >= 100/);
    await expect(train({ workers: 1, transport: { kind: 'tcp', url } as never })).rejects.toThrow(/Invalid distributed.transport kind 'tcp'; it must be 'threads' or \{ kind: 'redis', url \}/);
  });

  it('a Redis that does not answer, naming the URL and how to get one', async () => {
    const url = `redis://127.0.0.1:${await closedPort()}`;
    await expect(train({ workers: 1, transport: { kind: 'redis', url, joinTimeoutMs: 400 } })).rejects.toThrow(new RegExp(`cannot reach Redis at ${url} within 400 ms\\. Start one \\(the Debian package redis-server`));
  });

  it('no worker joining in time, saying how to start one', async () => {
    const prefix = `errors-nobody-${process.pid}`;
    await expect(train({ workers: 2, transport: { kind: 'redis', url: redis.url, prefix, joinTimeoutMs: 400 } })).rejects.toThrow(new RegExp(`0 of the 1 workers needed joined within 400 ms\\. Start worker processes with runRedisWorker\\(\\{ url: '${redis.url}', prefix: '${prefix}', model \\}\\)`));
  });

  it('a worker whose training set is not the server\'s', async () => {
    const prefix = `errors-data-${process.pid}`;
    const server = train({ workers: 1, transport: { kind: 'redis', url: redis.url, prefix, joinTimeoutMs: 1500 } });
    const other = { ...model, data: binaryData(60, 4) };
    await expect(runRedisWorker({ url: redis.url, prefix, model: other })).rejects.toThrow(/the server's training set \(60x4:[0-9a-f]+\) is not this worker's \(60x4:[0-9a-f]+\); give the worker the same data, in the same order, as the server/);
    await expect(server).rejects.toThrow(/0 of the 1 workers needed joined/);
  });
});
