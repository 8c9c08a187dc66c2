// CosineAnnealingLR: half a cosine from η₀ down to η_min over TMax epochs, without
// restarts (torch.optim.lr_scheduler.CosineAnnealingLR).
//
// Closed form (SGDR):  η_e = η_min + ½ (η₀ − η_min)(1 + cos(π e / TMax))
// step() uses PyTorch's recursive form instead,
//   η_e = η_min + (η_{e−1} − η_min) (1 + cos(π e / TMax)) / (1 + cos(π (e − 1) / TMax)),
// which keeps working when another scheduler also changes the lr, and matches
// PyTorch's sequence step for step. Past TMax both forms climb back up along the
// cosine (period 2 TMax); the recursive one takes the first step up additively,
// since its ratio would divide by 1 + cos π = 0.
import { LRScheduler, check, type LrTarget } from './scheduler.ts';

export interface CosineAnnealingLROptions {
  /** Epochs from η₀ down to η_min. */
  readonly TMax: number;
  /** Lowest learning rate. Default 0. */
  readonly etaMin?: number;
}

/** The closed form: the lr at `epoch` from `baseLr`. */
export function cosineAnnealingLRAt(epoch: number, baseLr: number, options: CosineAnnealingLROptions): number {
  const etaMin = options.etaMin ?? 0;
  return etaMin + ((baseLr - etaMin) * (1 + Math.cos((Math.PI * epoch) / options.TMax))) / 2;
}

export class CosineAnnealingLR extends LRScheduler {
  readonly type = 'CosineAnnealingLR';
  readonly TMax: number;
  readonly etaMin: number;

  constructor(optimizer: LrTarget, options: CosineAnnealingLROptions) {
    super(optimizer);
    check(options.TMax > 0, `Invalid TMax: ${options.TMax}; it must be > 0.`);
    this.TMax = options.TMax;
    this.etaMin = options.etaMin ?? 0;
    this.initialStep();
  }

  protected chainableLr(): number {
    const { lastEpoch: e, TMax, etaMin, baseLr } = this;
    const { lr } = this.optimizer;
    if (this.isInitial) return lr;
    if (this.stepCount === 1 && e > 0) return cosineAnnealingLRAt(e, baseLr, this);
    if ((e - 1 - TMax) % (2 * TMax) === 0) return lr + ((baseLr - etaMin) * (1 - Math.cos(Math.PI / TMax))) / 2;
    return ((1 + Math.cos((Math.PI * e) / TMax)) / (1 + Math.cos((Math.PI * (e - 1)) / TMax))) * (lr - etaMin) + etaMin;
  }

  protected override closedFormLr(): number {
    return cosineAnnealingLRAt(this.lastEpoch, this.baseLr, this);
  }
}
