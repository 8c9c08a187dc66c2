// Faults with real processes and a real redis-server: a worker SIGKILLed mid-step
// (sync re-assigns its shard and the run is unchanged bit for bit; async loses that
// gradient only and applies every batch once), a worker that joins late and one that
// leaves, Redis restarted from its append-only file, and the training server itself
// (sync, and the asynchronous parameter server) SIGKILLed and restarted from its
// checkpoint: no acknowledged update lost, none applied twice, the run ends as the
// uninterrupted one. References are the thread
// transport's runs of the same options (sync with b = 0 is bit-identical to them).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Adam, trainDistributed, type DistributedEvent, type DistributedOptions } from '../../../../runtime/index.ts';
import { LAMBDA, LOGISTIC_MODULE, binaryData, sameBits } from '../fixtures.ts';
import { startChild, startWorker, stopAll, type Child } from './processes.ts';
import type { ServerArgs } from './serverProcess.ts';
import { startTestRedis, type TestRedis } from './testRedis.ts';

const COUNT = 200;
const SEED = 9;
const data = binaryData(COUNT, SEED);
const model = { module: LOGISTIC_MODULE, function: 'loss', data, constants: [LAMBDA] };
let redis: TestRedis;
let children: Child[] = [];
const dir = mkdtempSync(join(tmpdir(), 'gradc-redis-faults-'));

beforeAll(async () => {
  redis = await startTestRedis();
}, 30_000);
afterEach(async () => {
  await stopAll(children);
  children = [];
});
afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const worker = (prefix: string, id: number, delayMs: number): Child => {
  const c = startWorker({ url: redis.url, prefix, id, delayMs, count: COUNT, seed: SEED });
  children.push(c);
  return c;
};

const run = async (distributed: Omit<DistributedOptions, 'model'>, epochs = 2, onEvent?: (e: DistributedEvent) => void) => {
  const params = new Float64Array(5);
  const events: DistributedEvent[] = [];
  const result = await trainDistributed({
    params, examples: data.count, optimizer: new Adam({ lr: 0.05 }), epochs, batchSize: 40, seed: 2, progress: false,
    distributed: { ...distributed, model, onEvent: (e) => { events.push(e); onEvent?.(e); } },
  });
  return { params, result, events };
};

const redisTransport = (prefix: string, heartbeatMs: number, minWorkers = 2) => ({ kind: 'redis' as const, url: redis.url, prefix, heartbeatMs, minWorkers });

