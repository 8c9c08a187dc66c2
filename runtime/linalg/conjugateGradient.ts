// Linear conjugate gradient for A x = b with A symmetric positive definite, given
// only as a product v ↦ A v, with an optional preconditioner v ↦ M⁻¹ v
// (Nocedal & Wright, Numerical Optimization, 2nd ed., Alg. 5.2 and 5.3):
//
//   r₀ = A x₀ − b,  y₀ = M⁻¹ r₀,  p₀ = −y₀
//   αₖ = rₖᵀyₖ / pₖᵀA pₖ;  xₖ₊₁ = xₖ + αₖ pₖ;  rₖ₊₁ = rₖ + αₖ A pₖ
//   yₖ₊₁ = M⁻¹ rₖ₊₁;  βₖ₊₁ = rₖ₊₁ᵀyₖ₊₁ / rₖᵀyₖ;  pₖ₊₁ = −yₖ₊₁ + βₖ₊₁ pₖ
//
// In exact arithmetic it ends in at most n iterations; in floating point the
// residual it updates recursively drifts from b − A x, so the result reports the
// true residual, computed once more at the end.
import { axpy, dot, norm2 } from './vector.ts';

/** out ← A v. */
export type MatVec = (v: Float64Array, out: Float64Array) => void;

export interface ConjugateGradientOptions {
  /** Starting guess; default zero. Not modified. */
  readonly x0?: Float64Array;
  /** Stop when ‖r‖₂ ≤ tol · ‖b‖₂ (scipy's `rtol`). Default 1e-5. */
  readonly tol?: number;
  /** Default 10 n (scipy's default). */
  readonly maxIter?: number;
  /** out ← M⁻¹ v for a symmetric positive definite M ≈ A. Default: none (M = I). */
  readonly preconditioner?: MatVec;
}

export interface ConjugateGradientResult {
  readonly x: Float64Array;
  readonly iterations: number;
  /** ‖b − A x‖₂ recomputed from the returned x (not the recursive residual). */
  readonly residualNorm: number;
  /** residualNorm / ‖b‖₂ (or residualNorm itself when b = 0). */
  readonly relativeResidual: number;
  /** Products with A, the final check included. */
  readonly matVecs: number;
  readonly converged: boolean;
  readonly reason: string;
}

interface CgState {
  readonly x: Float64Array;
  readonly r: Float64Array;
  readonly y: Float64Array;
  readonly p: Float64Array;
  readonly ap: Float64Array;
}

export function conjugateGradient(
  matVec: MatVec,
  b: Float64Array,
  options: ConjugateGradientOptions = {},
): ConjugateGradientResult {
  const n = b.length;
  const tol = options.tol ?? 1e-5;
  const maxIter = options.maxIter ?? 10 * n;
  const precond = options.preconditioner ?? ((v: Float64Array, out: Float64Array) => out.set(v));
  const s = initialState(matVec, b, options.x0);
  let matVecs = options.x0 === undefined ? 0 : 1;
  const bNorm = norm2(b);
  const target = tol * (bNorm > 0 ? bNorm : 1);
  precond(s.r, s.y);
  for (let i = 0; i < n; i++) s.p[i] = -s.y[i];
  let ry = dot(s.r, s.y);
  let k = 0;
  let why: string;
  for (;;) {
    if (norm2(s.r) <= target) {
      why = 'tol';
      break;
    }
    if (k >= maxIter) {
      why = 'maxIter';
      break;
    }
    matVec(s.p, s.ap);
    matVecs++;
    const pAp = dot(s.p, s.ap);
    if (!(pAp > 0)) {
      why = `pᵀAp = ${pAp} ≤ 0 at iteration ${k}: A is not positive definite`;
      break;
    }
    const alpha = ry / pAp;
    axpy(alpha, s.p, s.x);
    axpy(alpha, s.ap, s.r);
    ry = nextDirection(s, precond, ry);
    k++;
  }
  return finish(matVec, b, s, k, matVecs + 1, target, bNorm, why, maxIter);
}

function initialState(matVec: MatVec, b: Float64Array, x0: Float64Array | undefined): CgState {
  const n = b.length;
  const s: CgState = {
    x: x0 === undefined ? new Float64Array(n) : x0.slice(),
    r: new Float64Array(n),
    y: new Float64Array(n),
    p: new Float64Array(n),
    ap: new Float64Array(n),
  };
  if (x0 === undefined) for (let i = 0; i < n; i++) s.r[i] = -b[i];
  else {
    matVec(s.x, s.r);
    axpy(-1, b, s.r);
  }
  return s;
}

/** y ← M⁻¹ r, p ← −y + β p with β = rᵀy / (previous rᵀy) (Fletcher–Reeves form); returns rᵀy. */
function nextDirection(s: CgState, precond: MatVec, ryOld: number): number {
  precond(s.r, s.y);
  const ry = dot(s.r, s.y);
  const beta = ry / ryOld;
  for (let i = 0; i < s.p.length; i++) s.p[i] = -s.y[i] + beta * s.p[i];
  return ry;
}

function finish(
  matVec: MatVec,
  b: Float64Array,
  s: CgState,
  iterations: number,
  matVecs: number,
  target: number,
  bNorm: number,
  why: string,
  maxIter: number,
): ConjugateGradientResult {
  // True residual: r ← A x − b (the recursive r is no longer needed).
  matVec(s.x, s.r);
  axpy(-1, b, s.r);
  const residualNorm = norm2(s.r);
  const relativeResidual = bNorm > 0 ? residualNorm / bNorm : residualNorm;
  const converged = residualNorm <= target;
  let reason: string;
  if (converged) reason = `relative residual ${relativeResidual.toExponential(3)} ≤ tol after ${iterations} iterations`;
  else if (why === 'maxIter') reason = `reached maxIter = ${maxIter} with relative residual ${relativeResidual.toExponential(3)}`;
  else if (why === 'tol') reason = `the recursive residual reached tol, but the true relative residual is ${relativeResidual.toExponential(3)} (rounding drift)`;
  else reason = why;
  return { x: s.x, iterations, residualNorm, relativeResidual, matVecs, converged, reason };
}
