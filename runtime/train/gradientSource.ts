// Where a training step's gradient comes from. The trainer owns everything else
// about a step (clipping, the non-finite check, the optimizer, the schedule, the
// bookkeeping); a source only fills `grad` with the combined gradient of the step's
// units. train() computes it here, unit by unit; trainDistributed() has workers
// compute shards of it (runtime/distributed), which is why a source may be async.
import { accumulateGradient, type Accumulated } from './accumulate.ts';
import type { TrainUnit, UnitLoss } from './options.ts';

export interface StepContext {
  /** The optimizer step this gradient is for (1-based, as StepInfo.step). */
  readonly step: number;
  /** Prints a line in the progress output (e.g. that a worker died and what became of its work). */
  note(line: string): void;
}

export interface GradientSource {
  /** Writes the combined gradient of `units` at `params` into `grad` and returns the combined loss. */
  gradient(params: Float64Array, units: readonly TrainUnit[], reduction: 'mean' | 'sum', grad: Float64Array, context: StepContext): Accumulated | Promise<Accumulated>;
}

/** The gradient computed in this thread by `loss`, accumulated over the units. */
export function localGradient(loss: UnitLoss, size: number, accumulate: number): GradientSource {
  const scratch = new Float64Array(accumulate > 1 ? size : 0);
  return { gradient: (params, units, reduction, grad) => accumulateGradient(loss, params, units, reduction, grad, scratch) };
}
