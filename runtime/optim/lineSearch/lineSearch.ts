// What a line search is: given x, a descent direction d (∇f(x)ᵀd < 0), f(x) and the
// slope φ'(0) = ∇f(x)ᵀd, find a step α > 0 along φ(α) = f(x + α d) that meets its
// acceptance conditions. One instance per minimization run owns the trial buffers,
// so a search allocates nothing.
import type { Objective } from '../minimize/types.ts';

export interface LineSearch {
  /**
   * Searches from `x` along `d`, starting with the trial step `alpha0`. Returns true
   * when the step meets the conditions. Then, and also on failure when `step > 0`
   * (the best point found decreases f), `xOut` = x + step·d and `gOut` = ∇f(xOut).
   */
  search(
    x: Float64Array,
    d: Float64Array,
    f0: number,
    slope0: number,
    alpha0: number,
    xOut: Float64Array,
    gOut: Float64Array,
  ): boolean;
  /** The step α of the last search (0 when it found no decrease). */
  readonly step: number;
  /** φ(step) and φ'(step) of the last search. */
  readonly f: number;
  readonly slope: number;
  /** Objective evaluations of the last search. */
  readonly evaluations: number;
  /** Why the last search failed ('' after a success). */
  readonly message: string;
}

/** Relative size of a difference of f values that is taken as rounding noise. */
const NOISE = 1e-12;

/** |f − fRef| ≤ 10⁻¹² |fRef|: the two values agree to the level of rounding. */
export function withinRounding(f: number, fRef: number): boolean {
  return Math.abs(f - fRef) <= NOISE * Math.abs(fRef);
}

/**
 * The sufficient decrease test both searches use: Armijo's φ(α) ≤ φ(0) + c₁αφ'(0)
 * (N&W 3.4) — except where φ(α) and φ(0) agree to rounding, as they do near a
 * minimizer whose f* ≠ 0. There the difference is noise, and the test is Hager &
 * Zhang's approximate Wolfe condition φ'(α) ≤ (2c₁ − 1)φ'(0) (SIAM J. Optim. 16,
 * 2005, eq. 23: Armijo's condition for a quadratic, written with derivatives, which
 * stay accurate). Without it a method either stalls (unit steps look like increases)
 * or accepts an overshoot because noise made f look lower.
 */
export function sufficientDecrease(f0: number, slope0: number, c1: number, alpha: number, f: number, slope: number): boolean {
  if (withinRounding(f, f0)) return slope <= (2 * c1 - 1) * slope0;
  return f <= f0 + c1 * alpha * slope0;
}

/**
 * f is higher than fRef by more than rounding. The searches compare a trial with
 * their best point this way: a tie at the level of rounding is left to the slope to
 * decide, since function values no longer tell which side of the minimizer a trial
 * is on, while derivatives still do.
 */
export function clearlyAbove(f: number, fRef: number): boolean {
  return f > fRef && !withinRounding(f, fRef);
}

/** Shared trial evaluation: x + α d into a private buffer, with f and φ'. */
export class TrialPoint {
  readonly x: Float64Array;
  readonly g: Float64Array;
  f = NaN;
  slope = NaN;

  constructor(private readonly objective: Objective, n: number) {
    this.x = new Float64Array(n);
    this.g = new Float64Array(n);
  }

  /** Evaluates φ(α) and φ'(α) = ∇f(x + α d)ᵀd. */
  evaluate(x: Float64Array, d: Float64Array, alpha: number): number {
    const { x: xt, g } = this;
    for (let i = 0; i < xt.length; i++) xt[i] = x[i] + alpha * d[i];
    this.f = this.objective(xt, g);
    let s = 0;
    for (let i = 0; i < d.length; i++) s += g[i] * d[i];
    this.slope = s;
    return this.f;
  }

  /** Copies the trial point and its gradient out (the search's current best). */
  copyTo(xOut: Float64Array, gOut: Float64Array): void {
    xOut.set(this.x);
    gOut.set(this.g);
  }
}
