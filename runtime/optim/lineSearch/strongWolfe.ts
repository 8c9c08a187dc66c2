// Line search for the strong Wolfe conditions (Nocedal & Wright, Alg. 3.5 and 3.6):
//
//   φ(α) ≤ φ(0) + c₁ α φ'(0)          sufficient decrease         (N&W 3.7a)
//   |φ'(α)| ≤ c₂ |φ'(0)|              curvature                   (N&W 3.7b)
//
// Bracketing (3.5) doubles α until an interval is known to contain such a step:
// when α breaks sufficient decrease, does no better than the previous trial, or
// φ'(α) ≥ 0. Zoom (3.6) then shrinks the interval [α_lo, α_hi], where α_lo is
// always the lowest trial satisfying sufficient decrease and φ'(α_lo)(α_hi − α_lo) < 0,
// trying the safeguarded cubic interpolant of φ and φ' at both ends (eq. 3.59), or
// the secant step on φ' where φ at the ends agrees to rounding.
// With 0 < c₁ < c₂ < 1 an acceptable step exists for any f bounded below. At the
// level of rounding the first condition takes its derivative form (sufficientDecrease),
// and "no lower than α_lo" means higher by more than rounding (clearlyAbove), so that
// ties go to the slope.
import { safeguardedCubic } from './cubic.ts';
import { TrialPoint, clearlyAbove, sufficientDecrease, withinRounding, type LineSearch } from './lineSearch.ts';
import type { Objective } from '../minimize/types.ts';

export interface StrongWolfeOptions {
  /** Sufficient decrease constant c₁. Default 1e-4. */
  readonly c1?: number;
  /** Curvature constant c₂ ∈ (c₁, 1): 0.9 for quasi-Newton, 0.1 for nonlinear CG. Default 0.9. */
  readonly c2?: number;
  /** Largest step tried. Default Infinity. */
  readonly alphaMax?: number;
  /** Evaluations before giving up (bracketing and zoom together). Default 30. */
  readonly maxEvaluations?: number;
}

/** One end of the bracket: a step with φ and φ' there. */
interface End {
  a: number;
  f: number;
  s: number;
}

export class StrongWolfe implements LineSearch {
  readonly c1: number;
  readonly c2: number;
  readonly alphaMax: number;
  readonly maxEvaluations: number;
  step = 0;
  f = NaN;
  slope = NaN;
  evaluations = 0;
  message = '';
  private readonly trial: TrialPoint;
  // The bracket ends, reused across searches.
  private readonly lo: End = { a: 0, f: 0, s: 0 };
  private readonly hi: End = { a: 0, f: 0, s: 0 };
  // This search's problem, set by search().
  private x: Float64Array = new Float64Array(0);
  private d: Float64Array = new Float64Array(0);
  private xOut: Float64Array = new Float64Array(0);
  private gOut: Float64Array = new Float64Array(0);
  private f0 = 0;
  private slope0 = 0;

  constructor(objective: Objective, n: number, options: StrongWolfeOptions = {}) {
    this.c1 = options.c1 ?? 1e-4;
    this.c2 = options.c2 ?? 0.9;
    this.alphaMax = options.alphaMax ?? Infinity;
    this.maxEvaluations = options.maxEvaluations ?? 30;
    if (!(0 < this.c1 && this.c1 < this.c2 && this.c2 < 1)) {
      throw new RangeError(`StrongWolfe needs 0 < c1 < c2 < 1, got c1 = ${this.c1}, c2 = ${this.c2}.`);
    }
    this.trial = new TrialPoint(objective, n);
  }

  search(x: Float64Array, d: Float64Array, f0: number, slope0: number, alpha0: number, xOut: Float64Array, gOut: Float64Array): boolean {
    this.x = x;
    this.d = d;
    this.xOut = xOut;
    this.gOut = gOut;
    this.f0 = f0;
    this.slope0 = slope0;
    this.evaluations = 0;
    setEnd(this.lo, 0, f0, slope0); // α₀ = 0 in Alg. 3.5: the previous trial
    let alpha = Math.min(alpha0, this.alphaMax);
    for (;;) {
      if (this.evaluations >= this.maxEvaluations) return this.fail('no bracket found');
      const f = this.evaluate(alpha);
      const s = this.trial.slope;
      if (!this.sufficientDecrease(alpha, f, s) || (this.evaluations > 1 && clearlyAbove(f, this.lo.f))) {
        setEnd(this.hi, alpha, f, s);
        return this.zoom();
      }
      if (Math.abs(s) <= -this.c2 * slope0) return this.accept(alpha, f, s);
      // φ' ≥ 0: a minimizer lies between the previous trial and α (zoom(αᵢ, αᵢ₋₁)).
      if (s >= 0) setEnd(this.hi, this.lo.a, this.lo.f, this.lo.s);
      this.takeTrialAsLo(alpha, f, s);
      if (s >= 0) return this.zoom();
      if (alpha >= this.alphaMax) return this.fail(`reached alphaMax = ${this.alphaMax}`);
      alpha = Math.min(2 * alpha, this.alphaMax);
    }
  }

  /** Alg. 3.6: shrink [lo, hi] until a trial meets both conditions. */
  private zoom(): boolean {
    const { lo, hi } = this;
    for (;;) {
      if (this.evaluations >= this.maxEvaluations) return this.fail('zoom used up maxEvaluations');
      if (Math.abs(hi.a - lo.a) <= 1e-15 * Math.max(lo.a, hi.a)) return this.fail('the bracket shrank below rounding');
      const alpha = safeguardedCubic(lo.a, lo.f, lo.s, hi.a, hi.f, hi.s, withinRounding(hi.f, lo.f));
      const f = this.evaluate(alpha);
      const s = this.trial.slope;
      if (!this.sufficientDecrease(alpha, f, s) || clearlyAbove(f, lo.f)) {
        setEnd(hi, alpha, f, s);
        continue;
      }
      if (Math.abs(s) <= -this.c2 * this.slope0) return this.accept(alpha, f, s);
      if (s * (hi.a - lo.a) >= 0) setEnd(hi, lo.a, lo.f, lo.s);
      this.takeTrialAsLo(alpha, f, s);
    }
  }

  private sufficientDecrease(alpha: number, f: number, s: number): boolean {
    return sufficientDecrease(this.f0, this.slope0, this.c1, alpha, f, s);
  }

  private evaluate(alpha: number): number {
    this.evaluations++;
    return this.trial.evaluate(this.x, this.d, alpha);
  }

  /** The trial becomes α_lo; its point is kept in the output buffers. */
  private takeTrialAsLo(alpha: number, f: number, s: number): void {
    setEnd(this.lo, alpha, f, s);
    this.trial.copyTo(this.xOut, this.gOut);
  }

  private accept(alpha: number, f: number, s: number): boolean {
    this.trial.copyTo(this.xOut, this.gOut);
    this.finish(alpha, f, s, '');
    return true;
  }

  /** Gives up, returning α_lo: the best step found (0 if none decreased f). */
  private fail(why: string): boolean {
    const { lo } = this;
    this.finish(lo.a, lo.f, lo.s, `strong Wolfe line search failed after ${this.evaluations} evaluations: ${why}`);
    return false;
  }

  private finish(step: number, f: number, slope: number, message: string): void {
    this.step = step;
    this.f = f;
    this.slope = slope;
    this.message = message;
  }
}

function setEnd(e: End, a: number, f: number, s: number): void {
  e.a = a;
  e.f = f;
  e.s = s;
}
