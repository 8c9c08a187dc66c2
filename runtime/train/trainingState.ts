// Everything a run needs to continue exactly where it stopped, as one record: the
// checkpoint's contents. Capturing copies; applying checks sizes and kinds so that
// a checkpoint from a different model or optimizer fails with a clear message.
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.ts';
import type { SchedulerStateDict } from '../schedule/scheduler.ts';
import type { EarlyStoppingState } from './earlyStopping.ts';
import type { EpochRecord } from './options.ts';

export const CHECKPOINT_FORMAT = 'gradc-training-checkpoint/1';

/** Progress through the run, apart from the objects that have state dicts of their own. */
export interface LoopState {
  /** 0-based epoch in progress. */
  epoch: number;
  /** Next unit of the epoch (units = batches × windows). */
  position: number;
  /** Optimizer steps taken. */
  step: number;
  /** The RNG state before this epoch's shuffle: the epoch's order is redrawn from it on resume. */
  rngAtEpochStart: number[];
  /** Σ (loss × weight) and Σ weight over the epoch so far, for its mean training loss. */
  lossSum: number;
  lossExamples: number;
  /** Learning rate of the last step taken. */
  lastLr: number;
  history: EpochRecord[];
}

export interface TrainingState {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly params: Float64Array;
  readonly optimizer: OptimizerStateDict;
  readonly schedule: SchedulerStateDict | null;
  readonly earlyStopping: EarlyStoppingState | null;
  readonly carry: Float64Array | null;
  readonly loop: LoopState;
}

/** Checks that `value` (a decoded checkpoint) fits this run, and returns it typed. */
export function checkTrainingState(value: unknown, path: string, params: Float64Array, optimizer: Optimizer): TrainingState {
  const s = value as Partial<TrainingState> | null;
  if (s === null || typeof s !== 'object' || s.format !== CHECKPOINT_FORMAT) {
    throw new Error(`${path} is not a gradc training checkpoint (expected format '${CHECKPOINT_FORMAT}'); delete it or point checkpoint.path elsewhere.`);
  }
  if (!(s.params instanceof Float64Array) || s.params.length !== params.length) {
    throw new Error(`The checkpoint ${path} holds ${s.params?.length ?? 0} parameters but the model has ${params.length}; it belongs to a different model.`);
  }
  if (s.optimizer?.type !== optimizer.stateDict().type) {
    throw new Error(`The checkpoint ${path} was written with ${s.optimizer?.type} but this run uses ${optimizer.stateDict().type}; build the same optimizer to resume.`);
  }
  if (s.loop === undefined) throw new Error(`The checkpoint ${path} has no loop state; it is damaged.`);
  return s as TrainingState;
}
