// ReduceLROnPlateau: cut the lr by `factor` once a metric has stopped improving for
// more than `patience` epochs (torch.optim.lr_scheduler.ReduceLROnPlateau).
//
// An epoch improves on the best value so far when, in 'min' mode, the metric is
// below best·(1 − threshold) ('rel') or best − threshold ('abs'); 'max' mode mirrors
// this. After a cut, `cooldown` epochs pass without counting bad epochs. The lr never
// goes below minLr, and a cut smaller than eps is skipped.
import { check, stateValue, type LrTarget, type SchedulerStateDict } from './scheduler.ts';

export interface ReduceLROnPlateauOptions {
  /** Whether the metric should go down ('min', e.g. a loss) or up ('max'). Default 'min'. */
  readonly mode?: 'min' | 'max';
  /** new lr = lr · factor. Default 0.1. */
  readonly factor?: number;
  /** Bad epochs tolerated before a cut. Default 10. */
  readonly patience?: number;
  /** Smallest change that counts as an improvement. Default 1e-4. */
  readonly threshold?: number;
  /** Whether threshold is relative to the best value ('rel') or absolute ('abs'). Default 'rel'. */
  readonly thresholdMode?: 'rel' | 'abs';
  /** Epochs to wait after a cut before counting bad epochs again. Default 0. */
  readonly cooldown?: number;
  /** Lower bound on the lr. Default 0. */
  readonly minLr?: number;
  /** Cuts smaller than this are skipped. Default 1e-8. */
  readonly eps?: number;
}

export class ReduceLROnPlateau {
  readonly type = 'ReduceLROnPlateau';
  readonly optimizer: LrTarget;
  readonly mode: 'min' | 'max';
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: 'rel' | 'abs';
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;
  /** Best metric so far (±Infinity before the first step). */
  best: number;
  numBadEpochs = 0;
  cooldownCounter = 0;
  lastEpoch = 0;
  private lastLr: number;

  constructor(optimizer: LrTarget, options: ReduceLROnPlateauOptions = {}) {
    this.optimizer = optimizer;
    this.mode = options.mode ?? 'min';
    this.factor = options.factor ?? 0.1;
    this.patience = options.patience ?? 10;
    this.threshold = options.threshold ?? 1e-4;
    this.thresholdMode = options.thresholdMode ?? 'rel';
    this.cooldown = options.cooldown ?? 0;
    this.minLr = options.minLr ?? 0;
    this.eps = options.eps ?? 1e-8;
    check(this.factor < 1, `Invalid factor: ${this.factor}; it should be < 1.0.`);
    check(this.mode === 'min' || this.mode === 'max', `mode ${String(this.mode)} is unknown; use 'min' or 'max'.`);
    check(
      this.thresholdMode === 'rel' || this.thresholdMode === 'abs',
      `threshold mode ${String(this.thresholdMode)} is unknown; use 'rel' or 'abs'.`,
    );
    this.best = this.worst();
    this.lastLr = optimizer.lr;
  }

  get inCooldown(): boolean {
    return this.cooldownCounter > 0;
  }

  /** The learning rate after the last step (PyTorch's `get_last_lr()[0]`). */
  getLastLr(): number {
    return this.lastLr;
  }

  /** Records this epoch's metric, cutting the lr if it has plateaued. */
  step(metric: number): void {
    this.lastEpoch++;
    if (this.isBetter(metric, this.best)) {
      this.best = metric;
      this.numBadEpochs = 0;
    } else {
      this.numBadEpochs++;
    }
    if (this.inCooldown) {
      this.cooldownCounter--;
      this.numBadEpochs = 0; // bad epochs during cooldown do not count
    }
    if (this.numBadEpochs > this.patience) {
      this.reduceLr();
      this.cooldownCounter = this.cooldown;
      this.numBadEpochs = 0;
    }
    this.lastLr = this.optimizer.lr;
  }

  /** Forgets the best value and the counters (PyTorch's `_reset`). */
  reset(): void {
    this.best = this.worst();
    this.cooldownCounter = 0;
    this.numBadEpochs = 0;
  }

  stateDict(): SchedulerStateDict {
    const { best, numBadEpochs, cooldownCounter, lastEpoch, lastLr } = this;
    return { type: this.type, values: { best, numBadEpochs, cooldownCounter, lastEpoch, lastLr } };
  }

  loadStateDict(state: SchedulerStateDict): void {
    if (state.type !== this.type) {
      throw new TypeError(`Cannot load a ${state.type} state dict into ${this.type}; build a ${state.type} instead.`);
    }
    this.best = stateValue(state, 'best');
    this.numBadEpochs = stateValue(state, 'numBadEpochs');
    this.cooldownCounter = stateValue(state, 'cooldownCounter');
    this.lastEpoch = stateValue(state, 'lastEpoch');
    this.lastLr = stateValue(state, 'lastLr');
  }

  private reduceLr(): void {
    const oldLr = this.optimizer.lr;
    const newLr = Math.max(oldLr * this.factor, this.minLr);
    if (oldLr - newLr > this.eps) this.optimizer.lr = newLr;
  }

  private isBetter(a: number, best: number): boolean {
    const rel = this.thresholdMode === 'rel';
    if (this.mode === 'min') return rel ? a < best * (1 - this.threshold) : a < best - this.threshold;
    return rel ? a > best * (this.threshold + 1) : a > best + this.threshold;
  }

  private worst(): number {
    return this.mode === 'min' ? Infinity : -Infinity;
  }
}

/** The lr after each of `metrics`, starting from `lr`: the schedule as a pure function. */
export function reduceLROnPlateauLrs(
  metrics: readonly number[],
  lr: number,
  options: ReduceLROnPlateauOptions = {},
): number[] {
  const target = { lr };
  const scheduler = new ReduceLROnPlateau(target, options);
  return metrics.map((m) => {
    scheduler.step(m);
    return target.lr;
  });
}
