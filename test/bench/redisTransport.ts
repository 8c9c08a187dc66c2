// `npm run bench -- redis`: what the Redis transport costs per step, for the digits
// MLP's 50 890 parameters. First the round trip alone, the commands each side issues
// for one job with no compute between them: the server publishes the parameters (SET
// of a 407 kB blob) and queues a job (RPUSH), the worker takes it (BLMOVE) and pulls
// the blob (GET), pushes its gradient (XADD of 407 kB and LPOP of the job, one MULTI), and the server reads it
// (XREADGROUP), drops the payload (XDEL) and acknowledges it (XACK). Then whole
// training steps: synchronous training with one worker, on a worker thread against
// a worker process over Redis, batch 32, steady-state ms/step; the difference is
// the transport's cost in a real step. Redis is a redis-server of the bench's own
// on loopback (the Debian package), so the figures are of one machine.
import { spawn } from 'node:child_process';
import os from 'node:os';
import { Adam, loadMnist, trainDistributed, trainValidationSplit, type DistributedOptions } from '../../runtime/index.ts';
import { connectRedis } from '../../runtime/distributed/redis/connect.ts';
import { decodeJob, encodeJob, float64Bytes, float64FromBytes, readFloat64Into } from '../../runtime/distributed/redis/codec.ts';
import { parseResult, resultFields } from '../../runtime/distributed/redis/resultEntry.ts';
import { startTestRedis } from '../runtime/distributed/redis/testRedis.ts';
import { loadLine } from './report.ts';

const PARAMS = 50_890;
const ROUND_TRIPS = Number(process.env.BENCH_REDIS_TRIPS ?? 300);
const BATCH = 32;
const EPOCHS = Number(process.env.BENCH_REDIS_EPOCHS ?? 1);
const ROUNDS = Number(process.env.BENCH_REDIS_ROUNDS ?? 3);
const WARM_STEPS = 10;

