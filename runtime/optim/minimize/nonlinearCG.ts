// Nonlinear conjugate gradient (Nocedal & Wright, Alg. 5.4 and §5.2):
//
//   pₖ = −∇fₖ + βₖ pₖ₋₁,  xₖ₊₁ = xₖ + αₖ pₖ  (strong Wolfe, c₂ = 0.1)
//   Fletcher–Reeves:   βₖ = ‖∇fₖ‖² / ‖∇fₖ₋₁‖²                                 (5.41a)
//   Polak–Ribière+:    βₖ = max(0, ∇fₖᵀ(∇fₖ − ∇fₖ₋₁) / ‖∇fₖ₋₁‖²)               (5.44, 5.45)
//
// Restarts (pₖ = −∇fₖ): every n iterations, when pₖ is not a descent direction,
// and, if `restartThreshold` ν > 0, when successive gradients are far from
// orthogonal, |∇fₖᵀ∇fₖ₋₁| ≥ ν ‖∇fₖ‖² (5.52). With c₂ < ½, FR directions are always
// descent directions (N&W Lemma 5.6). The first step, −∇f₀, counts as a restart. The first trial step is N&W 3.60:
// α₀ = αₖ₋₁ ∇fₖ₋₁ᵀpₖ₋₁ / ∇fₖᵀpₖ.
import { dot, norm2 } from '../../linalg/vector.ts';
import { descend, type DescentKind, type DirectionRule } from './descent.ts';
import { lineSearchFactory, type LineSearchOptions } from './lineSearchChoice.ts';
import type { MinimizeOptions, MinimizeResult, Objective } from './types.ts';

export type CGVariant = 'fletcher-reeves' | 'polak-ribiere-plus';
export type CGStepKind = 'conjugate' | 'restart';

export interface NonlinearCGOptions extends MinimizeOptions<DescentKind<CGStepKind>>, LineSearchOptions {
  /** β formula. Default 'polak-ribiere-plus' (scipy's method='CG'). */
  readonly variant?: CGVariant;
  /** Restart every this many iterations. Default n. */
  readonly restartEvery?: number;
  /** Powell's restart test ν of N&W 5.52; 0 turns it off. Default 0.1 for FR, 0 for PR+. */
  readonly restartThreshold?: number;
}

/** Minimizes f from x0 by nonlinear conjugate gradients. */
export function minimizeCG(objective: Objective, x0: Float64Array, options: NonlinearCGOptions = {}): MinimizeResult<DescentKind<CGStepKind>> {
  const variant = options.variant ?? 'polak-ribiere-plus';
  const rule = new CGRule(x0.length, variant, {
    every: options.restartEvery ?? x0.length,
    threshold: options.restartThreshold ?? (variant === 'fletcher-reeves' ? 0.1 : 0),
  });
  return descend(objective, x0, rule, lineSearchFactory(options, { kind: 'strong-wolfe', c2: 0.1 }), options);
}

class CGRule implements DirectionRule<CGStepKind> {
  readonly kinds = ['conjugate', 'restart'] as const;
  /** y = ∇fₖ − ∇fₖ₋₁ of the last step. */
  private readonly y: Float64Array;
  private ggPrev = NaN;
  private alphaPrev = NaN;
  private slopePrev = NaN;
  private sinceRestart = 0;

  constructor(
    n: number,
    private readonly variant: CGVariant,
    private readonly restart: { readonly every: number; readonly threshold: number },
  ) {
    this.y = new Float64Array(n);
  }

  direction(_x: Float64Array, _f: number, g: Float64Array, d: Float64Array, iteration: number): CGStepKind {
    const gg = dot(g, g);
    const beta = iteration === 0 ? NaN : this.beta(g, gg);
    this.ggPrev = gg;
    if (!(beta >= 0) || this.mustRestart(g, gg)) return this.steepest(g, d);
    for (let i = 0; i < d.length; i++) d[i] = -g[i] + beta * d[i];
    if (!(dot(g, d) < 0)) return this.steepest(g, d);
    this.sinceRestart++;
    return 'conjugate';
  }

  initialStep(g: Float64Array, d: Float64Array, iteration: number): number {
    const slope = dot(g, d);
    const alpha0 = iteration === 0 ? Math.min(1, 1 / norm2(g)) : (this.alphaPrev * this.slopePrev) / slope;
    this.slopePrev = slope;
    return Number.isFinite(alpha0) && alpha0 > 0 ? alpha0 : 1;
  }

  update(_s: Float64Array, y: Float64Array, alpha: number): void {
    this.y.set(y);
    this.alphaPrev = alpha;
  }

  private beta(g: Float64Array, gg: number): number {
    if (this.variant === 'fletcher-reeves') return gg / this.ggPrev;
    return Math.max(0, dot(g, this.y) / this.ggPrev);
  }

  private mustRestart(g: Float64Array, gg: number): boolean {
    if (this.sinceRestart + 1 >= this.restart.every) return true;
    if (this.restart.threshold <= 0) return false;
    // ∇fₖᵀ∇fₖ₋₁ = ‖∇fₖ‖² − ∇fₖᵀy
    return Math.abs(gg - dot(g, this.y)) >= this.restart.threshold * gg;
  }

  private steepest(g: Float64Array, d: Float64Array): CGStepKind {
    for (let i = 0; i < d.length; i++) d[i] = -g[i];
    this.sinceRestart = 0;
    return 'restart';
  }
}
