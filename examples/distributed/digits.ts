/**
 * The digits MLP of examples/mlp trained by the runtime's trainDistributed(): the
 * same generated module (each worker loads examples/mlp/mlp.grad.ts itself), loss,
 * optimizer and schedule as train(), with the gradient computed by worker threads or
 * by worker processes through Redis, synchronously (N shards of each batch, b backups)
 * or asynchronously (a parameter server taking whole-batch gradients as they come).
 * The validation loss is measured every few updates, so the curves show it against
 * updates and against wall time (the measuring itself is left out of the wall time).
 */
import {
  Adam,
  CosineAnnealingLR,
  classifierMetrics,
  trainDistributed,
  type Dataset,
  type DistributedTrainResult,
  type ProgressStream,
  type RedisTransportConfig,
  type StalenessRecord,
} from '../../runtime/index.ts';
import { CLASSES, mlpKernels } from '../mlp/mlp.ts';

/** The generated module the workers load, relative to the repository root (the working directory of npm scripts). */
export const MLP_MODULE = 'examples/mlp/mlp.grad.ts';

export interface DigitsRunOptions {
  readonly mode: 'sync' | 'async';
  readonly workers: number;
  /** Sync only: backup workers, whose late shards are dropped. Default 0. */
  readonly backup?: number;
  /** Default 'threads'. With Redis, worker processes must serve the run (runRedisWorker with the same prefix and data). */
  readonly transport?: 'threads' | RedisTransportConfig;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed?: number;
  /** Measure the validation loss every this many updates (and after the last). Default: about 25 points a run. */
  readonly evalEvery?: number;
  /** Progress output; false for none. */
  readonly progress?: ProgressStream | false;
}

/** One measurement of the validation set during training. */
export interface CurvePoint {
  /** Updates applied so far. */
  readonly update: number;
  /** Seconds of training so far, without the time spent measuring. */
  readonly seconds: number;
  readonly loss: number;
  readonly accuracy: number;
}

export interface DigitsRun {
  readonly mode: 'sync' | 'async';
  /** Validation accuracy and loss of the final parameters. */
  readonly accuracy: number;
  readonly loss: number;
  /** The validation loss at update 0 and every evalEvery updates. */
  readonly curve: readonly CurvePoint[];
  /** Seconds of training (without the measuring). */
  readonly seconds: number;
  /** Async: the staleness of every update. */
  readonly staleness: StalenessRecord | null;
  readonly result: DistributedTrainResult;
}

export async function trainDigitsDistributed(trainSet: Dataset, validation: Dataset, o: DigitsRunOptions): Promise<DigitsRun> {
  const seed = o.seed ?? 7;
  const mlp = mlpKernels();
  // In shared memory from the start: trainDistributed then updates this vector itself (it would otherwise train a shared
  // copy and copy back at the end), so the validation measured during training sees the current parameters.
  const init = mlp.init(seed);
  const params = new Float64Array(new SharedArrayBuffer(init.byteLength));
  params.set(init);
  const validate = classifierMetrics(validation, { logits: mlp.logits, classes: CLASSES });
  const updatesPerEpoch = Math.floor(trainSet.count / o.batchSize);
  const evalEvery = o.evalEvery ?? Math.max(1, Math.round((updatesPerEpoch * o.epochs) / 25));
  const curve: CurvePoint[] = [];
  let measuring = 0;
  let started = performance.now();
  const measure = (update: number): void => {
    const t = performance.now();
    const m = validate(params);
    curve.push({ update, seconds: (t - started - measuring) / 1000, loss: m['loss']!, accuracy: m['accuracy']! });
    measuring += performance.now() - t;
  };
  const optimizer = new Adam({ lr: o.lr });
  const result = await trainDistributed({
    params,
    examples: trainSet.count,
    optimizer,
    // Down to lr/20 over the run: the late, small steps are what settles async SGD's stale updates.
    schedule: new CosineAnnealingLR(optimizer, { TMax: o.epochs * updatesPerEpoch, etaMin: o.lr / 20 }),
    scheduleInterval: 'step',
    epochs: o.epochs,
    batchSize: o.batchSize,
    dropLast: true,
    seed,
    validate,
    progress: o.progress ?? false,
    callbacks: {
      onStep: ({ step }) => {
        // The first step's time includes the workers' start-up (threads, or joining through Redis): the clock starts at it.
        if (step === 1) {
          started = performance.now();
          curve.length = 0;
          measuring = 0;
          measure(1);
        } else if (step % evalEvery === 0) measure(step);
      },
    },
    distributed: {
      mode: o.mode,
      workers: o.workers,
      backup: o.backup ?? 0,
      model: { module: MLP_MODULE, function: 'loss', data: trainSet },
      ...(o.transport === undefined ? {} : { transport: o.transport }),
    },
  });
  if (curve.at(-1)?.update !== result.steps) measure(result.steps);
  const final = curve.at(-1)!;
  return {
    mode: o.mode,
    accuracy: final.accuracy,
    loss: final.loss,
    curve,
    seconds: final.seconds,
    staleness: result.distributed.staleness ?? null,
    result,
  };
}
