// What train() takes and gives back.
import type { Optimizer } from '../optim/optimizer.ts';
import type { SchedulerStateDict } from '../schedule/scheduler.ts';
import type { CurriculumOptions } from './curriculum.ts';
import type { EarlyStoppingOptions } from './earlyStopping.ts';
import type { HealthOptions, HealthRecord } from './health.ts';
import type { NonFiniteError, NonFiniteMode, ParameterLayout } from './nonFinite.ts';
import type { ProgressStream } from './progress.ts';

/**
 * One piece of work for the loss function: the training examples of a mini-batch
 * (indices into the training set, in this epoch's shuffled order) and, for
 * truncated BPTT, which window of their sequences (0 otherwise).
 */
export interface TrainUnit {
  readonly indices: Int32Array;
  readonly window: number;
  readonly windows: number;
  /** 0-based epoch. */
  readonly epoch: number;
}

/**
 * The model's loss on one unit, with its gradient with respect to the flat
 * parameters written into `gradOut` (overwritten, not added to). A compiled model's
 * flat value-and-gradient function, after gathering the unit's examples.
 */
export type UnitLoss = (params: Float64Array, unit: TrainUnit, gradOut: Float64Array) => number;

/** Validation metrics by name, e.g. { loss, accuracy }. */
export type Metrics = Readonly<Record<string, number>>;

/** A learning-rate schedule: any LRScheduler, or ReduceLROnPlateau (stepped with the monitored metric). */
export interface Schedule {
  step(metricOrEpoch?: number): void;
  stateDict(): SchedulerStateDict;
  loadStateDict(state: SchedulerStateDict): void;
}

/** State a recurrent loss carries from one window to the next (truncated BPTT). */
export interface RecurrentCarry {
  /** Windows per sequence: each batch is that many consecutive units. */
  readonly windows: number;
  saveState(): Float64Array;
  /** saveState() into `out` when the state has its length (else a new array): lets the trainer keep the carry before every step without allocating. */
  saveStateInto?(out: Float64Array): Float64Array;
  loadState(state: Float64Array): void;
}

export type ClipOptions = { readonly maxNorm: number; readonly normType?: number } | { readonly value: number };

export interface CheckpointOptions {
  /**
   * The checkpoint file. Every field is checked before resuming (a CheckpointError
   * names a damaged one). Files named `<path>.<n>` (n a decimal number) beside it are
   * write-file-atomic's temporaries from an interrupted write and are removed at start.
   */
  readonly path: string;
  /** Also write one every this many optimizer steps (one is always written after each epoch). */
  readonly everySteps?: number;
  /** Continue from `path` if it exists. Default true. */
  readonly resume?: boolean;
}

export interface StepInfo {
  readonly epoch: number;
  readonly step: number;
  readonly loss: number;
  readonly lr: number;
}

export interface EpochRecord {
  /** Epochs completed (1 after the first). */
  readonly epoch: number;
  /** Optimizer steps completed. */
  readonly step: number;
  /** Steps skipped so far for a non-finite loss or gradient (nonFinite: 'skip'); absent when none were. */
  readonly skippedSteps?: number;
  /** Mean training loss over the epoch's examples (weighted by batch size). */
  readonly trainLoss: number;
  /** Learning rate of the epoch's last step. */
  readonly lr: number;
  /** Examples the epoch saw (fewer than all under a curriculum). */
  readonly examples: number;
  readonly validation: Metrics;
  /** Gradient health over the epoch (the `health` option). */
  readonly health?: HealthRecord;
  /** Staleness of the epoch's updates (asynchronous distributed training). */
  readonly staleness?: StalenessRecord;
}

/**
 * The staleness of asynchronous updates: for each applied gradient, the updates the
 * server applied between the worker's read of the parameters and this one's apply.
 */
export interface StalenessRecord {
  /** Gradients applied. */
  readonly updates: number;
  /** Mean and largest staleness of those (0 when there were none). */
  readonly mean: number;
  readonly max: number;
  /** histogram[k]: applied gradients of staleness k (length max + 1). */
  readonly histogram: readonly number[];
  /** Gradients dropped for exceeding the staleness bound (their batch recomputed). */
  readonly dropped: number;
  /** Gradients held back (their worker waiting) so that no update exceeds the bound. */
  readonly held: number;
}

