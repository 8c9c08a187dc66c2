// Coordinate descent: minimize along one coordinate eᵢ at a time, i cyclic
// (Gauss–Seidel order) or drawn uniformly with a seeded PRNG (Nesterov's randomized
// coordinate descent). Two problem forms:
//
// - partials: ∂ᵢf(x) (forward mode along eᵢ, one partial per update) and, optionally,
//   ∂²ᵢᵢf(x). With ∂²ᵢᵢf > 0 the update is the 1-D Newton step xᵢ ← xᵢ − ∂ᵢf / ∂²ᵢᵢf,
//   the exact minimizer along eᵢ when f is quadratic ('coordinate-newton'); for a
//   quadratic ½xᵀAx − bᵀx cyclic order is the Gauss–Seidel iteration. Without a
//   positive ∂²ᵢᵢf it is xᵢ ← xᵢ − stepSize ∂ᵢf ('coordinate-gradient').
// - a plain objective (x, gradOut) ⇒ f: a strong Wolfe line search (c₂ = 0.1) along
//   −∂ᵢf eᵢ ('coordinate-line-search'). Each trial evaluates the whole gradient, so
//   this is a fallback, not a fast path.
//
// An iteration is a sweep of n updates. The run converges when a sweep saw no
// |∂ᵢf| above gradTol and a fresh check of all n partials at the final x agrees.
import { StrongWolfe } from '../lineSearch/strongWolfe.ts';
import { normInf } from '../../linalg/vector.ts';
import { countsFor, fmt } from './descent.ts';
import { SeededRng } from '../../random/seededRng.ts';
import type { IterationCallback, IterationInfo, MinimizeResult, MinimizeStatus, Objective } from './types.ts';

export interface CoordinatePartials {
  /** ∂f/∂xᵢ at x. */
  readonly partial: (x: Float64Array, i: number) => number;
  /** ∂²f/∂xᵢ² at x; makes each update a 1-D Newton step (exact for quadratics). */
  readonly secondPartial?: (x: Float64Array, i: number) => number;
  /** f(x), used only to report f (NaN in the result without it). */
  readonly value?: (x: Float64Array) => number;
}

export type CoordinateStepKind = 'coordinate-newton' | 'coordinate-gradient' | 'coordinate-line-search';

export interface CoordinateDescentOptions {
  /** 'cyclic' (0, 1, …, n−1 each sweep) or 'random' (n uniform draws per sweep). Default 'cyclic'. */
  readonly order?: 'cyclic' | 'random';
  /** Seed of the 'random' order (the runtime's SeededRng). Default 0. */
  readonly seed?: number;
  /** Converged when every |∂ᵢf| ≤ gradTol. Default 1e-5. */
  readonly gradTol?: number;
  /** Sweeps allowed. Default 1000. */
  readonly maxIter?: number;
  /** Step of the coordinate-gradient update, needed when ∂²ᵢᵢf is missing or ≤ 0. */
  readonly stepSize?: number;
  /** Called after every sweep; return true to stop. */
  readonly callback?: IterationCallback<CoordinateStepKind>;
}

export interface CoordinateDescentResult extends MinimizeResult<CoordinateStepKind> {
  readonly partialEvaluations: number;
  readonly secondPartialEvaluations: number;
}

/** Minimizes f from x0 (not modified) one coordinate at a time. */
export function coordinateDescent(
  problem: CoordinatePartials | Objective,
  x0: Float64Array,
  options: CoordinateDescentOptions = {},
): CoordinateDescentResult {
  const run = typeof problem === 'function' ? new ObjectiveSweeps(problem, x0) : new PartialSweeps(problem, x0, options.stepSize);
  return runSweeps(run, x0.length, options);
}

/** One way of doing sweeps; `sweep` returns the largest |∂ᵢf| it saw. */
interface Sweeps {
  readonly x: Float64Array;
  readonly steps: Record<CoordinateStepKind, number>;
  lastKind: CoordinateStepKind;
  update(i: number): number;
  /** max |∂ᵢf| over all i at the current x. */
  fullCheck(): number;
  value(): number;
  counts(): { functionEvaluations: number; gradientEvaluations: number; partialEvaluations: number; secondPartialEvaluations: number };
}

function runSweeps(run: Sweeps, n: number, options: CoordinateDescentOptions): CoordinateDescentResult {
  const gradTol = options.gradTol ?? 1e-5;
  const maxIter = options.maxIter ?? 1000;
  const rng = options.order === 'random' ? SeededRng.fromSeed(options.seed ?? 0) : null;
  const info: IterationInfo<CoordinateStepKind> = { iteration: 0, x: run.x, f: NaN, gradNorm: NaN, stepSize: NaN, kind: run.lastKind, functionEvaluations: 0, gradientEvaluations: 0 };
  let status: MinimizeStatus = 'max-iterations';
  let gradNorm = Infinity;
  let sweeps = 0;
  while (sweeps < maxIter) {
    let seen = 0;
    for (let j = 0; j < n; j++) seen = Math.max(seen, run.update(rng === null ? j : rng.int(0, n - 1)));
    sweeps++;
    gradNorm = seen;
    if (!Number.isFinite(seen)) {
      status = 'non-finite';
      break;
    }
    if (seen <= gradTol && (gradNorm = run.fullCheck()) <= gradTol) {
      status = 'gradient-tolerance';
      break;
    }
    if (options.callback !== undefined && report(run, info, sweeps, gradNorm, options.callback)) {
      status = 'callback';
      break;
    }
  }
  return cdResult(run, sweeps, gradNorm, status, gradTol, maxIter);
}

