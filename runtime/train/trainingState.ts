// Everything a run needs to continue exactly where it stopped, as one record: the
// checkpoint's contents. Capturing copies; resuming checks every field against a
// schema built for this run (its parameter count, optimizer, schedule, options), then
// the facts no field shows alone (the epoch within the run, the position within the
// epoch), so that a damaged file or one from another run is a sentence naming the
// field, never a TypeError later or a run that silently continues from garbage.
import { z } from 'zod';
import type { Optimizer, OptimizerStateDict } from '../optim/optimizer.ts';
import type { SchedulerStateDict } from '../schedule/scheduler.ts';
import type { EarlyStoppingState } from './earlyStopping.ts';
import { optimizerStateSchema } from './optimizerStateSchema.ts';
import type { EpochRecord, Schedule } from './options.ts';
import { schedulerStateSchema } from './schedulerStateSchema.ts';
import { anyFloat64, anyNumber, count, describeIssue, describeValue, expected, finite, finiteNonNegative, float64, float64OrNull, integer, notNaN } from './stateSchemas.ts';

export const CHECKPOINT_FORMAT = 'gradc-training-checkpoint/1';

/** Progress through the run, apart from the objects that have state dicts of their own. */
export interface LoopState {
  /** 0-based epoch in progress. */
  epoch: number;
  /** Next unit of the epoch (units = batches × windows). */
  position: number;
  /** Optimizer steps taken. */
  step: number;
  /** Steps skipped because their loss or gradient was not finite (nonFinite: 'skip'); absent in older checkpoints. */
  skippedSteps?: number;
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

/** What a checkpoint must fit to be resumed by this run. */
export interface ResumeContext {
  readonly params: Float64Array;
  readonly optimizer: Optimizer;
  readonly schedule: Schedule | undefined;
  readonly earlyStopping: boolean;
  readonly recurrent: boolean;
  readonly epochs: number;
  /** Units (batches × windows) of 0-based epoch `epoch`, which a curriculum makes vary. */
  unitsInEpoch(epoch: number): number;
}

/** A checkpoint that cannot be resumed: which file, which field, and why. */
export class CheckpointError extends Error {
  readonly path: string;
  /** The offending field as it would be written in code: `loop.position`, `optimizer.state.expAvg[3]`. */
  readonly field: string;

  constructor(path: string, field: string, problem: string, remedy = 'delete it or point checkpoint.path elsewhere') {
    super(`Cannot resume from the checkpoint ${path}: ${problem}; ${remedy}.`);
    this.name = 'CheckpointError';
    this.path = path;
    this.field = field;
  }
}

/** Checks that `value` (a decoded checkpoint) fits this run, and returns it typed. */
export function checkTrainingState(value: unknown, path: string, run: ResumeContext): TrainingState {
  checkIdentity(value, path, run);
  const parsed = trainingStateSchema(run).safeParse(value, { reportInput: true });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const { field, problem } = describeIssue('', issue);
    throw new CheckpointError(path, field, `${problem}, so ${isOptionMismatch(issue) ? 'it was written by a run with other options' : 'the file is damaged'}`);
  }
  const state = parsed.data;
  checkConsistency(state, path, run);
  return state;
}

/** A part this run has and the checkpoint lacks (null), or the other way round. */
function isOptionMismatch(issue: z.core.$ZodIssue): boolean {
  const optional = ['schedule', 'earlyStopping', 'carry'];
  return issue.path.length === 1 && optional.includes(String(issue.path[0])) && (issue.input === null || issue.message.startsWith('null'));
}

/** Format, parameter count and optimizer type first: a file from another model or optimizer says so. */
function checkIdentity(value: unknown, path: string, run: ResumeContext): void {
  const s = value as Partial<Record<keyof TrainingState, unknown>> | null;
  if (s === null || typeof s !== 'object' || Array.isArray(s) || s.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(path, 'format', `it is not a gradc training checkpoint (expected format '${CHECKPOINT_FORMAT}')`);
  }
  const n = run.params.length;
  if (s.params instanceof Float64Array && s.params.length !== n) {
    throw new CheckpointError(path, 'params', `it holds ${s.params.length} parameters but the model has ${n}, so it belongs to a different model`);
  }
  const type = run.optimizer.stateDict().type;
  const theirs = (s.optimizer as { type?: unknown } | null | undefined)?.type;
  if (typeof theirs === 'string' && theirs !== type) {
    throw new CheckpointError(path, 'optimizer.type', `it was written with ${theirs} but this run uses ${type}`, `build a ${theirs} to resume it, or delete it or point checkpoint.path elsewhere`);
  }
}

function trainingStateSchema(run: ResumeContext): z.ZodType<TrainingState> {
  const n = run.params.length;
  const schedule = run.schedule === undefined ? null : schedulerStateSchema(run.schedule.stateDict());
  const shape = {
    format: z.literal(CHECKPOINT_FORMAT),
    params: float64(n, 'one per model parameter, stored as {"$f64": base64 of the bytes}'),
    optimizer: optimizerStateSchema(run.optimizer.stateDict(), n),
    schedule: schedule ?? nullBecause('this run has no schedule'),
    earlyStopping: run.earlyStopping ? earlyStoppingSchema(n) : nullBecause('this run has no early stopping'),
    carry: run.recurrent ? anyFloat64 : nullBecause('this run carries no recurrent state'),
    loop: loopSchema(),
  };
  return z.strictObject(shape, { error: 'a checkpoint object' }) as unknown as z.ZodType<TrainingState>;
}

