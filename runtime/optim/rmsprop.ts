// RMSprop (Hinton, lecture 6e), as torch.optim.RMSprop computes it, with the
// textbook placement of ε as an option.
//
//   g ← ∇f(θ) (negated when maximizing) + λ θ
//   v ← α v + (1 − α) g²
//   centered:  m ← lerp(m, g, 1 − α);  v̄ ← v − m²          (else v̄ ← v)
//   d ← √v̄ + ε     (PyTorch, default)   or   d ← √(v̄ + ε)   (epsInSqrt: the lecture
//                   slides, TensorFlow's and optax's `eps_in_sqrt` placement)
//   momentum μ > 0:  b ← μ b + g / d;  θ ← θ − γ b
//   otherwise:       θ ← θ − γ g / d
import { FlatOptimizer, check, checkStep, lerp } from './optimizer.ts';
import { buffer, count, type OptimizerSpec } from './optimizerSpec.ts';

export interface RMSpropOptions {
  /** Learning rate γ. Default 1e-2. */
  readonly lr?: number;
  /** Smoothing constant α of the running mean of g². Default 0.99. */
  readonly alpha?: number;
  /** Keeps the denominator away from zero. Default 1e-8. */
  readonly eps?: number;
  /** L2 penalty λ added to the gradient. Default 0. */
  readonly weightDecay?: number;
  /** Momentum μ applied to the normalized gradient. Default 0. */
  readonly momentum?: number;
  /** Normalize by an estimate of the variance instead of the second moment. Default false. */
  readonly centered?: boolean;
  /** Ascend instead of descend. Default false. */
  readonly maximize?: boolean;
  /**
   * Put ε inside the square root, `g / √(v + ε)`, as in the lecture slides and
   * TensorFlow/optax. Default false: PyTorch's `g / (√v + ε)`.
   */
  readonly epsInSqrt?: boolean;
}

export class RMSprop extends FlatOptimizer {
  static readonly spec: OptimizerSpec<RMSprop> = {
    hyper: { alpha: 'number', eps: 'number', weightDecay: 'number', momentum: 'number', centered: 'boolean', maximize: 'boolean', epsInSqrt: 'boolean' },
    state: { step: count('t'), squareAvg: buffer(), gradAvg: buffer(), momentumBuffer: buffer('buf') },
    check(o) {
      check(o.alpha >= 0, `Invalid alpha value: ${o.alpha}; it must be >= 0.`);
      check(o.eps >= 0, `Invalid eps value: ${o.eps}; it must be >= 0.`);
      check(o.momentum >= 0, `Invalid momentum value: ${o.momentum}; it must be >= 0.`);
      check(o.weightDecay >= 0, `Invalid weightDecay value: ${o.weightDecay}; it must be >= 0.`);
    },
  };
  readonly type = 'RMSprop';
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
  epsInSqrt: boolean;
  private t = 0;
  /** PyTorch's `square_avg`, `grad_avg` (centered) and `momentum_buffer`. */
  private squareAvg: Float64Array | null = null;
  private gradAvg: Float64Array | null = null;
  private buf: Float64Array | null = null;

  constructor(options: RMSpropOptions = {}) {
    super(options.lr ?? 1e-2, RMSprop.spec);
    this.alpha = options.alpha ?? 0.99;
    this.eps = options.eps ?? 1e-8;
    this.weightDecay = options.weightDecay ?? 0;
    this.momentum = options.momentum ?? 0;
    this.centered = options.centered ?? false;
    this.maximize = options.maximize ?? false;
    this.epsInSqrt = options.epsInSqrt ?? false;
    this.checkHyper();
  }

  step(params: Float64Array, grad: Float64Array): void {
    checkStep(this.type, params, grad, this.squareAvg === null ? -1 : this.squareAvg.length);
    const n = params.length;
    const v = (this.squareAvg ??= new Float64Array(n));
    // Buffers for the options in use only; a flag switched on mid-run starts from zeros.
    const m = this.centered ? (this.gradAvg ??= new Float64Array(n)) : null;
    const b = this.momentum > 0 ? (this.buf ??= new Float64Array(n)) : null;
    this.t++;
    const { lr, alpha, eps, weightDecay, momentum, epsInSqrt } = this;
    const sign = this.maximize ? -1 : 1;
    for (let i = 0; i < n; i++) {
      let g = sign * grad[i];
      if (weightDecay !== 0) g += weightDecay * params[i];
      const vi = v[i] * alpha + (1 - alpha) * g * g;
      v[i] = vi;
      let vBar = vi;
      if (m !== null) {
        const mi = lerp(m[i], g, 1 - alpha);
        m[i] = mi;
        vBar = vi - mi * mi;
      }
      const d = epsInSqrt ? Math.sqrt(vBar + eps) : Math.sqrt(vBar) + eps;
      if (b !== null) {
        const bi = b[i] * momentum + g / d;
        b[i] = bi;
        params[i] = params[i] - lr * bi;
      } else {
        params[i] = params[i] - lr * (g / d);
      }
    }
  }
}
