// PyTorch's strong Wolfe line search (torch/optim/lbfgs.py `_strong_wolfe`, itself
// ported from Torch7's lswolfe.lua), step for step, so that the LBFGS class follows
// torch.optim.LBFGS(line_search_fn='strong_wolfe'). It differs from StrongWolfe
// (N&W 3.5/3.6) in the details that decide a trajectory: bracketing extrapolates by
// cubic interpolation clamped to [t + 0.01(t − t_prev), 10t]; zoom nudges a trial
// that falls within 10% of a bracket end to 10% inside (PyTorch's "insufficient
// progress" rule); it gives up after 25 evaluations or when the bracket is narrower
// than 1e-9 / max|d|, returning the lowest point of the bracket, possibly t = 0.
// Gradients are kept by value (copied) where PyTorch clones or rebinds tensors.
import { dot, normInf } from '../../linalg/vector.ts';

/** PyTorch's obj_func(x, t, d): f(x + t d), writing ∇f(x + t d) into gOut. */
export type DirectionalEvaluate = (x: Float64Array, t: number, d: Float64Array, gOut: Float64Array) => number;

/** `_cubic_interpolate`: minimizer of the cubic through two points, clamped to bounds. */
export function torchCubicInterpolate(x1: number, f1: number, g1: number, x2: number, f2: number, g2: number, bounds?: readonly [number, number]): number {
  const [lo, hi] = bounds ?? (x1 <= x2 ? [x1, x2] : [x2, x1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (x1 - x2);
  const d2Square = d1 * d1 - g1 * g2;
  if (!(d2Square >= 0)) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2Square);
  const minPos = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2)) : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(minPos, lo), hi);
}

export class TorchStrongWolfe {
  readonly c1 = 1e-4;
  readonly c2 = 0.9;
  readonly toleranceChange = 1e-9;
  readonly maxLs = 25;
  /** Results of the last search: the step, φ there, evaluations; the gradient is in `g`. */
  t = 0;
  f = NaN;
  evaluations = 0;
  readonly g: Float64Array;
  private readonly gInit: Float64Array;
  private readonly gNew: Float64Array;
  private readonly gPrev: Float64Array;
  // The bracket: steps, values, gradients and slopes at its (one or two) ends.
  private readonly b = [0, 0];
  private readonly bf = [0, 0];
  private readonly bg: [Float64Array, Float64Array];
  private readonly bgtd = [0, 0];
  private bracketLength = 0;
  private insufProgress = false;
  // This search's problem, set by search().
  private objFunc: DirectionalEvaluate = () => NaN;
  private x: Float64Array = new Float64Array(0);
  private d: Float64Array = new Float64Array(0);
  private done = false;
  private lsIter = 0;

  constructor(n: number) {
    [this.g, this.gInit, this.gNew, this.gPrev] = [0, 1, 2, 3].map(() => new Float64Array(n));
    this.bg = [new Float64Array(n), new Float64Array(n)];
  }

  /** Searches from x along d with first trial t, given f, ∇f and ∇fᵀd at x. */
  search(objFunc: DirectionalEvaluate, x: Float64Array, t: number, d: Float64Array, f: number, g: Float64Array, gtd: number): void {
    this.objFunc = objFunc;
    this.x = x;
    this.d = d;
    this.gInit.set(g);
    this.bracketPhase(t, d, f, gtd);
    this.zoomPhase(d, f, gtd, normInf(d));
    const low = this.lowPos();
    this.t = this.b[low];
    this.f = this.bf[low];
    this.g.set(this.bg[low]);
  }

  /** φ(t) and ∇f into gOut, through PyTorch's obj_func(x, t, d). */
  private phi(t: number, gOut: Float64Array): number {
    return this.objFunc(this.x, t, this.d, gOut);
  }

