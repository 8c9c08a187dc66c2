// Early stopping: stop when the monitored validation metric has not improved by more
// than `minDelta` for `patience` epochs in a row, and keep a copy of the parameters
// from the best epoch so they can be restored (Keras's EarlyStopping with
// restore_best_weights; Prechelt 1998 on why the validation curve, not the training
// curve, decides).

export interface EarlyStoppingOptions {
  /** Epochs without improvement before stopping. */
  readonly patience: number;
  /** Smallest change that counts as an improvement. Default 0. */
  readonly minDelta?: number;
  /** The validation metric to watch. Default 'loss'. */
  readonly monitor?: string;
  /** 'min' for losses, 'max' for accuracies. Default 'min'. */
  readonly mode?: 'min' | 'max';
  /** Put the best epoch's parameters back when training ends. Default true. */
  readonly restoreBest?: boolean;
}

/** Everything early stopping remembers, for checkpoints. */
export interface EarlyStoppingState {
  readonly best: number;
  readonly bestEpoch: number;
  readonly bestParams: Float64Array | null;
  readonly badEpochs: number;
}

export class EarlyStopping {
  readonly patience: number;
  readonly minDelta: number;
  readonly monitor: string;
  readonly mode: 'min' | 'max';
  readonly restoreBest: boolean;
  best: number;
  bestEpoch = -1;
  bestParams: Float64Array | null = null;
  /** Epochs since the last improvement. */
  badEpochs = 0;

  constructor(options: EarlyStoppingOptions) {
    if (!(Number.isInteger(options.patience) && options.patience >= 1)) {
      throw new RangeError(`Invalid patience ${options.patience}; it must be an integer >= 1.`);
    }
    this.patience = options.patience;
    this.minDelta = Math.abs(options.minDelta ?? 0);
    this.monitor = options.monitor ?? 'loss';
    this.mode = options.mode ?? 'min';
    this.restoreBest = options.restoreBest ?? true;
    this.best = this.mode === 'min' ? Infinity : -Infinity;
  }

  /** Records one epoch's metric; returns true when training should stop. */
  update(value: number, epoch: number, params: Float64Array): boolean {
    if (this.improves(value)) {
      this.best = value;
      this.bestEpoch = epoch;
      if (this.restoreBest) {
        if (this.bestParams === null || this.bestParams.length !== params.length) this.bestParams = params.slice();
        else this.bestParams.set(params);
      }
      this.badEpochs = 0;
      return false;
    }
    this.badEpochs++;
    return this.badEpochs >= this.patience;
  }

  /** Copies the best parameters into `params`; false when there are none to restore. */
  restore(params: Float64Array): boolean {
    if (!this.restoreBest || this.bestParams === null) return false;
    params.set(this.bestParams);
    return true;
  }

  state(): EarlyStoppingState {
    return { best: this.best, bestEpoch: this.bestEpoch, bestParams: this.bestParams?.slice() ?? null, badEpochs: this.badEpochs };
  }

  loadState(s: EarlyStoppingState): void {
    this.best = s.best;
    this.bestEpoch = s.bestEpoch;
    this.bestParams = s.bestParams?.slice() ?? null;
    this.badEpochs = s.badEpochs;
  }

  private improves(value: number): boolean {
    if (Number.isNaN(value)) return false;
    return this.mode === 'min' ? value < this.best - this.minDelta : value > this.best + this.minDelta;
  }
}
