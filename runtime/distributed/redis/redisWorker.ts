// A worker process of distributed training over Redis: given the Redis URL, the run's
// prefix and the model (the same generated module and training set as the server),
// it waits for a server, takes the lowest free worker id, renews its heartbeat, and
// serves the jobs of its queue until aborted: pull the parameters named by the job
// (a blob, cached by version), compute the shard's gradient (or Hessian-vector
// product), append it to the gradients stream tagged (generation, job, worker, step).
// A job is moved to the worker's working list as it is taken (BLMOVE) and removed
// once its result is pushed, so a reply lost with the connection loses no job.
// It outlives servers: a new server (a new generation) simply sends new jobs. Aborting
// finishes the job in hand and leaves (the server is told at its next heartbeat check).
import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ShardModel } from '../options.ts';
import { loadShardKernels } from '../shardLoss.ts';
import { datasetFingerprint, decodeJob, float64Bytes, float64FromBytes, type JobHeader } from './codec.ts';
import { connectRedis } from './connect.ts';
import { RedisKeys, type RunConfig } from './keys.ts';
import { resultFields } from './resultEntry.ts';

export interface RedisWorkerOptions {
  readonly url: string;
  /** The run's key prefix (distributed.transport.prefix on the server). Default 'gradc'. */
  readonly prefix?: string;
  readonly model: ShardModel;
  /** Take exactly this worker id (waiting while another process holds it); default the lowest free one. */
  readonly id?: number;
  /** Milliseconds to sleep before each job: a straggler, for tests and benchmarks. */
  readonly delayMs?: number;
  /** Ends the worker after the job in hand. */
  readonly signal?: AbortSignal;
  /** Lines about what the worker does (joined, left, server changed). */
  readonly log?: (line: string) => void;
}

