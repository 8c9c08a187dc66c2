// Newton's method with a dense Hessian, for small problems (O(n³) per step):
//
//   H = ∇²f(x);  if H = L Lᵀ (Cholesky succeeds):  p = −H⁻¹∇f        'newton'
//   otherwise, by `modification`:
//     'saddle-free':  p = −V |Λ|⁻¹ Vᵀ ∇f                             'saddle-free'
//     'damped':       p = −(H + τI)⁻¹ ∇f, τ from N&W Alg. 3.3        'damped'
//
// then a backtracking (Armijo) line search from α = 1. When ‖∇f‖∞ ≤ gradTol the
// run stops only if H has no eigenvalue below −curvatureTol·max(1, max|λ|); at a
// saddle it takes a unit step along the eigenvector of the most negative
// eigenvalue instead ('negative-curvature'), so a saddle is never reported as a
// minimum. Every step's kind is counted in result.steps and passed to the callback.
import { cholesky, choleskySolve } from '../../linalg/cholesky.ts';
import { descend, type DescentKind, type DirectionRule } from './descent.ts';
import { lineSearchFactory, type LineSearchOptions } from './lineSearchChoice.ts';
import {
  NewtonWork,
  dampedNewtonStep,
  decompose,
  negativeCurvatureStep,
  saddleFreeStep,
} from './newtonModification.ts';
import type { DenseHessian, MinimizeOptions, MinimizeResult, Objective } from './types.ts';

export type NewtonStepKind = 'newton' | 'damped' | 'saddle-free' | 'negative-curvature';

export interface NewtonOptions extends MinimizeOptions<DescentKind<NewtonStepKind>>, LineSearchOptions {
  /** What to do when H is not positive definite. Default 'saddle-free'. */
  readonly modification?: 'saddle-free' | 'damped';
  /** Saddle-free floor on |λ|, relative to max(1, max|λ|). Default 1e-8. */
  readonly eigenvalueFloor?: number;
  /** Negative curvature below −curvatureTol·max(1, max|λ|) marks a saddle. Default 1e-8. */
  readonly curvatureTol?: number;
}

export interface NewtonResult extends MinimizeResult<DescentKind<NewtonStepKind>> {
  readonly hessianEvaluations: number;
}

/** Minimizes f from x0 by Newton's method with the dense Hessian (scipy's 'trust-exact' territory). */
export function minimizeNewton(objective: Objective, hessian: DenseHessian, x0: Float64Array, options: NewtonOptions = {}): NewtonResult {
  const rule = new NewtonRule(hessian, new NewtonWork(x0.length), options);
  const result = descend(objective, x0, rule, lineSearchFactory(options, { kind: 'armijo', c2: 0.9 }), options);
  return { ...result, hessianEvaluations: rule.hessianEvaluations };
}

class NewtonRule implements DirectionRule<NewtonStepKind> {
  readonly kinds = ['newton', 'damped', 'saddle-free', 'negative-curvature'] as const;
  hessianEvaluations = 0;
  /** Set by isMinimum at a saddle: the eigenvector to follow next. */
  private saddleEigenvector = -1;
  private readonly modification: 'saddle-free' | 'damped';
  private readonly floor: number;
  private readonly curvatureTol: number;

  constructor(private readonly hessian: DenseHessian, private readonly w: NewtonWork, options: NewtonOptions) {
    this.modification = options.modification ?? 'saddle-free';
    this.floor = options.eigenvalueFloor ?? 1e-8;
    this.curvatureTol = options.curvatureTol ?? 1e-8;
  }

  direction(x: Float64Array, _f: number, g: Float64Array, d: Float64Array): NewtonStepKind {
    if (this.saddleEigenvector >= 0) {
      // isMinimum just decomposed H at this x.
      negativeCurvatureStep(this.w, this.saddleEigenvector, g, d);
      this.saddleEigenvector = -1;
      return 'negative-curvature';
    }
    this.evaluateHessian(x);
    const { w } = this;
    if (cholesky(w.h, w.n, w.l)) {
      choleskySolve(w.l, w.n, g, d);
      for (let i = 0; i < w.n; i++) d[i] = -d[i];
      return 'newton';
    }
    if (this.modification === 'damped') {
      dampedNewtonStep(w, g, d);
      return 'damped';
    }
    decompose(w);
    saddleFreeStep(w, g, d, this.floor);
    return 'saddle-free';
  }

  initialStep(): number {
    return 1;
  }

  /** A point with a small gradient is a minimum unless H has clearly negative curvature. */
  isMinimum(x: Float64Array): boolean {
    this.evaluateHessian(x);
    const { w } = this;
    if (cholesky(w.h, w.n, w.l)) return true;
    const k = decompose(w);
    let scale = 1;
    for (let i = 0; i < w.n; i++) scale = Math.max(scale, Math.abs(w.values[i]));
    if (w.values[k] >= -this.curvatureTol * scale) return true;
    this.saddleEigenvector = k;
    return false;
  }

  private evaluateHessian(x: Float64Array): void {
    this.hessian(x, this.w.h);
    this.hessianEvaluations++;
  }
}
