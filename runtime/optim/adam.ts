// Adam (Kingma & Ba 2014) and AMSGrad, as torch.optim.Adam computes them.
//
//   θ ← θ (1 − γ λ)                if decoupledWeightDecay (AdamW)
//   g ← ∇f(θ) (negated when maximizing) + λ θ   otherwise (L2 penalty)
//   m ← lerp(m, g, 1 − β₁)         (= β₁ m + (1 − β₁) g)
//   v ← β₂ v + (1 − β₂) g²
//   v̂ ← max(v̂, v) if amsgrad, else v
//   θ ← θ − (γ / (1 − β₁ᵗ)) · m / (√v̂ / √(1 − β₂ᵗ) + ε)
//
// The last line is the paper's θ ← θ − γ m̂ / (√v̂ + ε) with the bias corrections
// folded in where PyTorch folds them. With amsgrad the running maximum is kept of
// the uncorrected v, and today's correction 1 − β₂ᵗ is applied to it (PyTorch's
// placement; the AMSGrad paper has no bias correction).
import { FlatOptimizer, check, checkStep, lerp } from './optimizer.ts';
import { buffer, count, type OptimizerSpec } from './optimizerSpec.ts';

export interface AdamOptions {
  /** Learning rate γ. Default 1e-3. */
  readonly lr?: number;
  /** Decays (β₁, β₂) of the first and second moments. Default [0.9, 0.999]. */
  readonly betas?: readonly [number, number];
  /** Added to the denominator. Default 1e-8. */
  readonly eps?: number;
  /** Weight decay λ. Default 0 for Adam, 1e-2 for AdamW. */
  readonly weightDecay?: number;
  /** Use the running maximum of the second moment (AMSGrad). Default false. */
  readonly amsgrad?: boolean;
  /** Ascend instead of descend. Default false. */
  readonly maximize?: boolean;
  /** Shrink θ by γλ directly instead of adding λθ to g (AdamW). Default false for Adam. */
  readonly decoupledWeightDecay?: boolean;
}

export class Adam extends FlatOptimizer {
  static readonly spec: OptimizerSpec<Adam> = {
    hyper: { beta1: 'number', beta2: 'number', eps: 'number', weightDecay: 'number', amsgrad: 'boolean', maximize: 'boolean', decoupledWeightDecay: 'boolean' },
    state: { step: count('t'), expAvg: buffer(), expAvgSq: buffer(), maxExpAvgSq: buffer() },
    check(o) {
      check(o.eps >= 0, `Invalid epsilon value: ${o.eps}; it must be >= 0.`);
      check(o.beta1 >= 0 && o.beta1 < 1, `Invalid beta parameter at index 0: ${o.beta1}; it must be in [0, 1).`);
      check(o.beta2 >= 0 && o.beta2 < 1, `Invalid beta parameter at index 1: ${o.beta2}; it must be in [0, 1).`);
      check(o.weightDecay >= 0, `Invalid weightDecay value: ${o.weightDecay}; it must be >= 0.`);
    },
  };
  readonly type: string = 'Adam';
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
  decoupledWeightDecay: boolean;
  private t = 0;
  /** PyTorch's `exp_avg`, `exp_avg_sq` and `max_exp_avg_sq`. */
  private expAvg: Float64Array | null = null;
  private expAvgSq: Float64Array | null = null;
  private maxExpAvgSq: Float64Array | null = null;

  constructor(options: AdamOptions = {}) {
    super(options.lr ?? 1e-3, Adam.spec);
    const [beta1, beta2] = options.betas ?? [0.9, 0.999];
    this.betas = [beta1, beta2];
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.amsgrad = options.amsgrad ?? false;
    this.maximize = options.maximize ?? false;
    this.decoupledWeightDecay = options.decoupledWeightDecay ?? false;
    this.checkHyper();
  }

  /** β₁ by name, as state dicts and parameter groups hold it. */
  get beta1(): number {
    return this.betas[0];
  }
  set beta1(value: number) {
    this.betas = [value, this.betas[1]];
  }

  /** β₂ by name, as state dicts and parameter groups hold it. */
  get beta2(): number {
    return this.betas[1];
  }
  set beta2(value: number) {
    this.betas = [this.betas[0], value];
  }

  step(params: Float64Array, grad: Float64Array): void {
    checkStep(this.type, params, grad, this.expAvg === null ? -1 : this.expAvg.length);
    const n = params.length;
    const m = (this.expAvg ??= new Float64Array(n));
    const v = (this.expAvgSq ??= new Float64Array(n));
    const vMax = this.amsgrad ? (this.maxExpAvgSq ??= new Float64Array(n)) : null;
    const t = ++this.t;
    const { lr, eps, weightDecay } = this;
    const beta1 = this.betas[0];
    const beta2 = this.betas[1];
    const sign = this.maximize ? -1 : 1;
    const decay = this.decoupledWeightDecay ? 1 - lr * weightDecay : 1;
    const l2 = this.decoupledWeightDecay ? 0 : weightDecay;
    const stepSize = lr / (1 - beta1 ** t);
    const bc2Sqrt = Math.sqrt(1 - beta2 ** t);
    for (let i = 0; i < n; i++) {
      let p = params[i];
      if (decay !== 1) p *= decay;
      let g = sign * grad[i];
      if (l2 !== 0) g += l2 * p;
      const mi = lerp(m[i], g, 1 - beta1);
      m[i] = mi;
      let vi = v[i] * beta2 + (1 - beta2) * g * g;
      v[i] = vi;
      if (vMax !== null) {
        vi = Math.max(vMax[i], vi);
        vMax[i] = vi;
      }
      params[i] = p - stepSize * (mi / (Math.sqrt(vi) / bc2Sqrt + eps));
    }
  }
}
