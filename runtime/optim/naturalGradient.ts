// Natural gradient (Amari 1998; Martens 2014, "New insights and perspectives on the
// natural gradient method"): precondition the gradient with the Fisher matrix F of
// the model's predictive distribution,
//
//   δ = (F + λI)⁻¹ g,   θ ← θ − γ δ,
//
// which is the steepest-descent direction when distance is measured by the KL
// divergence between the model's predictions before and after the step, so it is
// invariant (as λ → 0, to first order) under invertible reparametrizations of θ.
// F is never formed: linear CG solves the system with Fisher-vector products
// `(x, v, out) ⇒ out ← F(x) v` from the caller (a compiled model's Gauss–Newton
// product — for softmax cross-entropy the GGN Jᵀ H_L J is exactly the Fisher — or
// one written by hand).
//
// Damping adaptation (adaptDamping, Levenberg–Marquardt as in Martens 2010 §4.1):
// after a step s = −γ δ compare the actual change of the loss with the change the
// quadratic model M(s) = gᵀs + ½ sᵀF s predicts, ρ = (f(θ + s) − f(θ)) / M(s), and set
// λ ← 3/2 λ if ρ < 1/4, λ ← 2/3 λ if ρ > 3/4. A step that raised the loss is undone (counted in `rejectedSteps`). This needs the loss and one extra
// Fisher-vector product per step.
import { conjugateGradient, type MatVec } from '../linalg/conjugateGradient.ts';
import { axpy, dot } from '../linalg/vector.ts';
import { FlatOptimizer, check, checkStep } from './optimizer.ts';
import { count, type OptimizerSpec } from './optimizerSpec.ts';

/** out ← F(x) v, the Fisher (or Gauss–Newton) matrix at x times v. */
export type FisherVectorProduct = (x: Float64Array, v: Float64Array, out: Float64Array) => void;

export interface NaturalGradientSolveOptions {
  /** Damping λ added to F (Tikhonov). Default 1e-3. */
  readonly damping?: number;
  /** CG iterations per solve. Default 50. */
  readonly cgMaxIter?: number;
  /** CG stops when ‖(F + λI)δ − g‖ ≤ cgTol ‖g‖. Default 1e-6. */
  readonly cgTol?: number;
}

export interface NaturalGradientOptions extends NaturalGradientSolveOptions {
  /** Step size γ. Default 1. */
  readonly lr?: number;
  /** Levenberg–Marquardt adaptation of λ; needs `loss`. Default false. */
  readonly adaptDamping?: boolean;
  /** The loss at x, for damping adaptation (evaluated before and after each step). */
  readonly loss?: (x: Float64Array) => number;
}

/** What one solve did. */
export interface NaturalGradientSolve {
  cgIterations: number;
  /** Fisher-vector products, including CG's final residual check. */
  fisherVectorProducts: number;
  /** ‖(F + λI)δ − g‖ / ‖g‖ of the returned δ. */
  relativeResidual: number;
}

/**
 * Solves (F(x) + λI) δ = g by linear CG from δ = 0 and writes δ into `out`. If CG
 * meets no positive curvature at all (F + λI not positive definite along g, or
 * non-finite products), δ = g: the plain gradient.
 */
export class NaturalGradientSolver {
  damping: number;
  cgMaxIter: number;
  cgTol: number;
  readonly last: NaturalGradientSolve = { cgIterations: 0, fisherVectorProducts: 0, relativeResidual: NaN };
  private x: Float64Array = new Float64Array(0);
  private readonly matVec: MatVec;

  constructor(private readonly fvp: FisherVectorProduct, options: NaturalGradientSolveOptions = {}) {
    this.damping = options.damping ?? 1e-3;
    this.cgMaxIter = options.cgMaxIter ?? 50;
    this.cgTol = options.cgTol ?? 1e-6;
    checkSolveOptions(this);
    // (F + λI) v, at the x of the current solve.
    this.matVec = (v, out) => {
      this.fvp(this.x, v, out);
      if (this.damping !== 0) axpy(this.damping, v, out);
    };
  }

  solve(x: Float64Array, g: Float64Array, out: Float64Array): NaturalGradientSolve {
    this.x = x;
    const r = conjugateGradient(this.matVec, g, { tol: this.cgTol, maxIter: this.cgMaxIter });
    const usable = r.iterations > 0 && dot(r.x, g) > 0 && Number.isFinite(r.relativeResidual);
    out.set(usable ? r.x : g);
    this.last.cgIterations = r.iterations;
    this.last.fisherVectorProducts = r.matVecs;
    this.last.relativeResidual = usable ? r.relativeResidual : NaN;
    return this.last;
  }
}

/**
 * The natural-gradient optimizer on a flat parameter vector, updated in place
 * (torch.optim style). `fvp` must be the Fisher product of the same batch as the
 * gradient passed to `step`.
 */
