// LinearLR: scale the lr by a factor going linearly from startFactor to endFactor
// over totalIters epochs, then hold it (torch.optim.lr_scheduler.LinearLR); the usual
// warm-up.
//   η_e = η₀ (s + (f − s) min(e, totalIters) / totalIters)
// step() applies PyTorch's recursive ratio, which reaches the same values up to
// rounding: η_e = η_{e−1} (1 + (f − s) / (totalIters s + (e − 1)(f − s))).
import { LRScheduler, check, type LrTarget } from './scheduler.ts';

export interface LinearLROptions {
  /** Factor at epoch 0, in (0, 1]. Default 1/3. */
  readonly startFactor?: number;
  /** Factor from epoch totalIters on, in [0, 1]. Default 1. */
  readonly endFactor?: number;
  /** Epochs from startFactor to endFactor. Default 5. */
  readonly totalIters?: number;
}

/** The closed form: the lr at `epoch` from `baseLr`. */
export function linearLRAt(epoch: number, baseLr: number, options: LinearLROptions = {}): number {
  const start = options.startFactor ?? 1 / 3;
  const end = options.endFactor ?? 1;
  const total = options.totalIters ?? 5;
  return baseLr * (start + ((end - start) * Math.min(total, epoch)) / total);
}

export class LinearLR extends LRScheduler {
  readonly type = 'LinearLR';
  readonly startFactor: number;
  readonly endFactor: number;
  readonly totalIters: number;

  constructor(optimizer: LrTarget, options: LinearLROptions = {}) {
    super(optimizer);
    this.startFactor = options.startFactor ?? 1 / 3;
    this.endFactor = options.endFactor ?? 1;
    this.totalIters = options.totalIters ?? 5;
    check(
      this.startFactor > 0 && this.startFactor <= 1,
      `Invalid startFactor: ${this.startFactor}; it must be greater than 0 and at most 1.`,
    );
    check(this.endFactor >= 0 && this.endFactor <= 1, `Invalid endFactor: ${this.endFactor}; it must be between 0 and 1.`);
    this.initialStep();
  }

  protected chainableLr(): number {
    const { lastEpoch: e, startFactor: s, endFactor: f, totalIters } = this;
    const { lr } = this.optimizer;
    if (e === 0) return lr * s;
    if (this.isInitial || e > totalIters) return lr;
    return lr * (1 + (f - s) / (totalIters * s + (e - 1) * (f - s)));
  }

  protected override closedFormLr(): number {
    return linearLRAt(this.lastEpoch, this.baseLr, this);
  }
}
