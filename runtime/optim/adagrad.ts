// Adagrad, as torch.optim.Adagrad computes it.
//
//   γ̃ ← γ / (1 + (t − 1) η)                       (lrDecay η, step t from 1)
//   g ← ∇f(θ) (negated when maximizing) + λ θ
//   s ← s + g²                                     (s starts at initialAccumulatorValue)
//   θ ← θ − γ̃ g / (√s + ε)
import { FlatOptimizer, check, checkStep, filled } from './optimizer.ts';
import { buffer, count, type OptimizerSpec } from './optimizerSpec.ts';

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
  static readonly spec: OptimizerSpec<Adagrad> = {
    hyper: { lrDecay: 'number', weightDecay: 'number', initialAccumulatorValue: 'number', eps: 'number', maximize: 'boolean' },
    state: { step: count('t'), sum: buffer() },
    check(o) {
      check(o.lrDecay >= 0, `Invalid lrDecay value: ${o.lrDecay}; it must be >= 0.`);
      check(o.weightDecay >= 0, `Invalid weightDecay value: ${o.weightDecay}; it must be >= 0.`);
      check(o.initialAccumulatorValue >= 0, `Invalid initialAccumulatorValue: ${o.initialAccumulatorValue}; it must be >= 0.`);
      check(o.eps >= 0, `Invalid eps value: ${o.eps}; it must be >= 0.`);
    },
  };
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
    super(options.lr ?? 1e-2, Adagrad.spec);
    this.lrDecay = options.lrDecay ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.initialAccumulatorValue = options.initialAccumulatorValue ?? 0;
    this.eps = options.eps ?? 1e-10;
    this.maximize = options.maximize ?? false;
    this.checkHyper();
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
}
