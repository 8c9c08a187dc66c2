// Averaged SGD (Polyak & Juditsky 1992), as torch.optim.ASGD computes it on the CPU.
//
// At step t (from 1), with η and μ as left by the previous step (η = γ, μ = 1 at first):
//   g  ← ∇f(θ) (negated when maximizing) + λ_wd θ
//   θ  ← θ (1 − λ η) − η g
//   ā  ← θ if μ = 1, else ā + μ (θ − ā)
//   η  ← γ / (1 + λ γ t)^α
//   μ  ← 1 / max(1, t − t₀)
// so ā equals θ up to step t₀ + 2 and after that is the mean of the iterates from
// step t₀ + 2 on (with the default t₀ = 1e6, ā is just θ for a long time).
// PyTorch's multi-tensor (foreach) path computes η = γ / (1 + λ γ t^α) instead;
// we follow the documented single-tensor formula, which the CPU path uses.
import { FlatOptimizer, check, checkStep } from './optimizer.ts';
import { buffer, count, scalar, type OptimizerSpec } from './optimizerSpec.ts';
import { ParamSwap } from './swap.ts';

export interface ASGDOptions {
  /** Learning rate γ. Default 1e-2. */
  readonly lr?: number;
  /** Decay term λ. Default 1e-4. */
  readonly lambd?: number;
  /** Power α of the η decay. Default 0.75. */
  readonly alpha?: number;
  /** Step after which averaging starts. Default 1e6. */
  readonly t0?: number;
  /** L2 penalty λ_wd added to the gradient. Default 0. */
  readonly weightDecay?: number;
  /** Ascend instead of descend. Default false. */
  readonly maximize?: boolean;
}

export class ASGD extends FlatOptimizer {
  static readonly spec: OptimizerSpec<ASGD> = {
    hyper: { lambd: 'number', alpha: 'number', t0: 'number', weightDecay: 'number', maximize: 'boolean' },
    // η and μ are set from lr on the first step; until then they are unused.
    state: { step: count('t'), eta: scalar(0), mu: scalar(1), ax: buffer() },
    check(o) {
      check(o.weightDecay >= 0, `Invalid weightDecay value: ${o.weightDecay}; it must be >= 0.`);
    },
  };
  readonly type = 'ASGD';
  lambd: number;
  alpha: number;
  t0: number;
  weightDecay: number;
  maximize: boolean;
  private t = 0;
  private eta = 0;
  private mu = 1;
  /** PyTorch's `ax`: the averaged parameters. */
  private ax: Float64Array | null = null;
  private readonly swap = new ParamSwap();

  constructor(options: ASGDOptions = {}) {
    super(options.lr ?? 1e-2, ASGD.spec);
    this.lambd = options.lambd ?? 1e-4;
    this.alpha = options.alpha ?? 0.75;
    this.t0 = options.t0 ?? 1e6;
    this.weightDecay = options.weightDecay ?? 0;
    this.maximize = options.maximize ?? false;
    this.checkHyper();
  }

  step(params: Float64Array, grad: Float64Array): void {
    this.swap.assertNotSwapped(this.type);
    checkStep(this.type, params, grad, this.ax === null ? -1 : this.ax.length);
    if (this.ax === null) {
      // State starts at the first step, from the learning rate of that moment.
      this.ax = new Float64Array(params.length);
      this.eta = this.lr;
      this.mu = 1;
    }
    const ax = this.ax;
    const t = ++this.t;
    const { eta, mu, lambd, weightDecay } = this;
    const shrink = 1 - lambd * eta;
    const sign = this.maximize ? -1 : 1;
    for (let i = 0; i < params.length; i++) {
      let g = sign * grad[i];
      if (weightDecay !== 0) g += weightDecay * params[i];
      const p = params[i] * shrink - eta * g;
      params[i] = p;
      ax[i] = mu === 1 ? p : ax[i] + (p - ax[i]) * mu;
    }
    this.eta = this.lr / (1 + lambd * this.lr * t) ** this.alpha;
    this.mu = 1 / Math.max(1, t - this.t0);
  }

  /** The averaged parameters ā (live, do not modify), or null before the first step. */
  averaged(): Float64Array | null {
    return this.ax;
  }

  /** Saves `params` and replaces them with ā, e.g. for evaluation. */
  swapIn(params: Float64Array): void {
    if (this.ax === null) throw new Error('ASGD.swapIn: there is no average before the first step.');
    this.swap.swapIn(this.type, params, this.ax);
  }

  /** Puts back the parameters saved by swapIn. */
  swapOut(params: Float64Array): void {
    this.swap.swapOut(this.type, params);
  }
}