export interface TrainCallbacks {
  onStep?(info: StepInfo): void;
  /** Return 'stop' to end training after this epoch. */
  onEpoch?(record: EpochRecord): void | 'stop';
  onCheckpoint?(path: string, step: number): void;
  /** A step skipped under nonFinite: 'skip': what was not finite, and where (the error 'stop' would throw). */
  onSkip?(error: NonFiniteError): void;
}

export interface TrainOptions {
  /** The flat parameters, updated in place. */
  readonly params: Float64Array;
  readonly loss: UnitLoss;
  /** Number of training examples (indices 0 … examples − 1 are passed to `loss`). */
  readonly examples: number;
  readonly optimizer: Optimizer;
  readonly schedule?: Schedule;
  /** Step the schedule after every optimizer step or after every epoch. Default 'epoch'. */
  readonly scheduleInterval?: 'step' | 'epoch';
  readonly epochs: number;
  readonly batchSize: number;
  /** Seed for every random choice (shuffling). Default 0. */
  readonly seed?: number;
  /** Shuffle the (admitted) examples every epoch. Default true. */
  readonly shuffle?: boolean;
  /** Drop the last batch of an epoch when it is smaller than batchSize. Default false. */
  readonly dropLast?: boolean;
  /** Mini-batches whose gradients are combined into one optimizer step. Default 1. */
  readonly accumulate?: number;
  /**
   * How the loss reduces over a batch: 'mean' (accumulated gradients are weighted
   * by batch size, so k batches equal one k times larger) or 'sum'. Default 'mean'.
   */
  readonly reduction?: 'mean' | 'sum';
  readonly clip?: ClipOptions;
  /** Validation metrics, computed after every epoch. */
  readonly validate?: (params: Float64Array) => Metrics;
  readonly earlyStopping?: EarlyStoppingOptions;
  readonly curriculum?: CurriculumOptions;
  /** Truncated BPTT: each batch is split into windows with state carried between them. */
  readonly recurrent?: RecurrentCarry;
  readonly callbacks?: TrainCallbacks;
  readonly checkpoint?: CheckpointOptions;
  /** Append one JSON line per epoch here. */
  readonly metricsPath?: string;
  /** Write the learning curves to `<path>.svg` and `<path>.png` when training ends. */
  readonly plot?: { readonly path: string; readonly title?: string };
  /** Progress output; false for none. Default process.stderr. */
  readonly progress?: ProgressStream | false;
  /**
   * A step whose loss or gradient holds NaN or ±Infinity, found before the update:
   * 'stop' throws a NonFiniteError naming the step, the parameter and (with `diagnose`)
   * the model line; 'skip' leaves the parameters and optimizer as they were and counts
   * the step in `skippedSteps`; 'ignore' updates anyway (as PyTorch does). Default 'stop'.
   */
  readonly nonFinite?: NonFiniteMode;
  /** The model's layout (the generated `<f>Layout`), so a non-finite gradient element is named by parameter. */
  readonly layout?: ParameterLayout;
  /**
   * How a non-finite step's first non-finite value is found and named by model line.
   * By default the trainer re-runs the step with every kernel of a generated model-file
   * module answered by a checkFinite build of the same model file, which it builds then
   * (loading the compiler; the model file is found by the path it was compiled from,
   * relative to the working directory). Or the same loss as `loss` over a build compiled
   * with finiteness checks (gradc compile --check-finite, or loadModelFile(path,
   * { checkFinite: true })); false for no re-run.
   */
  readonly diagnose?: UnitLoss | false;
  /**
   * Measure gradient health every step (per parameter block of `layout`): gradient
   * norms before clipping, update-to-weight ratios, and warnings for exploding and
   * vanishing gradients and out-of-scale updates, with their remedies; in each epoch
   * record (so in metricsPath), on the progress line, and as notes. true for the
   * default thresholds (see HealthOptions). Off by default (or false): it costs three
   * passes over the parameters per step.
   */
  readonly health?: HealthOptions | boolean;
}

export interface TrainResult {
  readonly history: readonly EpochRecord[];
  readonly steps: number;
  /** Steps skipped for a non-finite loss or gradient (nonFinite: 'skip'). */
  readonly skippedSteps: number;
  readonly stoppedEarly: boolean;
  /** The epoch (1-based) whose parameters were restored by early stopping, or null. */
  readonly restoredEpoch: number | null;
  readonly resumedFrom: { readonly epoch: number; readonly step: number } | null;
  readonly plot: { readonly svgPath: string; readonly pngPath: string } | null;
}
