// StepLR: multiply the lr by γ every `stepSize` epochs (torch.optim.lr_scheduler.StepLR).
//   η_e = η₀ γ^⌊e / stepSize⌋
import { LRScheduler, check, type LrTarget } from './scheduler.ts';

export interface StepLROptions {
  /** Period of the decay, in epochs. */
  readonly stepSize: number;
  /** Factor applied every period. Default 0.1. */
  readonly gamma?: number;
}

/** The closed form: the lr at `epoch` from `baseLr`. */
export function stepLRAt(epoch: number, baseLr: number, options: StepLROptions): number {
  return baseLr * (options.gamma ?? 0.1) ** Math.floor(epoch / options.stepSize);
}

export class StepLR extends LRScheduler {
  readonly type = 'StepLR';
  readonly stepSize: number;
  readonly gamma: number;

  constructor(optimizer: LrTarget, options: StepLROptions) {
    super(optimizer);
    check(Number.isInteger(options.stepSize) && options.stepSize >= 1, `Invalid stepSize: ${options.stepSize}; it must be an integer >= 1.`);
    this.stepSize = options.stepSize;
    this.gamma = options.gamma ?? 0.1;
    this.initialStep();
  }

  protected chainableLr(): number {
    const { lr } = this.optimizer;
    return this.lastEpoch === 0 || this.lastEpoch % this.stepSize !== 0 ? lr : lr * this.gamma;
  }

  protected override closedFormLr(): number {
    return stepLRAt(this.lastEpoch, this.baseLr, this);
  }
}
