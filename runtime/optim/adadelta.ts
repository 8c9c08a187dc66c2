// Adadelta (Zeiler 2012), as torch.optim.Adadelta computes it.
//
//   g  ← ∇f(θ) (negated when maximizing) + λ θ
//   v  ← ρ v + (1 − ρ) g²                           (running mean of g²)
//   Δ  ← √(u + ε) / √(v + ε) · g                    (u: running mean of Δ²)
//   u  ← ρ u + (1 − ρ) Δ²
//   θ  ← θ − γ Δ
//
// The paper has no learning rate (γ = 1, which is PyTorch's default too).
import { FlatOptimizer, check, checkStep } from './optimizer.ts';
import { buffer, count, type OptimizerSpec } from './optimizerSpec.ts';

export interface AdadeltaOptions {
  /** Scale γ applied to the update. Default 1.0. */
  readonly lr?: number;
  /** Decay ρ of both running means. Default 0.9. */
  readonly rho?: number;
  /** Added inside both square roots. Default 1e-6. */
  readonly eps?: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  readonly weightDecay?: number;
  /** Ascend instead of descend. Default false. */
  readonly maximize?: boolean;
}

export class Adadelta extends FlatOptimizer {
  static readonly spec: OptimizerSpec<Adadelta> = {
    hyper: { rho: 'number', eps: 'number', weightDecay: 'number', maximize: 'boolean' },
    state: { step: count('t'), squareAvg: buffer(), accDelta: buffer() },
    check(o) {
      check(o.rho >= 0 && o.rho <= 1, `Invalid rho value: ${o.rho}; it must be in [0, 1].`);
      check(o.eps >= 0, `Invalid eps value: ${o.eps}; it must be >= 0.`);
      check(o.weightDecay >= 0, `Invalid weightDecay value: ${o.weightDecay}; it must be >= 0.`);
    },
  };
  readonly type = 'Adadelta';
  rho: number;
  eps: number;
  weightDecay: number;
  maximize: boolean;
  private t = 0;
  /** PyTorch's `square_avg` (v) and `acc_delta` (u). */
  private squareAvg: Float64Array | null = null;
  private accDelta: Float64Array | null = null;

  constructor(options: AdadeltaOptions = {}) {
    super(options.lr ?? 1.0, Adadelta.spec);
    this.rho = options.rho ?? 0.9;
    this.eps = options.eps ?? 1e-6;
    this.weightDecay = options.weightDecay ?? 0;
    this.maximize = options.maximize ?? false;
    this.checkHyper();
  }

  step(params: Float64Array, grad: Float64Array): void {
    checkStep(this.type, params, grad, this.squareAvg === null ? -1 : this.squareAvg.length);
    const v = (this.squareAvg ??= new Float64Array(params.length));
    const u = (this.accDelta ??= new Float64Array(params.length));
    this.t++;
    const { lr, rho, eps, weightDecay } = this;
    const sign = this.maximize ? -1 : 1;
    for (let i = 0; i < params.length; i++) {
      let g = sign * grad[i];
      if (weightDecay !== 0) g += weightDecay * params[i];
      const vi = v[i] * rho + (1 - rho) * g * g;
      v[i] = vi;
      const delta = (Math.sqrt(u[i] + eps) / Math.sqrt(vi + eps)) * g;
      u[i] = u[i] * rho + (1 - rho) * delta * delta;
      params[i] = params[i] - lr * delta;
    }
  }
}
