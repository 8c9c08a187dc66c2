// Gradient accumulation: the gradient of several mini-batches combined as if they
// were one batch. For a mean loss over examples, a batch made of parts of sizes nᵢ
// has loss Σ nᵢ Lᵢ / Σ nᵢ and gradient Σ nᵢ gᵢ / Σ nᵢ; for a sum loss both are sums.
import type { TrainUnit, UnitLoss } from './options.ts';

export interface Accumulated {
  /** The combined loss (a mean or a sum, as the reduction says). */
  readonly loss: number;
  /** Examples covered. */
  readonly examples: number;
}

/**
 * Writes into `grad` the combined gradient of `units` and returns the combined loss.
 * `scratch` (same length as grad) holds each unit's gradient; a single unit's
 * gradient goes straight into `grad`, unscaled.
 */
export function accumulateGradient(
  loss: UnitLoss,
  params: Float64Array,
  units: readonly TrainUnit[],
  reduction: 'mean' | 'sum',
  grad: Float64Array,
  scratch: Float64Array,
): Accumulated {
  if (units.length === 1) {
    const unit = units[0]!;
    return { loss: loss(params, unit, grad), examples: unit.indices.length };
  }
  grad.fill(0);
  let total = 0;
  let examples = 0;
  for (const unit of units) {
    const n = unit.indices.length;
    const w = reduction === 'mean' ? n : 1;
    total += w * loss(params, unit, scratch);
    for (let i = 0; i < grad.length; i++) grad[i] += w * scratch[i]!;
    examples += n;
  }
  if (reduction === 'sum') return { loss: total, examples };
  const inv = 1 / examples;
  for (let i = 0; i < grad.length; i++) grad[i] *= inv;
  return { loss: total * inv, examples };
}