function nullBecause(reason: string): z.ZodType<null> {
  return expected<null>(`null (${reason})`, (v) => v === null);
}

function earlyStoppingSchema(n: number): z.ZodType<EarlyStoppingState> {
  return z.strictObject(
    { best: notNaN, bestEpoch: integer(-1), bestParams: float64OrNull(n, 'the best epoch\'s parameters'), badEpochs: count },
    { error: 'the early-stopping state (an object)' },
  );
}

/** xoroshiro128+'s state: four signed 32-bit integers, not all zero (the all-zero state only ever yields zeros). */
const rngState = expected<number[]>(
  'four 32-bit integers, not all 0 (the shuffling generator\'s state)',
  (v) => Array.isArray(v) && v.length === 4 && v.every((x) => Number.isInteger(x) && x >= -(2 ** 31) && x < 2 ** 31) && v.some((x) => x !== 0),
);

const healthRecord = z.strictObject(
  {
    steps: count,
    gradNorm: z.strictObject({ mean: anyNumber, max: anyNumber }),
    reference: anyNumber.nullable(),
    blocks: z.array(z.strictObject({ name: z.string(), gradNorm: z.strictObject({ mean: anyNumber, median: anyNumber, max: anyNumber }), updateRatio: anyNumber })),
    compiled: z
      .strictObject({
        saturation: anyNumber,
        activations: z.array(z.strictObject({ site: z.string(), text: z.string(), op: z.string(), measure: z.enum(['saturated', 'dead']), mean: anyNumber, max: anyNumber })),
        loops: z.array(z.strictObject({ site: z.string(), text: z.string(), carry: z.string(), gradNorm: z.array(anyNumber) })),
      })
      .optional(),
    warnings: z.array(
      z.strictObject({ kind: z.enum(['exploding', 'vanishing', 'large-updates', 'small-updates', 'saturated', 'dead-relu']), block: z.string().optional(), message: z.string() }),
    ),
  },
  { error: "an epoch's gradient-health record (an object)" },
);

const stalenessRecord = z.strictObject(
  { updates: count, mean: finiteNonNegative, max: count, histogram: z.array(count), dropped: count, held: count },
  { error: "an epoch's staleness record (an object)" },
);

const epochRecord = z.strictObject(
  {
    epoch: integer(1),
    step: count,
    skippedSteps: count.optional(),
    trainLoss: anyNumber,
    lr: finiteNonNegative,
    examples: count,
    validation: z.record(z.string(), anyNumber, { error: 'an object of validation metrics' }),
    health: healthRecord.optional(),
    staleness: stalenessRecord.optional(),
  },
  { error: 'an epoch record (an object)' },
);

function loopSchema(): z.ZodType<LoopState> {
  return z.strictObject(
    {
      epoch: count,
      position: count,
      step: count,
      skippedSteps: count.optional(),
      rngAtEpochStart: rngState,
      lossSum: finite,
      lossExamples: count,
      lastLr: finiteNonNegative,
      history: z.array(epochRecord, { error: 'an array of epoch records' }),
    },
    { error: 'the loop state (an object)' },
  ) as unknown as z.ZodType<LoopState>;
}

/** Facts that involve several fields, or this run's options. */
function checkConsistency(s: TrainingState, path: string, run: ResumeContext): void {
  const { loop } = s;
  const fail = (field: string, problem: string, remedy?: string): never => {
    throw new CheckpointError(path, field, problem, remedy);
  };
  if (loop.epoch > run.epochs) {
    fail('loop.epoch', `loop.epoch is ${loop.epoch} but this run trains for ${run.epochs} epochs`, `raise epochs to continue it, or delete it or point checkpoint.path elsewhere`);
  }
  if (loop.history.length !== loop.epoch) {
    fail('loop.history', `loop.history holds ${loop.history.length} epoch records but loop.epoch says ${loop.epoch} epochs are done, so the file is damaged`);
  }
  const units = loop.epoch < run.epochs ? run.unitsInEpoch(loop.epoch) : 0;
  if (loop.position !== 0 && loop.position >= units) {
    fail('loop.position', `loop.position is ${loop.position} but epoch ${loop.epoch + 1} has ${units} units (batches × windows) with these options, so the file is damaged or the batch size, data or curriculum changed`);
  }
  const last = loop.history.at(-1);
  if (last !== undefined && last.step > loop.step) {
    fail('loop.step', `loop.step is ${loop.step} but the last epoch record says ${last.step} steps were taken, so the file is damaged`);
  }
  if (s.earlyStopping !== null && s.earlyStopping.bestEpoch >= loop.epoch) {
    fail('earlyStopping.bestEpoch', `earlyStopping.bestEpoch is ${s.earlyStopping.bestEpoch} but only ${loop.epoch} epochs are done (0-based, so at most ${loop.epoch - 1}), so the file is damaged`);
  }
  if (s.earlyStopping !== null && s.earlyStopping.bestEpoch >= 0 && !Number.isFinite(s.earlyStopping.best)) {
    fail('earlyStopping.best', `earlyStopping.best is ${describeValue(s.earlyStopping.best)} but a best epoch (${s.earlyStopping.bestEpoch}) was recorded, so the file is damaged`);
  }
}
