// train() with the step's gradient computed by worker threads: the same loop, loss
// reduction, optimizer, schedule, clipping, non-finite checks, early stopping and
// checkpoints (runTraining), with a SyncCoordinator (mode 'sync') or an
// AsyncParameterServer (mode 'async') as its GradientSource. The
// trainer updates a parameter vector in shared memory that every worker reads; the
// caller's vector is that one if it is already shared, else it gets the result
// copied back when training ends, also when it ends with an error.
import { runTraining } from '../train/train.ts';
import { ASYNC_EXTRA_SLOTS, AsyncParameterServer } from './asyncGradient.ts';
import { checkAsync } from './checkAsync.ts';
import type { DistributedOptions, DistributedTrainOptions, DistributedTrainResult } from './options.ts';
import { sharedFloat64 } from './sharedMemory.ts';
import { SyncCoordinator } from './syncGradient.ts';
import { startThreadTransport } from './threadTransport.ts';

export async function trainDistributed(options: DistributedTrainOptions): Promise<DistributedTrainResult> {
  const d = options.distributed;
  checkDistributed(options);
  const mode = d.mode ?? 'sync';
  if (mode === 'async') checkAsync(options);
  const backup = d.backup ?? 0;
  const params = sharedFloat64(options.params);
  const workers = d.workers + backup;
  const onEvent = d.onEvent === undefined ? {} : { onEvent: d.onEvent };
  const transport = await startThreadTransport({
    workers,
    module: d.model.module,
    function: d.model.function,
    data: d.model.data,
    ...(d.model.constants === undefined ? {} : { constants: d.model.constants }),
    params,
    // Sync: a slot per worker for the job it runs, and one per gradient a step can hold: enough whatever arrives late.
    // Async: per worker the parameters it pulled and the gradient it pushed, and the compensation's two vectors.
    slots: 2 * workers + (mode === 'async' ? ASYNC_EXTRA_SLOTS : 0),
    maxShard: options.batchSize * (options.accumulate ?? 1),
    ...(d.inject === undefined ? {} : { inject: d.inject }),
  });
  const coordinator = mode === 'async'
    ? new AsyncParameterServer(transport, { ...d.async, workers: d.workers, ...onEvent })
    : new SyncCoordinator(transport, { workers: d.workers, backup, ...onEvent });
  try {
    const result = await runTraining({ ...options, params }, coordinator);
    return { ...result, distributed: coordinator.report() };
  } finally {
    await transport.close();
    if (params !== options.params) options.params.set(params);
  }
}

function checkDistributed(o: DistributedTrainOptions): void {
  const d: DistributedOptions = o.distributed;
  if (d.mode !== undefined && d.mode !== 'sync' && d.mode !== 'async') throw new RangeError(`Invalid distributed.mode '${String(d.mode)}'; it must be 'sync' or 'async'.`);
  if (!(Number.isInteger(d.workers) && d.workers >= 1)) throw new RangeError(`Invalid distributed.workers ${d.workers}; it must be an integer >= 1.`);
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
