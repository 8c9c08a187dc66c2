// MultiStepLR: multiply the lr by γ at each milestone epoch
// (torch.optim.lr_scheduler.MultiStepLR). A milestone listed twice applies γ twice.
//   η_e = η₀ γ^(number of milestones <= e)
import { LRScheduler, bisectRight, type LrTarget } from './scheduler.ts';

export interface MultiStepLROptions {
  /** Epochs at which to decay. */
  readonly milestones: readonly number[];
  /** Factor applied at each milestone. Default 0.1. */
  readonly gamma?: number;
}

/** The closed form: the lr at `epoch` from `baseLr`. */
export function multiStepLRAt(epoch: number, baseLr: number, options: MultiStepLROptions): number {
  const sorted = [...options.milestones].sort((a, b) => a - b);
  return baseLr * (options.gamma ?? 0.1) ** bisectRight(sorted, epoch);
}

export class MultiStepLR extends LRScheduler {
  readonly type = 'MultiStepLR';
  readonly milestones: readonly number[];
  readonly gamma: number;

  constructor(optimizer: LrTarget, options: MultiStepLROptions) {
    super(optimizer);
    this.milestones = [...options.milestones].sort((a, b) => a - b);
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }

  protected chainableLr(): number {
    let hits = 0;
    for (const m of this.milestones) if (m === this.lastEpoch) hits++;
    return hits === 0 ? this.optimizer.lr : this.optimizer.lr * this.gamma ** hits;
  }

  protected override closedFormLr(): number {
    return multiStepLRAt(this.lastEpoch, this.baseLr, this);
  }
}