const log = (msg: string): void => void process.stderr.write(`${msg}\n`);
const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const quantile = (xs: readonly number[], q: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

interface Trip {
  /** SET blob + RPUSH job → BLMOVE + GET blob: the parameters reach the worker. */
  readonly pullMs: number;
  /** XADD gradient + LPOP job → XREADGROUP + copy + XDEL + XACK: the gradient reaches the server. */
  readonly pushMs: number;
}

/** One job's commands, in order, timed from the server's SET to its XACK. */
async function roundTrips(url: string): Promise<Trip[]> {
  const [server, reader, worker, blocking] = await Promise.all(['server', 'reader', 'worker', 'worker-jobs'].map((n) => connectRedis(url, `bench:${n}`)));
  const prefix = `bench-${process.pid}`;
  const [stream, group] = [`${prefix}:gradients`, 'server'];
  await server.xgroup('CREATE', stream, group, '$', 'MKSTREAM');
  const params = new Float64Array(PARAMS).map((_, i) => Math.sin(i));
  const slot = new Float64Array(PARAMS);
  const indices = Int32Array.from({ length: BATCH }, (_, i) => i);
  const trips: Trip[] = [];
  for (let t = 0; t < ROUND_TRIPS + 20; t++) {
    params[0] = t;
    const start = performance.now();
    const key = `${prefix}:blob:1:${t}`;
    await server.set(key, float64Bytes(params));
    await server.rpush(`${prefix}:jobs:0`, encodeJob({ generation: 1, job: t, worker: 0, step: t, kind: 'gradient', params: key }, indices));
    const taken = await blocking.blmoveBuffer(`${prefix}:jobs:0`, `${prefix}:working:0`, 'LEFT', 'RIGHT', 1);
    const { header } = decodeJob(taken!);
    const pulled = float64FromBytes((await worker.getBuffer(header.params))!, 'the blob');
    const pulledAt = performance.now();
    await worker.multi().xadd(stream, '*', ...resultFields({ generation: 1, job: t, worker: 0, step: t, status: 'done', loss: 0.5, data: float64Bytes(pulled) })).lpop(`${prefix}:working:0`).exec();
    const reply = (await reader.callBuffer('XREADGROUP', 'GROUP', group, 'c', 'COUNT', 1, 'BLOCK', 1000, 'STREAMS', stream, '>')) as [Buffer, [Buffer, Buffer[]][]][];
    const [id, fields] = reply[0]![1][0]!;
    const r = parseResult(fields);
    if (r.status !== 'done') throw new Error('bench: the result failed');
    readFloat64Into(r.data, slot, 'the gradient');
    await server.multi().xdel(stream, id.toString()).xack(stream, group, id.toString()).del(key).exec();
    const end = performance.now();
    if (slot[0] !== t) throw new Error('bench: the gradient came back wrong');
    if (t >= 20) trips.push({ pullMs: pulledAt - start, pushMs: end - pulledAt });
  }
  await server.del(stream);
  for (const c of [server, reader, worker, blocking]) c.disconnect();
  return trips;
}

async function stepMs(distributed: Omit<DistributedOptions, 'model'>): Promise<number> {
  const { train } = trainValidationSplit(loadMnist(), { validationFraction: 0.2, seed: 7, stratify: true });
  const { mlpKernels } = await import('../../examples/mlp/mlp.ts');
  const params = mlpKernels().init(7);
  const stamps: number[] = [];
  await trainDistributed({
    params, examples: train.count, optimizer: new Adam({ lr: 2e-3 }), epochs: EPOCHS, batchSize: BATCH, dropLast: true, seed: 7, progress: false,
    callbacks: { onStep: () => void stamps.push(performance.now()) },
    distributed: { ...distributed, model: { module: 'examples/mlp/mlp.grad.ts', function: 'loss', data: train } },
  });
  return (stamps.at(-1)! - stamps[WARM_STEPS]!) / (stamps.length - 1 - WARM_STEPS);
}

export async function redisBench(): Promise<void> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  const redis = await startTestRedis();
  const prefix = `bench-train-${process.pid}`;
  const worker = spawn(process.execPath, ['--import', 'tsx', new URL('./redisBenchWorker.ts', import.meta.url).pathname, JSON.stringify({ url: redis.url, prefix })], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    log(`redis: ${ROUND_TRIPS} round trips of ${PARAMS} parameters …`);
    const trips = await roundTrips(redis.url);
    const pull = trips.map((t) => t.pullMs);
    const push = trips.map((t) => t.pushMs);
    const total = trips.map((t) => t.pullMs + t.pushMs);
    const threads: number[] = [];
    const overRedis: number[] = [];
    for (let r = 1; r <= ROUNDS; r++) {
      log(`  round ${r}/${ROUNDS}: 1 worker thread, 1 worker process over Redis …`);
      threads.push(await stepMs({ workers: 1 }));
      overRedis.push(await stepMs({ workers: 1, transport: { kind: 'redis', url: redis.url, prefix, minWorkers: 1, joinTimeoutMs: 60_000 } }));
    }
    const mb = (PARAMS * 8) / 1e6;
    const ms = (xs: readonly number[]): string => `${median(xs).toFixed(2)} (p90 ${quantile(xs, 0.9).toFixed(2)})`;
    console.log([
      '',
      `gradc bench — redis: the Redis transport's cost per step for ${PARAMS} parameters (the digits MLP, ${mb.toFixed(3)} MB a vector),`,
      `redis-server on loopback (its own, append-only file on), ioredis; machine: ${os.cpus().length} cores shared with other processes; ${loadLine(loadAtStart)}`,
      '',
      `round trip, no compute (median of ${ROUND_TRIPS}, ms):`,
      '',
      '| parameter pull (SET + RPUSH → BLMOVE + GET) | gradient push (MULTI XADD + LPOP → XREADGROUP + XDEL + XACK) | pull + push |',
      '| --- | --- | --- |',
      `| ${ms(pull)} | ${ms(push)} | ${ms(total)} |`,
      '',
      `training steps: sync, 1 worker, batch ${BATCH}, Adam, ${EPOCHS} epoch(s) over the digits, steps ${WARM_STEPS + 1}… timed, median of ${ROUNDS} alternating rounds (ms/step):`,
      '',
      '| worker thread | worker process over Redis | Redis transport cost per step |',
      '| --- | --- | --- |',
      `| ${median(threads).toFixed(2)} | ${median(overRedis).toFixed(2)} | ${(median(overRedis) - median(threads)).toFixed(2)} |`,
      '',
      `total redis bench time ${((performance.now() - started) / 1000).toFixed(1)} s`,
    ].join('\n'));
  } finally {
    worker.kill('SIGTERM');
    await new Promise((r) => worker.once('exit', r));
    await redis.stop();
  }
}
