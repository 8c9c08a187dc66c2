// Natural gradient as a minimizer: the descent loop with the direction
// pₖ = −(F(xₖ) + λₖI)⁻¹ ∇f(xₖ) (CG with Fisher-vector products, see
// ../naturalGradient.ts) and a line search from α = 1 (Armijo backtracking by
// default: near a maximum-likelihood solution F approximates ∇²f, so the unit
// step is the natural one).
//
// With adaptDamping (default true here) λ follows Levenberg–Marquardt: after each
// accepted step s = α p, ρ = (f(x + s) − f(x)) / (gᵀs + ½ sᵀF s), with F p from one
// extra Fisher-vector product; λ ← 3/2 λ if ρ < 1/4, 2/3 λ if ρ > 3/4.
import { dot } from '../../linalg/vector.ts';
import { adaptedDamping, NaturalGradientSolver, reductionRatio, type FisherVectorProduct, type NaturalGradientSolveOptions } from '../naturalGradient.ts';
import { descend, type DescentKind, type DirectionRule } from './descent.ts';
import { lineSearchFactory, type LineSearchOptions } from './lineSearchChoice.ts';
import type { MinimizeOptions, MinimizeResult, Objective } from './types.ts';

export type NaturalGradientStepKind = 'natural-gradient';

export interface NaturalGradientMinimizeOptions
  extends MinimizeOptions<DescentKind<NaturalGradientStepKind>>,
    LineSearchOptions,
    NaturalGradientSolveOptions {
  /** Levenberg–Marquardt adaptation of the damping λ. Default true. */
  readonly adaptDamping?: boolean;
}

export interface NaturalGradientResult extends MinimizeResult<DescentKind<NaturalGradientStepKind>> {
  readonly fisherVectorProducts: number;
  readonly cgIterations: number;
  /** λ at the end of the run. */
  readonly damping: number;
}

/** Minimizes a negative log-likelihood f from x0 by natural gradient with Fisher-vector products. */
export function minimizeNaturalGradient(
  objective: Objective,
  fvp: FisherVectorProduct,
  x0: Float64Array,
  options: NaturalGradientMinimizeOptions = {},
): NaturalGradientResult {
  const rule = new NaturalGradientRule(fvp, x0.length, options);
  const result = descend(objective, x0, rule, lineSearchFactory(options, { kind: 'armijo', c2: 0.9 }), options);
  return { ...result, fisherVectorProducts: rule.fvps, cgIterations: rule.cgIterations, damping: rule.solver.damping };
}

class NaturalGradientRule implements DirectionRule<NaturalGradientStepKind> {
  readonly kinds = ['natural-gradient'] as const;
  readonly solver: NaturalGradientSolver;
  fvps = 0;
  cgIterations = 0;
  private readonly adapt: boolean;
  /** F p at the point the last direction was computed, for the model's predicted decrease. */
  private readonly fp: Float64Array;
  private gp = 0;
  private pFp = 0;
  private fAtDirection = NaN;
  private predicted = NaN;

  constructor(
    private readonly fvp: FisherVectorProduct,
    n: number,
    options: NaturalGradientMinimizeOptions,
  ) {
    this.solver = new NaturalGradientSolver(fvp, options);
    this.adapt = options.adaptDamping ?? true;
    this.fp = new Float64Array(n);
  }

  direction(x: Float64Array, f: number, g: Float64Array, d: Float64Array): NaturalGradientStepKind {
    if (this.adapt && Number.isFinite(this.predicted)) {
      this.solver.damping = adaptedDamping(this.solver.damping, reductionRatio(f - this.fAtDirection, this.predicted));
    }
    const solve = this.solver.solve(x, g, d);
    this.fvps += solve.fisherVectorProducts;
    this.cgIterations += solve.cgIterations;
    for (let i = 0; i < d.length; i++) d[i] = -d[i];
    if (this.adapt) {
      this.fvp(x, d, this.fp);
      this.fvps++;
      this.gp = dot(g, d);
      this.pFp = dot(d, this.fp);
      this.fAtDirection = f;
    }
    this.predicted = NaN;
    return 'natural-gradient';
  }

  initialStep(): number {
    return 1;
  }

  /** M(α p) = α gᵀp + ½ α² pᵀF p: what the quadratic model promised for the step taken. */
  update(_s: Float64Array, _y: Float64Array, alpha: number): void {
    if (this.adapt) this.predicted = alpha * this.gp + 0.5 * alpha * alpha * this.pFp;
  }

  /** The direction was replaced by −∇f: no model prediction for this step. */
  reset(): void {
    this.gp = NaN;
  }
}
