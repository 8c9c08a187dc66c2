// The subgradient method for convex f that may not be differentiable (Shor; see
// Boyd & Park, "Subgradient Methods", 2014): xₖ₊₁ = xₖ − αₖ gₖ with any gₖ ∈ ∂f(xₖ).
// It is not a descent method — f(xₖ₊₁) > f(xₖ) happens — so the best iterate so far
// is kept and returned. Step rules (k = 1, 2, …):
//
//   { kind: 'diminishing', a, b }  αₖ = a / (b + k)      square summable, not summable
//   { kind: 'sqrt', a }            αₖ = a / √k           not summable, diminishing
//   { kind: 'polyak', fStar }      αₖ = (f(xₖ) − f*) / ‖gₖ‖²   (needs the optimal value)
//
// With the first two f_best → f* (at rate O(1/√k) for a/√k); Polyak's step is
// optimal when f* is known. The run stops early only when gₖ = 0 (then 0 ∈ ∂f(xₖ):
// optimal) or, with Polyak's step, when f_best − f* ≤ gapTol.
import { dot, normInf } from '../../linalg/vector.ts';
import { fmt } from './descent.ts';
import type { IterationCallback, IterationInfo, MinimizeResult, MinimizeStatus, Objective } from './types.ts';

export type SubgradientStep =
  | { readonly kind: 'diminishing'; readonly a: number; readonly b?: number }
  | { readonly kind: 'sqrt'; readonly a: number }
  | { readonly kind: 'polyak'; readonly fStar: number };

export interface SubgradientOptions {
  readonly step: SubgradientStep;
  /** Default 10000. */
  readonly maxIter?: number;
  /** Polyak's step only: stop when f_best − f* ≤ gapTol. Default 0. */
  readonly gapTol?: number;
  /** Called after every iteration with the current (not the best) iterate; return true to stop. */
  readonly callback?: IterationCallback<'subgradient'>;
}

export interface SubgradientResult extends MinimizeResult<'subgradient'> {
  /** Iteration at which the returned (best) iterate was reached (0: x0). */
  readonly bestIteration: number;
}

/**
 * Minimizes convex f from x0 (not modified); `objective(x, subgradOut)` returns f(x)
 * and writes a subgradient. Returns the best iterate; `gradNorm` is ‖g‖∞ there.
 */
export function subgradientMethod(objective: Objective, x0: Float64Array, options: SubgradientOptions): SubgradientResult {
  const n = x0.length;
  const maxIter = options.maxIter ?? 10000;
  const x = x0.slice();
  const g = new Float64Array(n);
  const best = { x: x0.slice(), f: objective(x, g), gradNorm: 0, iteration: 0 };
  best.gradNorm = normInf(g);
  const info: IterationInfo<'subgradient'> = { iteration: 0, x, f: best.f, gradNorm: best.gradNorm, stepSize: 0, kind: 'subgradient', functionEvaluations: 1, gradientEvaluations: 1 };
  let f = best.f;
  let k = 0;
  let status: MinimizeStatus | null = null;
  while (status === null) {
    status = stopTest(f, g, best.f, k, maxIter, options);
    if (status !== null) break;
    k++;
    const alpha = stepLength(options.step, k, f, g);
    for (let i = 0; i < n; i++) x[i] -= alpha * g[i];
    f = objective(x, g);
    if (f < best.f) {
      best.x.set(x);
      best.f = f;
      best.gradNorm = normInf(g);
      best.iteration = k;
    }
    if (options.callback !== undefined && report(info, k, f, g, alpha, options.callback)) status = 'callback';
  }
  return subgradientResult(best, k, status, options, maxIter);
}

/** Why to stop before iteration k + 1, or null to go on. */
function stopTest(f: number, g: Float64Array, fBest: number, k: number, maxIter: number, options: SubgradientOptions): MinimizeStatus | null {
  const gNorm = normInf(g);
  if (!Number.isFinite(f) || !Number.isFinite(gNorm)) return 'non-finite';
  if (gNorm === 0) return 'optimal-subgradient';
  if (options.step.kind === 'polyak' && fBest - options.step.fStar <= (options.gapTol ?? 0)) return 'polyak-gap';
  return k >= maxIter ? 'max-iterations' : null;
}

function stepLength(rule: SubgradientStep, k: number, f: number, g: Float64Array): number {
  switch (rule.kind) {
    case 'diminishing':
      return rule.a / ((rule.b ?? 0) + k);
    case 'sqrt':
      return rule.a / Math.sqrt(k);
    case 'polyak':
      return (f - rule.fStar) / dot(g, g);
  }
}

function report(info: IterationInfo<'subgradient'>, k: number, f: number, g: Float64Array, alpha: number, cb: IterationCallback<'subgradient'>): boolean {
  info.iteration = k;
  info.f = f;
  info.gradNorm = normInf(g);
  info.stepSize = alpha;
  info.functionEvaluations = k + 1;
  info.gradientEvaluations = k + 1;
  return cb(info) === true;
}

function subgradientResult(
  best: { x: Float64Array; f: number; gradNorm: number; iteration: number },
  k: number,
  status: MinimizeStatus,
  options: SubgradientOptions,
  maxIter: number,
): SubgradientResult {
  const reasons: Partial<Record<MinimizeStatus, string>> = {
    'optimal-subgradient': `the subgradient is 0 at iteration ${k}, so 0 ∈ ∂f(x)`,
    'polyak-gap': `f_best − f* ≤ gapTol = ${options.gapTol ?? 0} at iteration ${k}`,
    'max-iterations': `ran maxIter = ${maxIter} iterations; best f = ${fmt(best.f)} at iteration ${best.iteration}`,
    'non-finite': `f or the subgradient became non-finite at iteration ${k}`,
    callback: `the callback returned true after iteration ${k}`,
  };
  return {
    x: best.x,
    f: best.f,
    gradNorm: best.gradNorm,
    iterations: k,
    functionEvaluations: k + 1,
    gradientEvaluations: k + 1,
    converged: status === 'optimal-subgradient' || status === 'polyak-gap',
    status,
    reason: reasons[status] ?? status,
    steps: { subgradient: k },
    bestIteration: best.iteration,
  };
}