export class NaturalGradient extends FlatOptimizer {
  static readonly spec: OptimizerSpec<NaturalGradient> = {
    hyper: { damping: 'number', cgMaxIter: 'number', cgTol: 'number', adaptDamping: 'boolean' },
    state: { step: count('steps'), fisherVectorProducts: count(), cgIterations: count(), rejectedSteps: count() },
    check(o) {
      checkSolveOptions(o);
      check(!o.adaptDamping || o.loss !== undefined, 'adaptDamping needs options.loss, the loss at x (x: Float64Array) => number; pass it, or set adaptDamping: false.');
    },
  };
  readonly type: string = 'NaturalGradient';
  adaptDamping: boolean;
  /** Steps taken (rejected ones included), Fisher-vector products and CG iterations over all steps. */
  steps = 0;
  fisherVectorProducts = 0;
  cgIterations = 0;
  rejectedSteps = 0;
  /** ρ of the last step (NaN without damping adaptation). */
  lastReductionRatio = NaN;
  private readonly solver: NaturalGradientSolver;
  private readonly loss: ((x: Float64Array) => number) | undefined;
  private delta: Float64Array | null = null;
  private fDelta: Float64Array | null = null;
  /** θ before a step under damping adaptation, so an undone step restores it bit for bit. */
  private before: Float64Array | null = null;

  constructor(
    private readonly fvp: FisherVectorProduct,
    options: NaturalGradientOptions = {},
  ) {
    super(options.lr ?? 1, NaturalGradient.spec);
    this.solver = new NaturalGradientSolver(fvp, options);
    this.adaptDamping = options.adaptDamping ?? false;
    this.loss = options.loss;
    this.checkHyper();
  }

  // The solver's settings, as the optimizer's own hyperparameters.
  get damping(): number {
    return this.solver.damping;
  }
  set damping(value: number) {
    this.solver.damping = value;
  }
  get cgMaxIter(): number {
    return this.solver.cgMaxIter;
  }
  set cgMaxIter(value: number) {
    this.solver.cgMaxIter = value;
  }
  get cgTol(): number {
    return this.solver.cgTol;
  }
  set cgTol(value: number) {
    this.solver.cgTol = value;
  }

  step(params: Float64Array, grad: Float64Array): void {
    checkStep(this.type, params, grad, this.delta === null ? -1 : this.delta.length);
    const n = params.length;
    const delta = (this.delta ??= new Float64Array(n));
    const fBefore = this.adaptDamping ? this.loss!(params) : NaN;
    const solve = this.solver.solve(params, grad, delta);
    this.steps++;
    this.cgIterations += solve.cgIterations;
    this.fisherVectorProducts += solve.fisherVectorProducts;
    if (!this.adaptDamping) {
      axpy(-this.lr, delta, params);
      return;
    }
    // M(s) = gᵀs + ½ sᵀF s with s = −γ δ, F δ taken at θ before the step.
    const fDelta = (this.fDelta ??= new Float64Array(n));
    const before = (this.before ??= new Float64Array(n));
    before.set(params);
    this.fvp(params, delta, fDelta);
    this.fisherVectorProducts++;
    const predicted = -this.lr * dot(grad, delta) + 0.5 * this.lr * this.lr * dot(delta, fDelta);
    axpy(-this.lr, delta, params);
    const fAfter = this.loss!(params);
    const rho = reductionRatio(fAfter - fBefore, predicted);
    this.lastReductionRatio = rho;
    this.damping = adaptedDamping(this.damping, rho);
    if (!(fAfter <= fBefore)) {
      params.set(before); // undo: the loss went up (or is not finite); θ + γδ − γδ would not round back to θ
      this.rejectedSteps++;
    }
  }

  override zeroState(): void {
    super.zeroState();
    this.lastReductionRatio = NaN;
    this.delta = null;
    this.fDelta = null;
    this.before = null;
  }
}

/** The solver's range checks, shared by its constructor and the optimizer's parameter group. */
function checkSolveOptions(o: { readonly damping: number; readonly cgMaxIter: number }): void {
  check(o.damping >= 0, `Invalid damping: ${o.damping}; it must be >= 0 (use > 0 when F can be singular).`);
  check(o.cgMaxIter >= 1, `Invalid cgMaxIter: ${o.cgMaxIter}; it must be >= 1.`);
}

/** ρ = actual / predicted change; NaN when the model predicts no decrease (the step is too long for it). */
export function reductionRatio(actual: number, predicted: number): number {
  return predicted < 0 ? actual / predicted : NaN;
}

/** Martens' Levenberg–Marquardt rule: λ·3/2 when ρ < 1/4 (or not a number), λ·2/3 when ρ > 3/4. */
export function adaptedDamping(damping: number, rho: number): number {
  if (!(rho >= 0.25)) return damping * 1.5;
  if (rho > 0.75) return damping * (2 / 3);
  return damping;
}
