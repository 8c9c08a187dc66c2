// ExponentialLR: multiply the lr by γ every epoch (torch.optim.lr_scheduler.ExponentialLR).
//   η_e = η₀ γ^e
import { LRScheduler, type LrTarget } from './scheduler.ts';

export interface ExponentialLROptions {
  /** Factor applied every epoch. */
  readonly gamma: number;
}

/** The closed form: the lr at `epoch` from `baseLr`. */
export function exponentialLRAt(epoch: number, baseLr: number, options: ExponentialLROptions): number {
  return baseLr * options.gamma ** epoch;
}

export class ExponentialLR extends LRScheduler {
  readonly type = 'ExponentialLR';
  readonly gamma: number;

  constructor(optimizer: LrTarget, options: ExponentialLROptions) {
    super(optimizer);
    this.gamma = options.gamma;
    this.initialStep();
  }

  protected chainableLr(): number {
    // The initial step keeps the lr, so a checkpointed lr is not decayed twice.
    return this.isInitial ? this.optimizer.lr : this.optimizer.lr * this.gamma;
  }

  protected override closedFormLr(): number {
    return exponentialLRAt(this.lastEpoch, this.baseLr, this);
  }
}
