// Stochastic gradient descent with optional momentum, as torch.optim.SGD computes it.
//
//   g ← ∇f(θ) (negated when maximizing) + λ θ
//   b ← g on the first step, else b ← μ b + (1 − τ) g      (momentum μ, dampening τ)
//   g ← g + μ b  (Nesterov)   or   g ← b
//   θ ← θ − γ g
//
// This is PyTorch's form of momentum (v = ρ v + g; θ −= α v), not Sutskever's
// (v = ρ v + α g; θ −= v); the two agree while the learning rate is constant and
// differ once a schedule changes it. Nesterov is PyTorch's reformulation, which
// evaluates the gradient at the current parameters rather than at a look-ahead point.
import { FlatOptimizer, check, checkStep } from './optimizer.ts';
import { buffer, type OptimizerSpec } from './optimizerSpec.ts';

export interface SGDOptions {
  /** Learning rate γ. Default 1e-3 (PyTorch's default since 2.2). */
  readonly lr?: number;
  /** Momentum factor μ. Default 0. */
  readonly momentum?: number;
  /** Dampening τ of the momentum. Default 0. */
  readonly dampening?: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  readonly weightDecay?: number;
  /** Nesterov momentum; needs momentum > 0 and dampening 0. Default false. */
  readonly nesterov?: boolean;
  /** Ascend instead of descend. Default false. */
  readonly maximize?: boolean;
}

export class SGD extends FlatOptimizer {
  static readonly spec: OptimizerSpec<SGD> = {
    hyper: { momentum: 'number', dampening: 'number', weightDecay: 'number', nesterov: 'boolean', maximize: 'boolean' },
    state: { momentumBuffer: buffer('buf') },
    check(o) {
      check(o.momentum >= 0, `Invalid momentum value: ${o.momentum}; it must be >= 0.`);
      check(o.weightDecay >= 0, `Invalid weightDecay value: ${o.weightDecay}; it must be >= 0.`);
      check(!o.nesterov || (o.momentum > 0 && o.dampening === 0), 'Nesterov momentum requires a momentum > 0 and zero dampening.');
    },
  };
  readonly type = 'SGD';
  momentum: number;
  dampening: number;
  weightDecay: number;
  nesterov: boolean;
  maximize: boolean;
  /** PyTorch's `momentum_buffer`; null until the first step with momentum. */
  private buf: Float64Array | null = null;

  constructor(options: SGDOptions = {}) {
    super(options.lr ?? 1e-3, SGD.spec);
    this.momentum = options.momentum ?? 0;
    this.dampening = options.dampening ?? 0;
    this.weightDecay = options.weightDecay ?? 0;
    this.nesterov = options.nesterov ?? false;
    this.maximize = options.maximize ?? false;
    this.checkHyper();
  }

  step(params: Float64Array, grad: Float64Array): void {
    checkStep(this.type, params, grad, this.buf === null ? -1 : this.buf.length);
    const { lr, momentum, weightDecay, nesterov } = this;
    const sign = this.maximize ? -1 : 1;
    if (momentum === 0) {
      for (let i = 0; i < params.length; i++) {
        let g = sign * grad[i];
        if (weightDecay !== 0) g += weightDecay * params[i];
        params[i] = params[i] - lr * g;
      }
      return;
    }
    const first = this.buf === null;
    const buf = (this.buf ??= new Float64Array(params.length));
    const keep = 1 - this.dampening;
    for (let i = 0; i < params.length; i++) {
      let g = sign * grad[i];
      if (weightDecay !== 0) g += weightDecay * params[i];
      // The first step seeds the buffer with the gradient itself, undampened.
      const b = first ? g : momentum * buf[i] + keep * g;
      buf[i] = b;
      params[i] = params[i] - lr * (nesterov ? g + momentum * b : b);
    }
  }
}
