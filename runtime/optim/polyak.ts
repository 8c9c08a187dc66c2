// Polyak averaging around any optimizer: train on θ, evaluate on an average of the
// iterates θ₁, θ₂, … (the parameters after each step).
//
//   window n:   θ̄ = (1/k) Σ of the last k = min(t, n) iterates   (n·size numbers of memory)
//   window ∞:   θ̄ ← θ̄ + (θ − θ̄) / t    (mean of all iterates: PyTorch's AveragedModel, SWA)
//   ema β:      θ̄ ← θ₁, then θ̄ ← lerp(θ̄, θ, 1 − β) = β θ̄ + (1 − β) θ
//               (PyTorch's AveragedModel with get_ema_multi_avg_fn(β))
//
// The wrapper is itself an Optimizer, so schedules and training loops drive it
// unchanged; its lr is the inner optimizer's.
import { ParamSwap } from './swap.ts';
import { check, checkStep, lerp, type Optimizer, type OptimizerStateDict } from './optimizer.ts';
import type { ParamGroup } from './paramGroup.ts';

export type AveragingOptions =
  /** Mean of the last `window` iterates; `Infinity` for the mean of all of them. */
  | { readonly kind: 'window'; readonly window: number }
  /** Exponential moving average with decay β (e.g. 0.999). */
  | { readonly kind: 'ema'; readonly decay: number };

export class PolyakAveraging implements Optimizer {
  readonly type = 'PolyakAveraging';
  readonly optimizer: Optimizer;
  readonly averaging: AveragingOptions;
  /** Iterates recorded so far. */
  private count = 0;
  /** The last `window` iterates, slot t mod window (finite window only). */
  private ring: Float64Array | null = null;
  /** The average: kept up to date (ema, mean of all), or filled on demand (window). */
  private avg: Float64Array | null = null;
  private readonly swap = new ParamSwap();

  constructor(optimizer: Optimizer, averaging: AveragingOptions) {
    if (averaging.kind === 'window') {
      const n = averaging.window;
      check(n === Infinity || (Number.isInteger(n) && n >= 1), `Invalid window: ${n}; it must be an integer >= 1 or Infinity.`);
    } else {
      check(averaging.decay >= 0 && averaging.decay <= 1, `Invalid decay: ${averaging.decay}; it must be in [0, 1].`);
    }
    this.optimizer = optimizer;
    this.averaging = averaging;
  }

  get lr(): number {
    return this.optimizer.lr;
  }
  set lr(value: number) {
    this.optimizer.lr = value;
  }
  get initialLr(): number | undefined {
    return this.optimizer.initialLr;
  }
  set initialLr(value: number | undefined) {
    this.optimizer.initialLr = value;
  }
  /** The inner optimizer's parameter groups (its lr is this wrapper's). */
  get paramGroups(): ParamGroup[] | undefined {
    return this.optimizer.paramGroups;
  }

  /** Number of iterates averaged so far (at most the window). */
  get averagedCount(): number {
    const { averaging } = this;
    return averaging.kind === 'window' ? Math.min(this.count, averaging.window) : this.count;
  }

  /** True while the averaged parameters are swapped in. */
  get swapped(): boolean {
    return this.swap.swapped;
  }

  /** One step of the inner optimizer, then records the new iterate. */
  step(params: Float64Array, grad: Float64Array): void {
    this.swap.assertNotSwapped(this.type);
    this.optimizer.step(params, grad);
    this.update(params);
  }

  /** Records `params` as the latest iterate (for loops that step the inner optimizer themselves). */
  update(params: Float64Array): void {
    checkStep(this.type, params, params, this.avg === null ? -1 : this.avg.length);
    const n = params.length;
    const avg = (this.avg ??= new Float64Array(n));
    const t = ++this.count;
    const { averaging } = this;
    if (averaging.kind === 'ema') {
      if (t === 1) avg.set(params);
      else for (let i = 0; i < n; i++) avg[i] = lerp(avg[i], params[i], 1 - averaging.decay);
    } else if (averaging.window === Infinity) {
      for (let i = 0; i < n; i++) avg[i] = avg[i] + (params[i] - avg[i]) / t;
    } else {
      const ring = (this.ring ??= new Float64Array(averaging.window * n));
      ring.set(params, ((t - 1) % averaging.window) * n);
    }
  }

  /** The averaged parameters (a live buffer: copy it to keep it). */
  averaged(): Float64Array {
    const avg = this.avg;
    if (avg === null) throw new Error('PolyakAveraging.averaged: no iterate has been recorded yet; take a step first.');
    const ring = this.ring;
    if (ring !== null) {
      const k = this.averagedCount;
      const n = avg.length;
      avg.fill(0);
      for (let s = 0; s < k; s++) for (let i = 0; i < n; i++) avg[i] += ring[s * n + i];
      for (let i = 0; i < n; i++) avg[i] /= k;
    }
    return avg;
  }

  /** Saves `params` and replaces them with the average, e.g. for evaluation. */
  swapIn(params: Float64Array): void {
    this.swap.swapIn(this.type, params, this.averaged());
  }

  /** Puts back the parameters saved by swapIn, bit for bit. */
  swapOut(params: Float64Array): void {
    this.swap.swapOut(this.type, params);
  }

  zeroState(): void {
    this.optimizer.zeroState();
    this.count = 0;
    this.ring = null;
    this.avg = null;
  }

  stateDict(): OptimizerStateDict {
    const { averaging } = this;
    return {
      type: this.type,
      lr: this.lr,
      initialLr: this.initialLr,
      hyper: averaging.kind === 'ema' ? { decay: averaging.decay } : { window: averaging.window },
      state: {
        count: this.count,
        // For a finite window the ring is the state; the average is recomputed from it.
        ring: this.ring === null ? null : this.ring.slice(),
        avg: this.ring === null && this.avg !== null ? this.avg.slice() : null,
        size: this.avg === null ? -1 : this.avg.length,
      },
      inner: this.optimizer.stateDict(),
    };
  }

  loadStateDict(state: OptimizerStateDict): void {
    if (state.type !== this.type || state.inner === undefined) {
      throw new TypeError(`Cannot load a ${state.type} state dict into ${this.type}; build a ${state.type} instead.`);
    }
    const { averaging } = this;
    const mine = averaging.kind === 'ema' ? averaging.decay : averaging.window;
    const theirs = averaging.kind === 'ema' ? state.hyper['decay'] : state.hyper['window'];
    if (mine !== theirs) {
      throw new RangeError(`PolyakAveraging.loadStateDict: the state dict was saved with ${JSON.stringify(state.hyper)}, not this wrapper's ${averaging.kind} ${mine}.`);
    }
    const { count, ring, avg, size } = state.state;
    if (typeof count !== 'number' || typeof size !== 'number') throw new TypeError('PolyakAveraging state dict is missing count or size.');
    this.optimizer.loadStateDict(state.inner);
    this.count = count;
    this.ring = ring instanceof Float64Array ? ring.slice() : null;
    this.avg = avg instanceof Float64Array ? avg.slice() : size >= 0 ? new Float64Array(size) : null;
  }
}
