// Line-search Newton-CG, or truncated Newton (Nocedal & Wright, Alg. 7.1): the
// Newton system ∇²f pₖ = −∇fₖ is solved only approximately, by linear CG that
// touches the Hessian through products ∇²f v alone, to the forcing tolerance
//
//   ‖rⱼ‖ ≤ εₖ = min(0.5, √‖∇fₖ‖) ‖∇fₖ‖                     (N&W 7.3 with 7.9: superlinear)
//
// and stopped early when it meets a direction of non-positive curvature dⱼᵀ∇²f dⱼ ≤ 0:
// then pₖ is the CG iterate so far (or −∇fₖ if that happens at once), which is
// still a descent direction ('negative-curvature'). Otherwise the step is 'newton'.
// A strong Wolfe line search (c₂ = 0.9, α₀ = 1) follows.
import { axpy, dot, norm2 } from '../../linalg/vector.ts';
import { descend, type DescentKind, type DirectionRule } from './descent.ts';
import { lineSearchFactory, type LineSearchOptions } from './lineSearchChoice.ts';
import type { HessianVectorProduct, MinimizeOptions, MinimizeResult, Objective } from './types.ts';

export type NewtonCGStepKind = 'newton' | 'negative-curvature';

export interface NewtonCGOptions extends MinimizeOptions<DescentKind<NewtonCGStepKind>>, LineSearchOptions {
  /** Inner CG iterations per Newton step. Default 20 n (scipy's cg_maxiter). */
  readonly cgMaxIter?: number;
}

export interface NewtonCGResult extends MinimizeResult<DescentKind<NewtonCGStepKind>> {
  readonly hessianVectorProducts: number;
  readonly cgIterations: number;
}

/** Minimizes f from x0 by Newton-CG (scipy.optimize.minimize(method='Newton-CG', hessp=…)). */
export function minimizeNewtonCG(objective: Objective, hvp: HessianVectorProduct, x0: Float64Array, options: NewtonCGOptions = {}): NewtonCGResult {
  const rule = new NewtonCGRule(hvp, x0.length, options.cgMaxIter ?? 20 * x0.length);
  const result = descend(objective, x0, rule, lineSearchFactory(options, { kind: 'strong-wolfe', c2: 0.9 }), options);
  return { ...result, hessianVectorProducts: rule.hvps, cgIterations: rule.cgIterations };
}

class NewtonCGRule implements DirectionRule<NewtonCGStepKind> {
  readonly kinds = ['newton', 'negative-curvature'] as const;
  hvps = 0;
  cgIterations = 0;
  private readonly r: Float64Array;
  private readonly dir: Float64Array;
  private readonly bd: Float64Array;

  constructor(private readonly hvp: HessianVectorProduct, n: number, private readonly maxIter: number) {
    this.r = new Float64Array(n);
    this.dir = new Float64Array(n);
    this.bd = new Float64Array(n);
  }

  /** Inner CG of Alg. 7.1 on B z = −g, from z₀ = 0; writes z into p. */
  direction(x: Float64Array, _f: number, g: Float64Array, p: Float64Array): NewtonCGStepKind {
    const { r, dir, bd } = this;
    const gNorm = norm2(g);
    const eps = Math.min(0.5, Math.sqrt(gNorm)) * gNorm;
    p.fill(0);
    r.set(g);
    for (let i = 0; i < r.length; i++) dir[i] = -r[i];
    let rr = dot(r, r);
    for (let j = 0; j < this.maxIter; j++) {
      this.hvp(x, dir, bd);
      this.hvps++;
      const curvature = dot(dir, bd);
      if (!(curvature > 0)) {
        if (j === 0) p.set(dir); // −g
        return 'negative-curvature';
      }
      this.cgIterations++;
      const alpha = rr / curvature;
      axpy(alpha, dir, p);
      axpy(alpha, bd, r);
      const rrNew = dot(r, r);
      if (Math.sqrt(rrNew) < eps) break;
      const beta = rrNew / rr;
      rr = rrNew;
      for (let i = 0; i < r.length; i++) dir[i] = -r[i] + beta * dir[i];
    }
    return 'newton';
  }

  initialStep(): number {
    return 1;
  }
}
