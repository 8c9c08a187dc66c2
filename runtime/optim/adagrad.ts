// Adagrad, as torch.optim.Adagrad computes it.
//
//   γ̃ ← γ / (1 + (t − 1) η)                       (lrDecay η, step t from 1)
//   g ← ∇f(θ) (negated when maximizing) + λ θ
//   s ← s + g²                                     (s starts at initialAccumulatorValue)
//   θ ← θ − γ̃ g / (√s + ε)
import {
  FlatOptimizer,
  check,
  checkStep,
  filled,
  hyperBoolean,
  hyperNumber,
  stateBuffer,
  stateNumber,
  type HyperValue,
  type StateValue,
} from './optimizer.ts';

export interface AdagradOptions {
  /** Learning rate γ. Default 1e-2. */
  readonly lr?: number;
  /** Learning-rate decay η per step. Default 0. */
  readonly lrDecay?: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  readonly weightDecay?: number;
  /** Starting value of the sum of squares. Default 0. */
  readonly initialAccumulatorValue?: number;
  /** Added to the denominator. Default 1e-10. */
  readonly eps?: number;
  /** Ascend instead of descend. Default false. */
  readonly maximize?: boolean;
}

export class Adagrad extends FlatOptimizer {
  readonly type = 'Adagrad';
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
  maximize: boolean;
  private t = 0;
  /** PyTorch's `sum`. */
  private sum: Float64Array | null = null;

  constructor(options: AdagradOptions = {}) {
    super(options.lr ?? 1e-2);
    this.lrDecay = options.lrDecay ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.initialAccumulatorValue = options.initialAccumulatorValue ?? 0;
    this.eps = options.eps ?? 1e-10;
    this.maximize = options.maximize ?? false;
    check(this.lrDecay >= 0, `Invalid lrDecay value: ${this.lrDecay}; it must be >= 0.`);
    check(this.weightDecay >= 0, `Invalid weightDecay value: ${this.weightDecay}; it must be >= 0.`);
    check(
      this.initialAccumulatorValue >= 0,
      `Invalid initialAccumulatorValue: ${this.initialAccumulatorValue}; it must be >= 0.`,
    );
    check(this.eps >= 0, `Invalid eps value: ${this.eps}; it must be >= 0.`);
  }

  step(params: Float64Array, grad: Float64Array): void {
    checkStep(this.type, params, grad, this.sum === null ? -1 : this.sum.length);
    const sum = (this.sum ??= filled(params.length, this.initialAccumulatorValue));
    const t = ++this.t;
    const { weightDecay, eps } = this;
    const clr = this.lr / (1 + (t - 1) * this.lrDecay);
    const sign = this.maximize ? -1 : 1;
    for (let i = 0; i < params.length; i++) {
      let g = sign * grad[i];
      if (weightDecay !== 0) g += weightDecay * params[i];
      const s = sum[i] + g * g;
      sum[i] = s;
      params[i] = params[i] - clr * (g / (Math.sqrt(s) + eps));
    }
  }

  zeroState(): void {
    this.t = 0;
    this.sum = null;
  }

  protected getHyper(): Record<string, HyperValue> {
    const { lrDecay, weightDecay, initialAccumulatorValue, eps, maximize } = this;
    return { lrDecay, weightDecay, initialAccumulatorValue, eps, maximize };
  }

  protected setHyper(h: Readonly<Record<string, HyperValue>>): void {
    this.lrDecay = hyperNumber(h, 'lrDecay');
    this.weightDecay = hyperNumber(h, 'weightDecay');
    this.initialAccumulatorValue = hyperNumber(h, 'initialAccumulatorValue');
    this.eps = hyperNumber(h, 'eps');
    this.maximize = hyperBoolean(h, 'maximize');
  }

  protected getState(): Record<string, StateValue> {
    return { step: this.t, sum: this.sum };
  }

  protected setState(s: Readonly<Record<string, StateValue>>): void {
    this.t = stateNumber(s, 'step');
    this.sum = stateBuffer(s, 'sum');
  }
}
