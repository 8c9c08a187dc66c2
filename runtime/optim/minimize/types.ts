// The shared vocabulary of the multi-evaluation minimizers (BFGS, L-BFGS, nonlinear
// CG, Newton, Newton-CG, coordinate descent, the subgradient method): what they
// call, what they are told, and what they return. scipy.optimize.minimize is the
// model: x0 is not modified, and the result is a plain object.

/** f(x), with ∇f(x) written into gradOut (a generated module's valueAndGradient). */
export type Objective = (x: Float64Array, gradOut: Float64Array) => number;

/** out ← ∇²f(x) v (a generated module's hvp: forward over reverse mode). */
export type HessianVectorProduct = (x: Float64Array, v: Float64Array, out: Float64Array) => void;

/** out ← ∇²f(x) as a dense row-major n×n matrix (small problems only). */
export type DenseHessian = (x: Float64Array, out: Float64Array) => void;

/** Why a run stopped; `reason` says the same in a sentence, with the numbers. */
export type MinimizeStatus =
  | 'gradient-tolerance'
  | 'step-tolerance'
  | 'function-tolerance'
  | 'optimal-subgradient'
  | 'polyak-gap'
  | 'max-iterations'
  | 'max-evaluations'
  | 'line-search-failed'
  | 'non-finite'
  | 'callback';

export interface MinimizeResult<K extends string = string> {
  /** The solution (a new array; x0 is untouched). */
  readonly x: Float64Array;
  readonly f: number;
  /** ‖∇f(x)‖∞, the norm `gradTol` is tested against. */
  readonly gradNorm: number;
  readonly iterations: number;
  /** Calls of the objective (each also yields the gradient, so the two counts agree for objective-based methods). */
  readonly functionEvaluations: number;
  readonly gradientEvaluations: number;
  /** True when a convergence test passed (gradient, step or function tolerance, 0 ∈ ∂f, or the Polyak gap). */
  readonly converged: boolean;
  readonly status: MinimizeStatus;
  readonly reason: string;
  /** How many iterations took each kind of step (e.g. Newton: newton / damped / saddle-free / negative-curvature). */
  readonly steps: Readonly<Record<K, number>>;
}

/**
 * What the per-iteration callback sees, after the step has been taken. One object
 * is reused for the whole run and `x` is the live iterate: copy what you keep.
 */
export interface IterationInfo<K extends string = string> {
  /** Iterations completed, counting this one (1 after the first step). */
  iteration: number;
  x: Float64Array;
  f: number;
  gradNorm: number;
  /** The step length α taken along the search direction. */
  stepSize: number;
  /** The kind of step (see MinimizeResult.steps). */
  kind: K;
  functionEvaluations: number;
  gradientEvaluations: number;
}

/**
 * Called after every iteration. Return `true` to stop the run (status 'callback',
 * converged false); any other return value (false, undefined) continues. This is
 * scipy's `callback` raising StopIteration, spelled as a return value.
 */
export type IterationCallback<K extends string = string> = (info: Readonly<IterationInfo<K>>) => boolean | void;

export interface MinimizeOptions<K extends string = string> {
  /** Stop when ‖∇f‖∞ ≤ gradTol (scipy's `gtol`, with `norm=inf`). Default 1e-5. */
  readonly gradTol?: number;
  /** Stop when ‖x₊ − x‖∞ ≤ stepTol (PyTorch's `tolerance_change` on the step). Default 0 (off). */
  readonly stepTol?: number;
  /** Stop when |f − f₊| ≤ fTol · max(|f|, |f₊|, 1) (scipy L-BFGS-B's `ftol`). Default 0 (off). */
  readonly fTol?: number;
  /** Default 200 n (scipy's BFGS and CG). */
  readonly maxIter?: number;
  /** Objective evaluations allowed. Default Infinity. */
  readonly maxEval?: number;
  readonly callback?: IterationCallback<K>;
}
