// The measured points the simulator bench is calibrated on and compared with: short
// runs of the digits MLP on worker threads here (sync at batch 256, with and without an
// injected straggler; async at batch 32), timed per step after warm-up, and the
// server's own work (summing a gradient, an optimizer update) timed alone.
import {
  Adam,
  SGD,
  trainDistributed,
  type Dataset,
  type DistributedOptions,
  type FlatOptimizer,
} from '../../runtime/index.ts';
import { mlpKernels } from '../../examples/mlp/mlp.ts';

/** Steps left out at the start of a run (worker start-up, JIT warm-up). */
const WARM_STEPS = 4;

export interface MeasuredRun {
  /** Milliseconds between consecutive steps (updates), after warm-up. */
  readonly stepMs: readonly number[];
  readonly meanStepMs: number;
  /** Async only: the run's staleness. */
  readonly staleness?: { readonly mean: number; readonly max: number };
}

export interface SyncRunSpec {
  readonly workers: number;
  readonly backup?: number;
  readonly stragglerMs?: number;
}

const MODEL = (data: Dataset) => ({ module: 'examples/mlp/mlp.grad.ts', function: 'loss', data });

async function timed(trainSet: Dataset, batch: number, epochs: number, optimizer: FlatOptimizer, distributed: Omit<DistributedOptions, 'model'>): Promise<MeasuredRun> {
  const params = mlpKernels().init(7);
  const stamps: number[] = [];
  const result = await trainDistributed({
    params, examples: trainSet.count, optimizer, epochs, batchSize: batch, dropLast: true, seed: 7, progress: false,
    callbacks: { onStep: () => void stamps.push(performance.now()) },
    distributed: { ...distributed, model: MODEL(trainSet) },
  });
  const stepMs = stamps.slice(WARM_STEPS + 1).map((t, i) => t - stamps[WARM_STEPS + i]!);
  const s = result.distributed.staleness;
  return { stepMs, meanStepMs: stepMs.reduce((a, b) => a + b, 0) / stepMs.length, ...(s === undefined ? {} : { staleness: { mean: s.mean, max: s.max } }) };
}

export function measureSync(trainSet: Dataset, spec: SyncRunSpec, epochs: number): Promise<MeasuredRun> {
  const inject = spec.stragglerMs === undefined ? {} : { inject: { delayMs: { 1: spec.stragglerMs } } };
  return timed(trainSet, 256, epochs, new Adam({ lr: 2e-3 }), { workers: spec.workers, backup: spec.backup ?? 0, ...inject });
}

export function measureAsync(trainSet: Dataset, workers: number, epochs: number): Promise<MeasuredRun> {
  return timed(trainSet, 32, epochs, new SGD({ lr: 0.05 }), { mode: 'async', workers });
}

const medianOf = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Median milliseconds of `work`, over `reps` calls after as many warm-up calls. */
function timeMs(work: () => void, reps: number): number {
  for (let i = 0; i < reps; i++) work();
  const ms: number[] = [];
  for (let i = 0; i < reps; i++) {
    const t = performance.now();
    work();
    ms.push(performance.now() - t);
  }
  return medianOf(ms);
}

/** The server's work on `parameters` float64s: adding one gradient into a sum, and one Adam and one SGD update. */
export function measureServer(parameters: number): { readonly reduceMs: number; readonly adamMs: number; readonly sgdMs: number } {
  const params = new Float64Array(parameters).fill(0.1);
  const grad = new Float64Array(parameters).fill(1e-3);
  const sum = new Float64Array(parameters);
  const adam = new Adam({ lr: 1e-9 });
  const sgd = new SGD({ lr: 1e-9 });
  return {
    reduceMs: timeMs(() => {
      for (let i = 0; i < parameters; i++) sum[i]! += grad[i]!;
    }, 200),
    adamMs: timeMs(() => adam.step(params, grad), 200),
    sgdMs: timeMs(() => sgd.step(params, grad), 200),
  };
}
