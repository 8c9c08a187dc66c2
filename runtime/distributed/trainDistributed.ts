// train() with the step's gradient computed by worker threads: the same loop, loss
// reduction, optimizer, schedule, clipping, non-finite checks, early stopping and
// checkpoints (runTraining), with a SyncCoordinator (mode 'sync') or an
// AsyncParameterServer (mode 'async') as its GradientSource, over worker threads
// (default) or worker processes through Redis (transport { kind: 'redis' }). The
// trainer updates a parameter vector in shared memory that every worker thread reads
// (Redis: that the transport publishes); the caller's vector is that one if it is
// already shared, else it gets the result copied back when training ends, also when
// it ends with an error.
import { runTraining } from '../train/train.ts';
import { ASYNC_EXTRA_SLOTS, AsyncParameterServer } from './asyncGradient.ts';
import { checkAsync } from './checkAsync.ts';
import type { DistributedOptions, DistributedTrainOptions, DistributedTrainResult } from './options.ts';
import { sharedFloat64 } from './sharedMemory.ts';
import { SyncCoordinator } from './syncGradient.ts';
import { startRedisTransport, type RedisTransport } from './redis/redisTransport.ts';
import { startThreadTransport } from './threadTransport.ts';
import type { SyncTransport } from './transport.ts';

export async function trainDistributed(options: DistributedTrainOptions): Promise<DistributedTrainResult> {
  const d = options.distributed;
  checkDistributed(options);
  const mode = d.mode ?? 'sync';
  if (mode === 'async') checkAsync(options);
  const backup = d.backup ?? 0;
  const params = sharedFloat64(options.params);
  const workers = d.workers + backup;
  const onEvent = d.onEvent === undefined ? {} : { onEvent: d.onEvent };
  // Sync: a slot per worker for the job it runs, and one per gradient a step can hold: enough whatever arrives late.
  // Async: per worker the parameters it pulled and the gradient it pushed, and the compensation's two vectors.
  const slots = 2 * workers + (mode === 'async' ? ASYNC_EXTRA_SLOTS : 0);
  const redis = d.transport === undefined || d.transport === 'threads' ? null : d.transport;
  const transport: SyncTransport = redis === null
    ? await startThreadTransport({
      workers,
      module: d.model.module,
      function: d.model.function,
      data: d.model.data,
      ...(d.model.constants === undefined ? {} : { constants: d.model.constants }),
      params,
      slots,
      maxShard: options.batchSize * (options.accumulate ?? 1),
      ...(d.inject === undefined ? {} : { inject: d.inject }),
    })
    : await startRedisTransport({
      url: redis.url, prefix: redis.prefix ?? 'gradc', workers, size: params.length, slots, data: d.model.data,
      heartbeatMs: redis.heartbeatMs ?? 5000, minWorkers: redis.minWorkers ?? 1, joinTimeoutMs: redis.joinTimeoutMs ?? 60_000,
    });
  const commits = { commitOnCheckpoint: options.checkpoint !== undefined };
  const coordinator = mode === 'async'
    ? new AsyncParameterServer(transport, { ...d.async, workers: d.workers, ...onEvent, ...commits })
    : new SyncCoordinator(transport, { workers: d.workers, backup, ...onEvent, ...commits });
  try {
    const result = await runTraining({ ...options, params }, coordinator);
    // Without checkpoints the last step's results are safe once it is applied.
    if (options.checkpoint === undefined) transport.commit?.();
    const report = coordinator.report();
    return { ...result, distributed: redis === null ? report : { ...report, redis: (transport as RedisTransport).report() } };
  } finally {
    await transport.close();
    if (params !== options.params) options.params.set(params);
  }
}

function checkDistributed(o: DistributedTrainOptions): void {
  const d: DistributedOptions = o.distributed;
  if (d.mode !== undefined && d.mode !== 'sync' && d.mode !== 'async') throw new RangeError(`Invalid distributed.mode '${String(d.mode)}'; it must be 'sync' or 'async'.`);
  if (!(Number.isInteger(d.workers) && d.workers >= 1)) throw new RangeError(`Invalid distributed.workers ${d.workers}; it must be an integer >= 1.`);
  if (d.transport !== undefined && d.transport !== 'threads') {
    if (d.transport.kind !== 'redis') throw new RangeError(`Invalid distributed.transport kind '${String((d.transport as { kind: unknown }).kind)}'; it must be 'threads' or { kind: 'redis', url }.`);
    if (d.inject !== undefined) throw new RangeError('distributed.inject acts on worker threads; with the Redis transport, slow a worker with runRedisWorker({ delayMs }) or stop its process.');
    for (const [name, v, min] of [['heartbeatMs', d.transport.heartbeatMs, 100], ['minWorkers', d.transport.minWorkers, 0], ['joinTimeoutMs', d.transport.joinTimeoutMs, 1]] as const) {
      if (v !== undefined && !(Number.isInteger(v) && v >= min)) throw new RangeError(`Invalid distributed.transport.${name} ${v}; it must be an integer >= ${min}.`);
    }
  }
  const b = d.backup ?? 0;
  if (!(Number.isInteger(b) && b >= 0)) throw new RangeError(`Invalid distributed.backup ${b}; it must be an integer >= 0.`);
  if (o.recurrent !== undefined) {
    throw new RangeError('Distributed training does not support recurrent (truncated BPTT): the carried state lives in one process. Train it with train().');
  }
  const { data } = d.model;
  if (data.count !== o.examples) {
    throw new RangeError(`distributed.model.data has ${data.count} examples but examples is ${o.examples}; the workers index the same training set the trainer shuffles.`);
  }
}