describe('faults over Redis', () => {
  it('sync: a worker SIGKILLed mid-step is given up at its heartbeat, its shard re-assigned, and the run is unchanged', async () => {
    const reference = await run({ workers: 2 });
    const [, victim] = [worker('kill-sync', 0, 40), worker('kill-sync', 1, 40)];
    const hurt = await run({ workers: 2, transport: redisTransport('kill-sync', 1000) }, 2, (e) => {
      // Step 4's shards are assigned right after step 3 is applied; worker 1 is then in its 40 ms job.
      if (e.kind === 'applied' && e.step === 3) setTimeout(() => victim!.process.kill('SIGKILL'), 15);
    });
    expect(sameBits(hurt.params, reference.params)).toBe(true);
    expect(hurt.result.distributed.diedWorkers).toEqual([1]);
    const died = hurt.events.find((e) => e.kind === 'died');
    if (died?.kind !== 'died') throw new Error('no death reported');
    // Step 4 on a machine that runs the timer on time (a late one lands in step 5): the step waits for the dead worker's shard until its heartbeat expires, then re-assigns it.
    expect(died).toMatchObject({ worker: 1, requeuedShard: 1 });
    expect(died.step).toBeGreaterThanOrEqual(4);
    expect(died.reason).toMatch(/heartbeat stopped/);
    for (const e of hurt.events) if (e.kind === 'applied' && e.step > died.step) expect(e.used.map((u) => u.worker)).toEqual([0, 0]);
  }, 30_000);

  it('async: a worker SIGKILLed mid-gradient loses that gradient only: every batch is applied exactly once', async () => {
    const [, victim] = [worker('kill-async', 0, 30), worker('kill-async', 1, 30)];
    let updates = 0;
    const hurt = await run({ mode: 'async', workers: 2, transport: redisTransport('kill-async', 1000) }, 2, (e) => {
      if (e.kind === 'update' && ++updates === 3) setTimeout(() => victim!.process.kill('SIGKILL'), 10);
    });
    expect(hurt.result.steps).toBe(10);
    expect(hurt.result.distributed.usedGradients).toBe(10);
    expect(hurt.result.distributed.diedWorkers).toEqual([1]);
    expect(hurt.events.find((e) => e.kind === 'died')).toMatchObject({ worker: 1, requeuedShard: 0 });
    // Each epoch's 5 batches (200 examples) applied once each: no batch lost, none twice.
    for (const epoch of [0, 1]) {
      const seen = hurt.events.flatMap((e) => (e.kind === 'update' && e.step > epoch * 5 && e.step <= (epoch + 1) * 5 ? [...e.indices] : []));
      expect(new Set(seen).size).toBe(COUNT);
      expect(seen).toHaveLength(COUNT);
    }
  }, 30_000);

  it('a worker that joins late takes shards from the next step on, and one that leaves hands its work over; the run is unchanged', async () => {
    const reference = await run({ workers: 2 }, 6);
    const first = worker('join', 0, 50);
    let second: Child | null = null;
    let joinedAt: number | null = null;
    let left = false;
    const result = await run({ workers: 2, transport: redisTransport('join', 1000, 1) }, 6, (e) => {
      if (e.kind === 'applied' && e.step === 1) second = worker('join', 1, 50);
      if (e.kind === 'joined') joinedAt = e.step;
      // Two steps after worker 1 joined, worker 0 leaves (SIGTERM: it finishes its job and says so).
      if (e.kind === 'applied' && !left && joinedAt !== null && e.step >= joinedAt + 2) {
        left = true;
        first.process.kill('SIGTERM');
      }
    });
    expect(second).not.toBeNull();
    expect(sameBits(result.params, reference.params)).toBe(true);
    expect(result.events.find((e) => e.kind === 'joined')).toMatchObject({ worker: 1 });
    const died = result.events.find((e) => e.kind === 'died');
    expect(died?.kind === 'died' && died.reason).toBe('it left');
    expect(await first.exit()).toBe(0);
    expect(first.lines.some((l) => /left after \d+ jobs/.test(l))).toBe(true);
  }, 30_000);

  it('Redis restarted (append-only file) mid-run: both sides reconnect and the run is unchanged', async () => {
    const reference = await run({ workers: 2 });
    worker('restart', 0, 30);
    worker('restart', 1, 30);
    let restarted: Promise<void> | null = null;
    const result = await run({ workers: 2, transport: redisTransport('restart', 4000) }, 2, (e) => {
      if (e.kind === 'applied' && e.step === 3) restarted = redis.restart();
    });
    await restarted;
    expect(restarted).not.toBeNull();
    expect(sameBits(result.params, reference.params)).toBe(true);
    expect(result.result.steps).toBe(10);
    expect(result.result.distributed.redis!.reconnects).toBeGreaterThanOrEqual(1);
    expect(result.result.distributed.diedWorkers).toEqual([]);
  }, 30_000);

  /** Runs the server process, SIGKILLs it `afterMs` after it printed `checkpoint <step>`, runs it again to the end; returns the second one's result. */
  const killAndResume = async (prefix: string, step: number, afterMs: number, epochScript?: readonly number[]) => {
    worker(prefix, 0, 40);
    worker(prefix, 1, 40);
    const args: ServerArgs = { url: redis.url, prefix, checkpoint: join(dir, `${prefix}.ckpt`), count: COUNT, seed: SEED, epochs: 3, ...(epochScript === undefined ? {} : { epochScript }) };
    const first = startChild('./serverProcess.ts', args);
    children.push(first);
    await first.waitFor(new RegExp(`^checkpoint ${step}$`));
    await new Promise((r) => setTimeout(r, afterMs));
    first.process.kill('SIGKILL');
    await first.exit();
    const second = startChild('./serverProcess.ts', args);
    children.push(second);
    const line = await second.waitFor(/^result /);
    const out = JSON.parse(line.slice('result '.length)) as { params: string; steps: number; resumedFrom: { epoch: number; step: number }; distributed: { redis: { generation: number; discardedEarlier: number } } };
    const params = new Float64Array(5);
    new Uint8Array(params.buffer).set(Buffer.from(out.params, 'base64'));
    return { ...out, params };
  };

  it('the sync server SIGKILLed and restarted resumes from its checkpoint: nothing acknowledged lost, nothing applied twice', async () => {
    const reference = await run({ workers: 2 }, 3);
    // Mid-step 5: its shards are out, the workers 20 ms into their 40 ms jobs.
    const out = await killAndResume('server-sync', 4, 20);
    expect(sameBits(out.params, reference.params)).toBe(true);
    expect(out.steps).toBe(15);
    expect(out.resumedFrom.step).toBeGreaterThanOrEqual(4);
    expect(out.distributed.redis.generation).toBe(2);
    // The killed server had step 5's shards out: their results, tagged with its generation, are discarded.
    expect(out.distributed.redis.discardedEarlier).toBeGreaterThanOrEqual(1);
  }, 40_000);

  it('the asynchronous parameter server SIGKILLed mid-epoch and restarted redoes that epoch from its checkpoint and ends as the uninterrupted run', async () => {
    // 5 batches an epoch, 2 workers, a scripted order: the run is reproducible, so resuming can be compared bit for bit.
    const epoch = [0, 0, 1, 0, 1];
    const reference = await run({ mode: 'async', workers: 2, async: { script: [...epoch, ...epoch, ...epoch] } }, 3);
    // Epoch 1 checkpointed at step 5; killed 100 ms into epoch 2 (40 ms jobs: a few of its updates applied by then, none acknowledged).
    const out = await killAndResume('server-async', 5, 100, epoch);
    expect(sameBits(out.params, reference.params)).toBe(true);
    expect(out.steps).toBe(15);
    expect(out.resumedFrom).toEqual({ epoch: 1, step: 5 });
    expect(out.distributed.redis.generation).toBe(2);
    expect(out.distributed.redis.discardedEarlier).toBeGreaterThanOrEqual(1);
  }, 40_000);
});
