// The learning-rate scheduler protocol of torch.optim.lr_scheduler.LRScheduler.
//
// A scheduler drives anything with an `lr` (every optimizer here, or a bare
// `{ lr: 0.1 }`). Construction performs the initial step, so the target's lr is the
// epoch-0 value at once; afterwards call `step()` once per epoch (or batch), after
// the optimizer's step. Like PyTorch, `step()` updates the lr *recursively* from its
// current value (the "chainable" form, so several schedulers can act on one lr),
// and `step(epoch)` jumps to `epoch` through the closed form. The two agree up to
// rounding (about 1e-16 relative per step); the sequences from `step()` are the ones
// PyTorch produces.
//
// The first scheduler attached to a target records the target's lr as
// `initialLr` (PyTorch's `group['initial_lr']`); every scheduler on that target
// takes it as its base lr. SequentialLR relies on this.

/** What a scheduler drives: an object with a learning rate. */
export interface LrTarget {
  lr: number;
  initialLr?: number | undefined;
}

/** A scheduler's progress, for checkpoints (the options are not included: build the
 * scheduler with the same options, then load). */
export interface SchedulerStateDict {
  readonly type: string;
  readonly values: Readonly<Record<string, number>>;
  readonly children?: readonly SchedulerStateDict[];
}

export abstract class LRScheduler {
  abstract readonly type: string;
  readonly optimizer: LrTarget;
  /** PyTorch's `base_lrs[0]`. */
  baseLr: number;
  /** Index of the last epoch stepped to; -1 before the initial step. */
  lastEpoch = -1;
  /** Calls to step(), counting the initial one (PyTorch's `_step_count`). */
  protected stepCount = 0;
  /** True during the initial step (PyTorch's `_is_initial`). */
  protected isInitial = false;
  protected lastLr: number;

  protected constructor(optimizer: LrTarget) {
    if (optimizer.initialLr === undefined) optimizer.initialLr = optimizer.lr;
    this.optimizer = optimizer;
    this.baseLr = optimizer.initialLr;
    this.lastLr = optimizer.lr;
  }

  /** The learning rate set by the last step (PyTorch's `get_last_lr()[0]`). */
  getLastLr(): number {
    return this.lastLr;
  }

  /** Advances one epoch (chainable form), or jumps to `epoch` (closed form). */
  step(epoch?: number): void {
    this.stepCount++;
    this.updateLr(epoch);
  }

  /**
   * Sets the lr for the next epoch, or for `epoch`, without counting a step
   * (PyTorch's `_update_lr`; SequentialLR calls it at a milestone).
   */
  updateLr(epoch?: number): void {
    let lr: number;
    if (epoch === undefined) {
      this.lastEpoch++;
      lr = this.chainableLr();
    } else {
      this.lastEpoch = epoch;
      lr = this.closedFormLr();
    }
    this.setLr(lr);
  }

  /** Undoes the epoch count of the initial step (PyTorch's `recursive_undo`). */
  undoInitialStep(): void {
    this.lastEpoch--;
  }

  /**
   * Performs the initial step (PyTorch's `_initial_step`): subclasses call it last in
   * their constructors, and SequentialLR again on its first scheduler.
   */
  initialStep(): void {
    this.stepCount = 0;
    this.isInitial = true;
    try {
      this.step();
    } finally {
      this.isInitial = false;
    }
  }

  /** The next lr from the current one (PyTorch's `get_lr`). */
  protected abstract chainableLr(): number;

  /** The lr at `lastEpoch` from the base lr (PyTorch's `_get_closed_form_lr`). */
  protected closedFormLr(): number {
    return this.chainableLr();
  }

  protected setLr(lr: number): void {
    this.optimizer.lr = lr;
    this.lastLr = lr;
  }

  stateDict(): SchedulerStateDict {
    const { baseLr, lastEpoch, stepCount, lastLr } = this;
    return { type: this.type, values: { baseLr, lastEpoch, stepCount, lastLr, ...this.extraState() } };
  }

  loadStateDict(state: SchedulerStateDict): void {
    if (state.type !== this.type) {
      throw new TypeError(`Cannot load a ${state.type} state dict into ${this.type}; build a ${state.type} instead.`);
    }
    this.baseLr = stateValue(state, 'baseLr');
    this.lastEpoch = stateValue(state, 'lastEpoch');
    this.stepCount = stateValue(state, 'stepCount');
    this.lastLr = stateValue(state, 'lastLr');
    this.loadExtraState(state);
  }

  /** Progress beyond the common counters (e.g. T_i and T_cur). */
  protected extraState(): Record<string, number> {
    return {};
  }

  protected loadExtraState(_state: SchedulerStateDict): void {}
}

/** Reads one number from a scheduler state dict, or throws naming it. */
export function stateValue(state: SchedulerStateDict, key: string): number {
  const v = state.values[key];
  if (typeof v !== 'number') throw new TypeError(`${state.type} state dict is missing '${key}'.`);
  return v;
}

/** Throws a RangeError with `message` unless `ok`. */
export function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(message);
}

/** Number of entries of the ascending list `xs` that are <= x (Python's bisect_right). */
export function bisectRight(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (x < xs[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
