// The line-search descent loop that BFGS, L-BFGS, nonlinear CG, Newton and
// Newton-CG share (Nocedal & Wright, ch. 3): at xₖ pick a descent direction pₖ
// (the method's rule), find αₖ by a line search, set xₖ₊₁ = xₖ + αₖ pₖ, tell the
// rule sₖ = xₖ₊₁ − xₖ and yₖ = ∇fₖ₊₁ − ∇fₖ, and test for convergence.
//
// Stopping, in this order, before each step: a non-finite f or ∇f; ‖∇f‖∞ ≤ gradTol
// (unless the rule says x is a saddle); maxIter; maxEval. After each step: the
// callback, then stepTol and fTol. A failed line search ends the run (scipy's
// "precision loss"), after taking the best decreasing step it found, if any.
import type { LineSearch } from '../lineSearch/lineSearch.ts';
import { dot, normInf, sub } from '../../linalg/vector.ts';
import type { IterationInfo, MinimizeOptions, MinimizeResult, MinimizeStatus, Objective } from './types.ts';

/** Every rule may fall back to −∇f when its direction is not a descent direction. */
export type DescentKind<K extends string> = K | 'steepest-descent';

export interface DirectionRule<K extends string> {
  /** The kinds of step this rule reports (each starts at 0 in result.steps). */
  readonly kinds: readonly K[];
  /** Writes the search direction at (x, f, g) into d and names the kind of step; d holds the previous direction on entry. */
  direction(x: Float64Array, f: number, g: Float64Array, d: Float64Array, iteration: number): K;
  /** The line search's first trial step along d. */
  initialStep(g: Float64Array, d: Float64Array, iteration: number): number;
  /** Told each accepted step: s = x₊ − x = α d, y = ∇f₊ − ∇f. */
  update?(s: Float64Array, y: Float64Array, alpha: number): void;
  /** Told when its direction was replaced by −∇f (e.g. to reset curvature memory). */
  reset?(): void;
  /** Asked when ‖∇f‖∞ ≤ gradTol; false means x is not a minimum (a saddle) and the run goes on. */
  isMinimum?(x: Float64Array, g: Float64Array): boolean;
}

export type LineSearchFactory = (objective: Objective, n: number) => LineSearch;

/** Runs the descent loop from x0 (not modified). */
export function descend<K extends string>(
  objective: Objective,
  x0: Float64Array,
  rule: DirectionRule<K>,
  lineSearch: LineSearchFactory,
  options: MinimizeOptions<DescentKind<K>>,
): MinimizeResult<DescentKind<K>> {
  return new DescentRun(objective, x0, rule, lineSearch, options).run();
}

class DescentRun<K extends string> {
  private x: Float64Array;
  private g: Float64Array;
  private xNew: Float64Array;
  private gNew: Float64Array;
  private readonly d: Float64Array;
  private readonly s: Float64Array;
  private readonly y: Float64Array;
  private readonly objective: Objective;
  private readonly ls: LineSearch;
  private readonly steps: Record<DescentKind<K>, number>;
  private readonly info: IterationInfo<DescentKind<K>>;
  private readonly gradTol: number;
  private readonly stepTol: number;
  private readonly fTol: number;
  private readonly maxIter: number;
  private readonly maxEval: number;
  private f = NaN;
  private gradNorm = NaN;
  private iterations = 0;
  private evaluations = 0;
  private status: MinimizeStatus = 'max-iterations';
  private reason = '';

  constructor(
    objective: Objective,
    x0: Float64Array,
    private readonly rule: DirectionRule<K>,
    lineSearch: LineSearchFactory,
    private readonly options: MinimizeOptions<DescentKind<K>>,
  ) {
    const n = x0.length;
    this.x = x0.slice();
    [this.g, this.xNew, this.gNew, this.d, this.s, this.y] = [0, 1, 2, 3, 4, 5].map(() => new Float64Array(n));
    this.objective = (x, g) => {
      this.evaluations++;
      return objective(x, g);
    };
    this.ls = lineSearch(this.objective, n);
    this.steps = countsFor<DescentKind<K>>([...rule.kinds, 'steepest-descent']);
    this.info = { iteration: 0, x: this.x, f: NaN, gradNorm: NaN, stepSize: 0, kind: 'steepest-descent', functionEvaluations: 0, gradientEvaluations: 0 };
    this.gradTol = options.gradTol ?? 1e-5;
    this.stepTol = options.stepTol ?? 0;
    this.fTol = options.fTol ?? 0;
    this.maxIter = options.maxIter ?? 200 * n;
    this.maxEval = options.maxEval ?? Infinity;
  }

  run(): MinimizeResult<DescentKind<K>> {
    this.f = this.objective(this.x, this.g);
    for (;;) {
      this.gradNorm = normInf(this.g);
      if (this.stopBeforeStep()) break;
      const fPrev = this.f;
      if (!this.takeStep()) break;
      if (this.stopAfterStep(fPrev)) break;
    }
    return this.result();
  }