export interface RedisWorkerSummary {
  /** Jobs computed (gradients and products). */
  readonly jobs: number;
  /** The worker ids this process held, in order (more than one if it lost its id and took another). */
  readonly ids: readonly number[];
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

// Renews the heartbeat if this process still holds the id (or the key expired: it takes it back).
const RENEW = `local v = redis.call('GET', KEYS[1])
if v == ARGV[1] or v == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
return 0`;

export async function runRedisWorker(o: RedisWorkerOptions): Promise<RedisWorkerSummary> {
  const kernels = await loadShardKernels(o.model);
  const fingerprint = datasetFingerprint(o.model.data);
  const keys = new RedisKeys(o.prefix ?? 'gradc');
  const nonce = randomUUID();
  const cmd = await connectRedis(o.url, `${keys.prefix}:worker`);
  const blocking = await connectRedis(o.url, `${keys.prefix}:worker-jobs`);
  const log = o.log ?? (() => {});
  const ids: number[] = [];
  let id: number | null = null;
  let ttl = 0;
  let jobs = 0;
  // A function, not the property itself: TypeScript would narrow it within the loop, though an abort can come at any await.
  const aborted = (): boolean => o.signal?.aborted === true;
  const onAbort = (): void => blocking.disconnect();
  o.signal?.addEventListener('abort', onAbort);
  const beat = setInterval(() => {
    if (id === null || ttl === 0) return;
    const held = id;
    cmd.eval(RENEW, 1, keys.heartbeat(held), nonce, ttl).then((ok) => {
      if (ok === 0 && id === held) {
        log(`worker id ${held} was taken by another process; looking for another`);
        id = null;
      }
    }, () => {});
  }, 100);
  const cache = new ParamsCache(cmd);
  // The config is read again a few times a second (a new server, a changed capacity), not per job.
  let config: RunConfig | null = null;
  let configAt = 0;
  // The working list is looked at when a job may be in it: at the start, after a reconnect, with a new id.
  let checkWorking = true;
  for (const client of [cmd, blocking]) client.on('ready', () => void (checkWorking = true));
  try {
    while (!aborted()) {
      if (config === null || performance.now() - configAt > 250) {
        config = await readConfig(cmd, keys);
        configAt = performance.now();
      }
      if (config === null) {
        await sleep(200);
        continue;
      }
      if (config.fingerprint !== fingerprint) {
        throw new Error(`Redis worker: the server's training set (${config.fingerprint}) is not this worker's (${fingerprint}); give the worker the same data, in the same order, as the server.`);
      }
      ttl = config.heartbeatMs;
      if (id === null || id >= config.capacity) {
        id = await claim(cmd, keys, nonce, config, o.id);
        if (id === null) {
          await sleep(config.heartbeatMs / 4);
          continue;
        }
        ids.push(id);
        checkWorking = true;
        log(`joined as worker ${id} of ${config.capacity} (server generation ${config.generation})`);
      }
      // A job taken before a lost connection is still in the working list: it goes first.
      let taken = checkWorking ? await cmd.lindexBuffer(keys.working(id), 0) : null;
      checkWorking = false;
      if (taken === null) {
        try {
          taken = await blocking.blmoveBuffer(keys.jobs(id), keys.working(id), 'LEFT', 'RIGHT', 1);
        } catch (error) {
          if (aborted()) break;
          throw error;
        }
      }
      if (taken === null) continue;
      const { header, indices } = decodeJob(taken);
      if (header.generation > config.generation) {
        // A new server: its config (and data fingerprint) first.
        config = null;
        checkWorking = true;
        continue;
      }
      // A job of an earlier server, queued before it was replaced, is nobody's to wait for.
      if (header.generation < config.generation) {
        await cmd.lpop(keys.working(id));
        continue;
      }
      if (o.delayMs !== undefined && o.delayMs > 0) await sleep(o.delayMs);
      // The result and the job's removal from the working list in one transaction.
      const replies = await cmd.multi().xadd(keys.gradients, '*', ...(await compute(header, indices))).lpop(keys.working(id)).exec();
      const failed = replies?.find(([error]) => error !== null)?.[0];
      if (failed) throw new Error(`Redis worker: pushing the result of job ${header.job} failed: ${failed.message}`);
      jobs++;
    }
    if (id !== null) await cmd.set(keys.heartbeat(id), `left:${nonce}`, 'PX', Math.max(ttl, 1000));
    log(`left after ${jobs} jobs`);
    return { jobs, ids };
  } finally {
    clearInterval(beat);
    o.signal?.removeEventListener('abort', onAbort);
    blocking.disconnect();
    await cmd.quit().catch(() => cmd.disconnect());
  }

  async function compute(header: JobHeader, indices: Int32Array): Promise<(string | Buffer)[]> {
    const tag = { generation: header.generation, job: header.job, worker: header.worker, step: header.step };
    try {
      const params = await cache.get(header.params);
      const out = new Float64Array(params.length);
      if (header.kind === 'hvp') {
        kernels.hvp(params, indices, await cache.get(header.vector!), out);
        return resultFields({ ...tag, status: 'done', loss: Number.NaN, data: float64Bytes(out) });
      }
      const loss = kernels.loss(params, indices, out);
      return resultFields({ ...tag, status: 'done', loss, data: float64Bytes(out) });
    } catch (error) {
      return resultFields({ ...tag, status: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  }
}

async function readConfig(cmd: Redis, keys: RedisKeys): Promise<RunConfig | null> {
  const text = await cmd.get(keys.config);
  return text === null ? null : (JSON.parse(text) as RunConfig);
}

/** Takes worker id `wanted`, or the lowest free one, with a heartbeat of this process; null if none is free now. */
async function claim(cmd: Redis, keys: RedisKeys, nonce: string, config: RunConfig, wanted: number | undefined): Promise<number | null> {
  const candidates = wanted !== undefined ? [wanted] : Array.from({ length: config.capacity }, (_, w) => w);
  for (const w of candidates) {
    if (w >= config.capacity) throw new Error(`Redis worker: id ${w} was asked for, but the server uses workers 0 … ${config.capacity - 1}.`);
    if ((await cmd.set(keys.heartbeat(w), nonce, 'PX', config.heartbeatMs, 'NX')) === 'OK') return w;
  }
  return null;
}

/** The parameter blobs a worker read last (sync: one per step; async: the version it pulled), by key. */
class ParamsCache {
  private readonly entries = new Map<string, Float64Array>();

  constructor(private readonly cmd: Redis) {}

  async get(key: string): Promise<Float64Array> {
    const hit = this.entries.get(key);
    if (hit !== undefined) return hit;
    const bytes = await this.cmd.getBuffer(key);
    if (bytes === null) throw new Error(`Redis worker: the parameter blob ${key} is gone (the server deleted it, or Redis lost it).`);
    const v = float64FromBytes(bytes, `the blob ${key}`);
    this.entries.set(key, v);
    // A job needs at most its parameters and a vector.
    while (this.entries.size > 2) this.entries.delete(this.entries.keys().next().value!);
    return v;
  }
}