function report(run: Sweeps, info: IterationInfo<CoordinateStepKind>, sweeps: number, gradNorm: number, cb: IterationCallback<CoordinateStepKind>): boolean {
  const c = run.counts();
  info.iteration = sweeps;
  info.x = run.x;
  info.f = run.value();
  info.gradNorm = gradNorm;
  info.kind = run.lastKind;
  info.functionEvaluations = c.functionEvaluations;
  info.gradientEvaluations = c.gradientEvaluations;
  return cb(info) === true;
}

function cdResult(run: Sweeps, sweeps: number, gradNorm: number, status: MinimizeStatus, gradTol: number, maxIter: number): CoordinateDescentResult {
  const reasons: Partial<Record<MinimizeStatus, string>> = {
    'gradient-tolerance': `every |∂ᵢf| ≤ gradTol = ${gradTol} (max ${fmt(gradNorm)}) after ${sweeps} sweeps`,
    'max-iterations': `reached maxIter = ${maxIter} sweeps with max |∂ᵢf| = ${fmt(gradNorm)} in the last sweep`,
    'non-finite': `a partial derivative became non-finite in sweep ${sweeps}`,
    callback: `the callback returned true after sweep ${sweeps}`,
  };
  const f = run.value();
  return {
    x: run.x,
    f,
    gradNorm,
    iterations: sweeps,
    ...run.counts(),
    converged: status === 'gradient-tolerance',
    status,
    reason: reasons[status] ?? status,
    steps: run.steps,
  };
}

class PartialSweeps implements Sweeps {
  readonly x: Float64Array;
  readonly steps = countsFor<CoordinateStepKind>(['coordinate-newton', 'coordinate-gradient', 'coordinate-line-search']);
  lastKind: CoordinateStepKind = 'coordinate-newton';
  private partials = 0;
  private seconds = 0;
  private values = 0;

  constructor(private readonly p: CoordinatePartials, x0: Float64Array, private readonly stepSize: number | undefined) {
    this.x = x0.slice();
  }

  update(i: number): number {
    const gi = this.p.partial(this.x, i);
    this.partials++;
    const hii = this.p.secondPartial === undefined ? NaN : this.p.secondPartial(this.x, i);
    if (this.p.secondPartial !== undefined) this.seconds++;
    if (hii > 0) {
      this.x[i] -= gi / hii; // exact minimizer along eᵢ of the local quadratic model
      this.take('coordinate-newton');
    } else {
      if (this.stepSize === undefined) {
        throw new RangeError(`coordinateDescent: ∂²f/∂x${i}² is ${this.p.secondPartial === undefined ? 'not given' : hii}; pass a secondPartial that is positive, or options.stepSize for gradient steps.`);
      }
      this.x[i] -= this.stepSize * gi;
      this.take('coordinate-gradient');
    }
    return Math.abs(gi);
  }

  fullCheck(): number {
    let m = 0;
    for (let i = 0; i < this.x.length; i++) {
      const a = Math.abs(this.p.partial(this.x, i));
      if (!(a <= m)) m = a;
    }
    this.partials += this.x.length;
    return m;
  }

  value(): number {
    if (this.p.value === undefined) return NaN;
    this.values++;
    return this.p.value(this.x);
  }

  counts() {
    return { functionEvaluations: this.values, gradientEvaluations: 0, partialEvaluations: this.partials, secondPartialEvaluations: this.seconds };
  }

  private take(kind: CoordinateStepKind): void {
    this.steps[kind]++;
    this.lastKind = kind;
  }
}

class ObjectiveSweeps implements Sweeps {
  x: Float64Array;
  readonly steps = countsFor<CoordinateStepKind>(['coordinate-newton', 'coordinate-gradient', 'coordinate-line-search']);
  readonly lastKind: CoordinateStepKind = 'coordinate-line-search';
  private g: Float64Array;
  private xNew: Float64Array;
  private gNew: Float64Array;
  private readonly d: Float64Array;
  /** Last accepted step per coordinate, the next search's first trial. */
  private readonly alpha: Float64Array;
  private readonly ls: StrongWolfe;
  private f: number;
  private evaluations = 1;

  constructor(objective: Objective, x0: Float64Array) {
    const n = x0.length;
    this.x = x0.slice();
    [this.g, this.xNew, this.gNew, this.d] = [0, 1, 2, 3].map(() => new Float64Array(n));
    this.alpha = new Float64Array(n).fill(1);
    this.ls = new StrongWolfe(objective, n, { c2: 0.1 });
    this.f = objective(this.x, this.g);
  }

  update(i: number): number {
    const gi = this.g[i];
    if (gi === 0 || !Number.isFinite(gi)) return Math.abs(gi);
    this.d[i] = -gi;
    const ok = this.ls.search(this.x, this.d, this.f, -gi * gi, this.alpha[i], this.xNew, this.gNew);
    this.d[i] = 0;
    this.evaluations += this.ls.evaluations;
    if (this.ls.step > 0) this.moveTo(i, ok);
    return Math.abs(gi);
  }

  fullCheck(): number {
    return normInf(this.g);
  }

  value(): number {
    return this.f;
  }

  counts() {
    return { functionEvaluations: this.evaluations, gradientEvaluations: this.evaluations, partialEvaluations: 0, secondPartialEvaluations: 0 };
  }

  private moveTo(i: number, ok: boolean): void {
    if (ok) this.alpha[i] = this.ls.step;
    const { x, g } = this;
    this.x = this.xNew;
    this.xNew = x;
    this.g = this.gNew;
    this.gNew = g;
    this.f = this.ls.f;
    this.steps['coordinate-line-search']++;
  }
}
