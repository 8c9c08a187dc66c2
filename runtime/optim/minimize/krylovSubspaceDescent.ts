// Krylov subspace descent (Vinyals & Povey, "Krylov Subspace Descent for Deep
// Learning", AISTATS 2012, Algorithm 1). Each iteration at θ:
//
//   1. g = ∇f(θ) on the training objective;
//   2. the Krylov basis v₁ ∝ P⁻¹g, vⱼ₊₁ ∝ P⁻¹(G + λI)vⱼ for j < K, with G the
//      Gauss–Newton (or Hessian) product on a curvature batch and P an optional
//      preconditioner; each vector is orthogonalized against the earlier ones
//      (modified Gram–Schmidt, done twice) and normalized, so the subspace problem
//      below is well scaled;
//   3. the previous step d, orthogonalized and normalized the same way, joins the
//      basis V (K + 1 columns) — the paper's momentum-like term;
//   4. α* = argmin_α f_B(θ + Vα) by BFGS from α = 0 (minimizeBFGS, a fixed budget of
//      `subspaceIterations`), where f_B is the objective on a held-out batch B;
//   5. d = Vα*, θ ← θ + d.
//
// Choices the paper leaves open, made here: α starts at 0 (θ itself); a Krylov
// vector that orthogonalization reduces below 10⁻¹⁰ of its length ends the basis
// early (the subspace is invariant, or K > n); no damping by default (λ = 0: BFGS in
// the subspace copes with curvature G's subspace misjudges, which is the paper's
// point against Hessian-free's damping heuristics). Works with a Hessian product
// too: BFGS never needs G to be positive definite.
//
// Stopping, as the other minimizers: before each iteration a non-finite f or ∇f,
// ‖∇f‖∞ ≤ gradTol, maxIter, maxEval; after it the callback, stepTol and fTol.
import type { MatVec } from '../../linalg/conjugateGradient.ts';
import { axpy, dot, norm2, normInf } from '../../linalg/vector.ts';
import { minimizeBFGS } from './bfgs.ts';
import { countsFor, fmt } from './descent.ts';
import type { HessianVectorProduct, IterationInfo, MinimizeOptions, MinimizeResult, MinimizeStatus, Objective } from './types.ts';

export interface KrylovSubspaceOptions extends MinimizeOptions<'krylov'> {
  /** K: Krylov vectors per iteration (the previous step adds one). Default 20, at most n. */
  readonly subspaceDimension?: number;
  /** BFGS iterations on the subspace coefficients α. Default 30. */
  readonly subspaceIterations?: number;
  /** f_B, the held-out batch the coefficients are fitted on. Default: the objective itself. */
  readonly subspaceObjective?: Objective;
  /** out ← P⁻¹ v, e.g. a diagonal preconditioner. Default none. */
  readonly preconditioner?: MatVec;
  /** λ in (G + λI). Default 0. */
  readonly damping?: number;
}

export interface KrylovSubspaceResult extends MinimizeResult<'krylov'> {
  readonly curvatureProducts: number;
  /** Calls of the subspace objective (also counted in functionEvaluations). */
  readonly subspaceEvaluations: number;
  /** Basis size of the last iteration (Krylov vectors plus the previous step). */
  readonly subspaceSize: number;
}

/**
 * Minimizes f from x0 (not modified) by Krylov subspace descent; `curvature` is a
 * Gauss–Newton (or Hessian) vector product `(x, v, out) ⇒ out ← G(x) v`.
 */
export function minimizeKrylovSubspace(
  objective: Objective,
  curvature: HessianVectorProduct,
  x0: Float64Array,
  options: KrylovSubspaceOptions = {},
): KrylovSubspaceResult {
  return new KrylovRun(objective, curvature, x0, options).run();
}

class KrylovRun {
  private readonly n: number;
  private readonly x: Float64Array;
  private readonly g: Float64Array;
  private readonly step: Float64Array;
  private readonly scratch: Float64Array;
  /** Basis vectors, allocated once; the first `size` are in use. */
  private readonly basis: Float64Array[];
  private size = 0;
  private readonly info: IterationInfo<'krylov'>;
  private readonly subspace: Objective;
  private readonly trial: Float64Array;
  private readonly trialGrad: Float64Array;
  private f = NaN;
  private iterations = 0;
  private evaluations = 0;
  private subspaceEvaluations = 0;
  private products = 0;
  private status: MinimizeStatus = 'max-iterations';
  private reason = '';

  constructor(
    private readonly objective: Objective,
    private readonly curvature: HessianVectorProduct,
    x0: Float64Array,
    private readonly options: KrylovSubspaceOptions,
  ) {
    const n = (this.n = x0.length);
    this.x = x0.slice();
    [this.g, this.step, this.scratch, this.trial, this.trialGrad] = [0, 1, 2, 3, 4].map(() => new Float64Array(n));
    const k = Math.min(options.subspaceDimension ?? 20, n);
    this.basis = Array.from({ length: k + 1 }, () => new Float64Array(n));
    this.info = { iteration: 0, x: this.x, f: NaN, gradNorm: NaN, stepSize: 1, kind: 'krylov', functionEvaluations: 0, gradientEvaluations: 0 };
    const fB = options.subspaceObjective ?? objective;
    // h(α) = f_B(θ + Vα), ∇h = Vᵀ∇f_B(θ + Vα).
    this.subspace = (alpha, gAlpha) => {
      this.trial.set(this.x);
      for (let j = 0; j < this.size; j++) axpy(alpha[j]!, this.basis[j]!, this.trial);
      this.evaluations++;
      this.subspaceEvaluations++;
      const value = fB(this.trial, this.trialGrad);
      for (let j = 0; j < this.size; j++) gAlpha[j] = dot(this.basis[j]!, this.trialGrad);
      return value;
    };
  }

