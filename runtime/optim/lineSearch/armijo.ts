// Backtracking line search (Nocedal & Wright, Alg. 3.1): try α = α₀, α₀ρ, α₀ρ², …
// until the sufficient decrease (Armijo) condition holds:
//
//   φ(α) ≤ φ(0) + c₁ α φ'(0)                                   (N&W 3.4)
//
// (or its derivative form at the level of rounding: see sufficientDecrease).
// It never lengthens a step, so α₀ should be a natural step (1 for Newton and
// quasi-Newton directions). A non-finite φ(α) counts as too long a step.
import { TrialPoint, sufficientDecrease, type LineSearch } from './lineSearch.ts';
import type { Objective } from '../minimize/types.ts';

export interface ArmijoOptions {
  /** Sufficient decrease constant c₁ ∈ (0, 1). Default 1e-4 (N&W). */
  readonly c1?: number;
  /** Contraction factor ρ ∈ (0, 1). Default 0.5. */
  readonly shrink?: number;
  /** Evaluations before giving up. Default 60 (α₀ · 2⁻⁵⁹ at the last). */
  readonly maxEvaluations?: number;
}

export class BacktrackingArmijo implements LineSearch {
  readonly c1: number;
  readonly shrink: number;
  readonly maxEvaluations: number;
  step = 0;
  f = NaN;
  slope = NaN;
  evaluations = 0;
  message = '';
  private readonly trial: TrialPoint;

  constructor(objective: Objective, n: number, options: ArmijoOptions = {}) {
    this.c1 = options.c1 ?? 1e-4;
    this.shrink = options.shrink ?? 0.5;
    this.maxEvaluations = options.maxEvaluations ?? 60;
    this.trial = new TrialPoint(objective, n);
  }

  search(x: Float64Array, d: Float64Array, f0: number, slope0: number, alpha0: number, xOut: Float64Array, gOut: Float64Array): boolean {
    this.evaluations = 0;
    let alpha = alpha0;
    while (this.evaluations < this.maxEvaluations) {
      const f = this.trial.evaluate(x, d, alpha);
      this.evaluations++;
      if (sufficientDecrease(f0, slope0, this.c1, alpha, f, this.trial.slope)) {
        this.trial.copyTo(xOut, gOut);
        return this.done(alpha, f, this.trial.slope, '');
      }
      alpha *= this.shrink;
    }
    return this.done(0, f0, slope0, `no sufficient decrease in ${this.maxEvaluations} backtracking steps from α = ${alpha0}`);
  }

  private done(step: number, f: number, slope: number, message: string): boolean {
    this.step = step;
    this.f = f;
    this.slope = slope;
    this.message = message;
    return message === '';
  }
}
