// Where a training step's gradient comes from. The trainer owns everything else
// about a step (clipping, the non-finite check, the optimizer, the schedule, the
// bookkeeping); a source only fills `grad` with the combined gradient of the step's
// units. train() computes it here, unit by unit; trainDistributed() has workers
// compute shards of it (runtime/distributed), which is why a source may be async.
// An asynchronous source (a parameter server) returns a gradient computed earlier,
// at older parameters, for a batch it was shown ahead of time (`lookahead`): so it
// can keep every worker busy while the trainer still decides the batches.
import { accumulateGradient, type Accumulated } from './accumulate.ts';
import type { StalenessRecord, TrainUnit, UnitLoss } from './options.ts';

export interface StepContext {
  /** The optimizer step this gradient is for (1-based, as StepInfo.step). */
  readonly step: number;
  /** Prints a line in the progress output (e.g. that a worker died and what became of its work). */
  note(line: string): void;
  /** 0-based epoch and the unit index the step's group starts at: with `epoch`, names the group. */
  readonly epoch: number;
  readonly position: number;
  /**
   * The groups after this one in the epoch, at most `lookahead` of them (none when the
   * source asks for none), each with the position it starts at. Their units stay valid
   * until the epoch ends; an epoch's groups never run into the next epoch's.
   */
  readonly upcoming: readonly { readonly position: number; readonly units: readonly TrainUnit[] }[];
}

export interface GradientSource {
  /**
   * Writes a gradient into `grad` and returns its loss: that of `units` at `params`,
   * or (a source with `lookahead`) that of a group of this epoch shown before, at the
   * parameters of an earlier step. Either way every group of an epoch is returned
   * exactly once by the epoch's last call, so the epoch ends with nothing in flight.
   */
  gradient(params: Float64Array, units: readonly TrainUnit[], reduction: 'mean' | 'sum', grad: Float64Array, context: StepContext): Accumulated | Promise<Accumulated>;
  /** Groups after the current one the source wants to see (StepContext.upcoming). Default 0. */
  readonly lookahead?: number;
  /** The staleness of the epoch's updates, for its EpochRecord (asynchronous sources); then reset. */
  epochStaleness?(): StalenessRecord;
  /** A checkpoint holding the updates of steps 1 … `step` has been written: a source whose results are acknowledged (Redis) acknowledges them now. */
  committed?(step: number): void;
}

/** The gradient computed in this thread by `loss`, accumulated over the units. */
export function localGradient(loss: UnitLoss, size: number, accumulate: number): GradientSource {
  const scratch = new Float64Array(accumulate > 1 ? size : 0);
  return { gradient: (params, units, reduction, grad) => accumulateGradient(loss, params, units, reduction, grad, scratch) };
}