  private stopBeforeStep(): boolean {
    const { f, gradNorm } = this;
    if (!Number.isFinite(f) || !Number.isFinite(gradNorm)) return this.stop('non-finite', `f = ${f}, ‖∇f‖∞ = ${gradNorm} at iteration ${this.iterations}`);
    if (gradNorm <= this.gradTol && (this.rule.isMinimum?.(this.x, this.g) ?? true)) {
      return this.stop('gradient-tolerance', `‖∇f‖∞ = ${fmt(gradNorm)} ≤ gradTol = ${this.gradTol}`);
    }
    if (this.iterations >= this.maxIter) return this.stop('max-iterations', `reached maxIter = ${this.maxIter} with ‖∇f‖∞ = ${fmt(gradNorm)}`);
    if (this.evaluations >= this.maxEval) return this.stop('max-evaluations', `reached maxEval = ${this.maxEval} with ‖∇f‖∞ = ${fmt(gradNorm)}`);
    return false;
  }

  /** Direction, line search, and the move to the new point. False if the run must end. */
  private takeStep(): boolean {
    const { x, g, d, rule } = this;
    let kind: DescentKind<K> = rule.direction(x, this.f, g, d, this.iterations);
    let slope = dot(g, d);
    if (!(slope <= 0)) {
      // Not a descent direction (lost positive definiteness, or NaN): fall back to −∇f.
      for (let i = 0; i < d.length; i++) d[i] = -g[i];
      slope = -dot(g, g);
      kind = 'steepest-descent';
      rule.reset?.();
    }
    const alpha0 = rule.initialStep(g, d, this.iterations);
    const ok = this.ls.search(x, d, this.f, slope, alpha0, this.xNew, this.gNew);
    if (this.ls.step > 0) this.moveToNewPoint(kind);
    if (ok) return true;
    const moved = this.ls.step > 0 ? ` (kept its best step α = ${fmt(this.ls.step)})` : '';
    return !this.stop('line-search-failed', `${this.ls.message}${moved}; ‖∇f‖∞ = ${fmt(normInf(this.g))}`);
  }

  private moveToNewPoint(kind: DescentKind<K>): void {
    sub(this.xNew, this.x, this.s);
    sub(this.gNew, this.g, this.y);
    const { x, g } = this; // swap buffers: the new point becomes current
    this.x = this.xNew;
    this.xNew = x;
    this.g = this.gNew;
    this.gNew = g;
    this.f = this.ls.f;
    this.iterations++;
    this.steps[kind]++;
    this.rule.update?.(this.s, this.y, this.ls.step);
    this.info.kind = kind;
  }

  private stopAfterStep(fPrev: number): boolean {
    const { f } = this;
    if (this.callbackSaysStop()) return this.stop('callback', `the callback returned true after iteration ${this.iterations}`);
    const step = normInf(this.s);
    if (this.stepTol > 0 && step <= this.stepTol) return this.stop('step-tolerance', `‖Δx‖∞ = ${fmt(step)} ≤ stepTol = ${this.stepTol}`);
    if (this.fTol > 0 && Math.abs(fPrev - f) <= this.fTol * Math.max(Math.abs(fPrev), Math.abs(f), 1)) {
      return this.stop('function-tolerance', `|Δf| = ${fmt(Math.abs(fPrev - f))} ≤ fTol·max(|f|, 1) with fTol = ${this.fTol}`);
    }
    return false;
  }

  private callbackSaysStop(): boolean {
    const cb = this.options.callback;
    if (cb === undefined) return false;
    const info = this.info;
    info.iteration = this.iterations;
    info.x = this.x;
    info.f = this.f;
    info.gradNorm = normInf(this.g);
    info.stepSize = this.ls.step;
    info.functionEvaluations = this.evaluations;
    info.gradientEvaluations = this.evaluations;
    return cb(info) === true;
  }

  /** Records why the run ends; returns true so callers can `return this.stop(…)`. */
  private stop(status: MinimizeStatus, reason: string): true {
    this.status = status;
    this.reason = reason;
    return true;
  }

  private result(): MinimizeResult<DescentKind<K>> {
    const converged = this.status === 'gradient-tolerance' || this.status === 'step-tolerance' || this.status === 'function-tolerance';
    return {
      x: this.x,
      f: this.f,
      gradNorm: normInf(this.g),
      iterations: this.iterations,
      functionEvaluations: this.evaluations,
      gradientEvaluations: this.evaluations,
      converged,
      status: this.status,
      reason: this.reason,
      steps: this.steps,
    };
  }
}

/** A record with a zero count for each kind. */
export function countsFor<K extends string>(kinds: readonly K[]): Record<K, number> {
  const out = {} as Record<K, number>;
  for (const k of kinds) out[k] = 0;
  return out;
}

/** A number in a reason sentence. */
export function fmt(v: number): string {
  return Number.isFinite(v) && v !== 0 && (Math.abs(v) < 1e-3 || Math.abs(v) >= 1e4) ? v.toExponential(3) : String(v);
}