  run(): KrylovSubspaceResult {
    this.evaluate();
    const gradTol = this.options.gradTol ?? 1e-5;
    const maxIter = this.options.maxIter ?? 200 * this.n;
    const maxEval = this.options.maxEval ?? Infinity;
    for (;;) {
      const gradNorm = normInf(this.g);
      if (!Number.isFinite(this.f) || !Number.isFinite(gradNorm)) {
        this.stop('non-finite', `f = ${this.f}, ‖∇f‖∞ = ${gradNorm} at iteration ${this.iterations}`);
        break;
      }
      if (gradNorm <= gradTol) {
        this.stop('gradient-tolerance', `‖∇f‖∞ = ${fmt(gradNorm)} ≤ gradTol = ${gradTol}`);
        break;
      }
      if (this.iterations >= maxIter) {
        this.stop('max-iterations', `reached maxIter = ${maxIter} with ‖∇f‖∞ = ${fmt(gradNorm)}`);
        break;
      }
      // An iteration needs ≥ 3 evaluations: BFGS's start and one trial in the subspace, then ∇f at the new θ.
      if (this.evaluations + 3 > maxEval) {
        this.stop('max-evaluations', `${this.evaluations} of maxEval = ${maxEval} evaluations used, too few left for an iteration (3); ‖∇f‖∞ = ${fmt(gradNorm)}`);
        break;
      }
      const fPrev = this.f;
      this.buildBasis();
      this.solveSubspace(gradTol, maxEval - this.evaluations);
      if (this.stopAfterStep(fPrev)) break;
    }
    return this.result();
  }

  private evaluate(): void {
    this.f = this.objective(this.x, this.g);
    this.evaluations++;
  }

  /** V: the Krylov vectors of P⁻¹(G + λI) from P⁻¹g, then the previous step. */
  private buildBasis(): void {
    const { basis, scratch, options } = this;
    const krylov = basis.length - 1;
    const damping = options.damping ?? 0;
    this.size = 0;
    this.precondition(this.g, scratch);
    if (!this.append(scratch)) return;
    while (this.size < krylov) {
      const last = basis[this.size - 1]!;
      this.curvature(this.x, last, this.trialGrad);
      this.products++;
      if (damping !== 0) axpy(damping, last, this.trialGrad);
      this.precondition(this.trialGrad, scratch);
      if (!this.append(scratch)) break;
    }
    if (this.iterations > 0) {
      scratch.set(this.step);
      this.append(scratch);
    }
  }

  private precondition(v: Float64Array, out: Float64Array): void {
    if (this.options.preconditioner === undefined) out.set(v);
    else this.options.preconditioner(v, out);
  }

  /**
   * Orthogonalizes w (overwritten) against the basis twice ("twice is enough",
   * Giraud et al. 2005), and appends it normalized. False if nothing is left of it.
   */
  private append(w: Float64Array): boolean {
    const before = norm2(w);
    if (!(before > 0) || !Number.isFinite(before)) return false;
    for (let pass = 0; pass < 2; pass++) for (let j = 0; j < this.size; j++) axpy(-dot(this.basis[j]!, w), this.basis[j]!, w);
    const after = norm2(w);
    if (!(after > 1e-10 * before)) return false;
    const v = this.basis[this.size++]!;
    for (let i = 0; i < this.n; i++) v[i] = w[i]! / after;
    return true;
  }

  /** α* by BFGS on f_B(θ + Vα) from α = 0; then θ ← θ + Vα* and a fresh ∇f. */
  private solveSubspace(gradTol: number, evaluationsLeft: number): void {
    const inner = minimizeBFGS(this.subspace, new Float64Array(this.size), {
      maxIter: this.options.subspaceIterations ?? 30,
      maxEval: evaluationsLeft - 1, // one is kept for ∇f at the new θ
      gradTol: gradTol / 10,
    });
    this.step.fill(0);
    for (let j = 0; j < this.size; j++) axpy(inner.x[j]!, this.basis[j]!, this.step);
    axpy(1, this.step, this.x);
    this.evaluate();
    this.iterations++;
  }

  private stopAfterStep(fPrev: number): boolean {
    const { options, f } = this;
    if (options.callback !== undefined) {
      const info = this.info;
      info.iteration = this.iterations;
      info.f = f;
      info.gradNorm = normInf(this.g);
      info.functionEvaluations = this.evaluations;
      info.gradientEvaluations = this.evaluations;
      if (options.callback(info) === true) return this.stop('callback', `the callback returned true after iteration ${this.iterations}`);
    }
    const stepTol = options.stepTol ?? 0;
    const fTol = options.fTol ?? 0;
    const step = normInf(this.step);
    if (stepTol > 0 && step <= stepTol) return this.stop('step-tolerance', `‖Δx‖∞ = ${fmt(step)} ≤ stepTol = ${stepTol}`);
    if (fTol > 0 && Math.abs(fPrev - f) <= fTol * Math.max(Math.abs(fPrev), Math.abs(f), 1)) {
      return this.stop('function-tolerance', `|Δf| = ${fmt(Math.abs(fPrev - f))} ≤ fTol·max(|f|, 1) with fTol = ${fTol}`);
    }
    return false;
  }

  private stop(status: MinimizeStatus, reason: string): true {
    this.status = status;
    this.reason = reason;
    return true;
  }

  private result(): KrylovSubspaceResult {
    const converged = this.status === 'gradient-tolerance' || this.status === 'step-tolerance' || this.status === 'function-tolerance';
    const steps = countsFor<'krylov'>(['krylov']);
    steps.krylov = this.iterations;
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
      steps,
      curvatureProducts: this.products,
      subspaceEvaluations: this.subspaceEvaluations,
      subspaceSize: this.size,
    };
  }
}