  private bracketPhase(t: number, d: Float64Array, f: number, gtd: number): void {
    const { gNew, gPrev } = this;
    let fNew = this.phi(t, gNew);
    this.evaluations = 1;
    let gtdNew = dot(gNew, d);
    let tPrev = 0;
    let fPrev = f;
    let gtdPrev = gtd;
    gPrev.set(this.gInit);
    this.done = false;
    this.lsIter = 0;
    while (this.lsIter < this.maxLs) {
      if (fNew > f + this.c1 * t * gtd || (this.lsIter > 1 && fNew >= fPrev)) {
        return this.setBracket(tPrev, fPrev, gPrev, gtdPrev, t, fNew, gNew, gtdNew);
      }
      if (Math.abs(gtdNew) <= -this.c2 * gtd) return this.setPoint(t, fNew, gNew);
      if (gtdNew >= 0) return this.setBracket(tPrev, fPrev, gPrev, gtdPrev, t, fNew, gNew, gtdNew);
      // Extrapolate: the cubic's minimizer, kept within [t + 0.01 (t − t_prev), 10 t].
      const tmp = t;
      t = torchCubicInterpolate(tPrev, fPrev, gtdPrev, t, fNew, gtdNew, [t + 0.01 * (t - tPrev), t * 10]);
      tPrev = tmp;
      fPrev = fNew;
      gtdPrev = gtdNew;
      gPrev.set(gNew);
      fNew = this.phi(t, gNew);
      this.evaluations++;
      gtdNew = dot(gNew, d);
      this.lsIter++;
    }
    // Out of evaluations: bracket [0, t] (zoom will not run; its slopes are never read).
    this.setBracket(0, f, this.gInit, NaN, t, fNew, gNew, NaN);
  }

  private zoomPhase(d: Float64Array, f: number, gtd: number, dNorm: number): void {
    const { b, bf, bg, bgtd, gNew } = this;
    this.insufProgress = false;
    let low = this.lowPos();
    while (!this.done && this.lsIter < this.maxLs) {
      if (Math.abs(b[1] - b[0]) * dNorm < this.toleranceChange) break;
      const t = this.nudge(torchCubicInterpolate(b[0], bf[0], bgtd[0], b[1], bf[1], bgtd[1]));
      const fNew = this.phi(t, gNew);
      this.evaluations++;
      const gtdNew = dot(gNew, d);
      this.lsIter++;
      const high = 1 - low;
      if (fNew > f + this.c1 * t * gtd || fNew >= bf[low]) {
        // Armijo fails or no lower than the low end: t replaces the high end.
        this.setEnd(high, t, fNew, gNew, gtdNew);
        low = this.lowPos();
        continue;
      }
      if (Math.abs(gtdNew) <= -this.c2 * gtd) this.done = true;
      else if (gtdNew * (b[high] - b[low]) >= 0) this.setEnd(high, b[low], bf[low], bg[low], bgtd[low]);
      this.setEnd(low, t, fNew, gNew, gtdNew);
    }
  }

  /** Index of the bracket end with the lower f (the first on ties; 0 for a one-point bracket). */
  private lowPos(): number {
    return this.bracketLength === 1 || this.bf[0] <= this.bf[1] ? 0 : 1;
  }

  private setBracket(t0: number, f0: number, g0: Float64Array, s0: number, t1: number, f1: number, g1: Float64Array, s1: number): void {
    this.setEnd(0, t0, f0, g0, s0);
    this.setEnd(1, t1, f1, g1, s1);
    this.bracketLength = 2;
  }

  private setEnd(i: number, t: number, f: number, g: Float64Array, gtd: number): void {
    this.b[i] = t;
    this.bf[i] = f;
    // Copy unless g is this end's own buffer (PyTorch rebinds tensors; values are what matter).
    if (g !== this.bg[i]) this.bg[i].set(g);
    this.bgtd[i] = gtd;
  }

  private setPoint(t: number, f: number, g: Float64Array): void {
    this.setEnd(0, t, f, g, NaN);
    this.bracketLength = 1;
    this.done = true;
  }

  /**
   * PyTorch's guard against trials hugging a bracket end: within 10% of the width of
   * an end, the trial is moved 10% inside if the previous trial was also close or t is
   * on or outside an end; otherwise it stands but the closeness is remembered.
   */
  private nudge(t: number): number {
    const hi = Math.max(this.b[0], this.b[1]);
    const lo = Math.min(this.b[0], this.b[1]);
    const eps = 0.1 * (hi - lo);
    const close = Math.min(hi - t, t - lo) < eps;
    if (close && !(this.insufProgress || t >= hi || t <= lo)) {
      this.insufProgress = true;
      return t;
    }
    this.insufProgress = false;
    if (!close) return t;
    return Math.abs(t - hi) < Math.abs(t - lo) ? hi - eps : lo + eps;
  }
}
