// Gradient accumulation: the gradient of several mini-batches combined as if they
// were one batch. For a mean loss over examples, a batch made of parts of sizes nᵢ
// has loss Σ nᵢ Lᵢ / Σ nᵢ and gradient Σ nᵢ gᵢ / Σ nᵢ; for a sum loss both are sums.
// The same sum combines the shards of distributed workers, so N workers reproduce
// one process accumulating the same parts in the same order bit for bit.
import type { TrainUnit, UnitLoss } from './options.ts';

export interface Accumulated {
  /** The combined loss (a mean or a sum, as the reduction says). */
  readonly loss: number;
  /** Examples covered. */
  readonly examples: number;
  /**
   * The factor on the optimizer's learning rate for this step only (a staleness-aware
   * asynchronous source divides it by the update's staleness). Default 1.
   */
  readonly lrScale?: number;
}

/** One part's loss over `examples` examples, with its gradient. */
export interface GradientPart {
  readonly loss: number;
  readonly examples: number;
  readonly gradient: Float64Array;
}

/**
 * Σ wᵢ gᵢ into `grad` over parts added in order (wᵢ = nᵢ for a mean, 1 for a sum),
 * then scaled by 1 / Σ nᵢ for a mean: the one place gradients of parts are combined.
 */
export class GradientSum {
  private total = 0;
  private examples = 0;

  constructor(
    private readonly grad: Float64Array,
    private readonly reduction: 'mean' | 'sum',
  ) {
    grad.fill(0);
  }

  add(loss: number, examples: number, part: Float64Array): void {
    const { grad } = this;
    const w = this.reduction === 'mean' ? examples : 1;
    this.total += w * loss;
    for (let i = 0; i < grad.length; i++) grad[i] += w * part[i]!;
    this.examples += examples;
  }

  finish(): Accumulated {
    const { grad, examples } = this;
    if (this.reduction === 'sum') return { loss: this.total, examples };
    const inv = 1 / examples;
    for (let i = 0; i < grad.length; i++) grad[i] *= inv;
    return { loss: this.total * inv, examples };
  }
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
  const sum = new GradientSum(grad, reduction);
  for (const unit of units) sum.add(loss(params, unit, scratch), unit.indices.length, scratch);
  return sum.finish();
}

/**
 * The gradients of `parts`, already computed, combined in the order given as
 * accumulateGradient combines units: a single part is copied unscaled.
 */
export function combineGradients(parts: readonly GradientPart[], reduction: 'mean' | 'sum', grad: Float64Array): Accumulated {
  if (parts.length === 1) {
    const part = parts[0]!;
    grad.set(part.gradient);
    return { loss: part.loss, examples: part.examples };
  }
  const sum = new GradientSum(grad, reduction);
  for (const part of parts) sum.add(part.loss, part.examples, part.gradient);
  return sum.finish();
}
