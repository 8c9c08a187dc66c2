// Turning an indefinite Hessian into a descent step, two ways:
//
// Damped (Levenberg–Marquardt, N&W Alg. 3.3 "Cholesky with added multiple of the
// identity"): find the smallest τ in the sequence τ₀, 2τ₀, 4τ₀, … (τ₀ = −min hᵢᵢ + β
// if some hᵢᵢ ≤ 0, else β; β = 10⁻³) for which H + τI has a Cholesky factor, and
// solve (H + τI) p = −∇f.
//
// Saddle-free (Dauphin et al. 2014, "Identifying and attacking the saddle point
// problem"): with H = V Λ Vᵀ, p = −V |Λ|⁻¹ Vᵀ ∇f, each |λᵢ| floored at δ. Along a
// direction of negative curvature this moves downhill instead of towards the
// saddle, as Newton's −H⁻¹∇f would.
import { cholesky, choleskySolve } from '../../linalg/cholesky.ts';
import { symmetricEigen, symmetricEigenWork, type SymmetricEigenWork } from '../../linalg/symmetricEigen.ts';

/** Buffers for one run of dense Newton on n variables. */
export class NewtonWork {
  readonly h: Float64Array;
  readonly shifted: Float64Array;
  readonly l: Float64Array;
  readonly values: Float64Array;
  readonly vectors: Float64Array;
  readonly eigen: SymmetricEigenWork;

  constructor(readonly n: number) {
    this.h = new Float64Array(n * n);
    this.shifted = new Float64Array(n * n);
    this.l = new Float64Array(n * n);
    this.values = new Float64Array(n);
    this.vectors = new Float64Array(n * n);
    this.eigen = symmetricEigenWork(n);
  }
}

/** p ← −(H + τI)⁻¹ g for the first τ of N&W Alg. 3.3 that factors; returns τ. */
export function dampedNewtonStep(w: NewtonWork, g: Float64Array, p: Float64Array, beta = 1e-3): number {
  const { n, h, shifted, l } = w;
  let minDiag = Infinity;
  for (let i = 0; i < n; i++) minDiag = Math.min(minDiag, h[i * n + i]);
  let tau = minDiag > 0 ? beta : -minDiag + beta;
  for (;;) {
    shifted.set(h);
    for (let i = 0; i < n; i++) shifted[i * n + i] += tau;
    if (cholesky(shifted, n, l)) break;
    tau = Math.max(2 * tau, beta);
    if (!Number.isFinite(tau)) throw new RangeError('dampedNewtonStep: the Hessian has non-finite entries.');
  }
  choleskySolve(l, n, g, p);
  for (let i = 0; i < n; i++) p[i] = -p[i];
  return tau;
}

/** Eigendecomposition of w.h into w.values / w.vectors; returns the most negative eigenvalue's index. */
export function decompose(w: NewtonWork): number {
  symmetricEigen(w.h, w.n, w.values, w.vectors, w.eigen);
  let k = 0;
  for (let i = 1; i < w.n; i++) if (w.values[i] < w.values[k]) k = i;
  return k;
}

/** p ← −V |Λ|⁻¹ Vᵀ g with |λᵢ| floored at floor·max(1, max|λ|), after decompose(w). */
export function saddleFreeStep(w: NewtonWork, g: Float64Array, p: Float64Array, floor: number): void {
  const { n, values, vectors } = w;
  let scale = 1;
  for (let i = 0; i < n; i++) scale = Math.max(scale, Math.abs(values[i]));
  const delta = floor * scale;
  p.fill(0);
  for (let k = 0; k < n; k++) {
    let c = 0;
    for (let i = 0; i < n; i++) c += vectors[i * n + k] * g[i];
    c /= Math.max(Math.abs(values[k]), delta);
    for (let i = 0; i < n; i++) p[i] -= c * vectors[i * n + k];
  }
}

/** p ← the unit eigenvector k, signed so that gᵀp ≤ 0 (a direction of negative curvature). */
export function negativeCurvatureStep(w: NewtonWork, k: number, g: Float64Array, p: Float64Array): void {
  const { n, vectors } = w;
  let gv = 0;
  for (let i = 0; i < n; i++) gv += g[i] * vectors[i * n + k];
  const sign = gv > 0 ? -1 : 1;
  for (let i = 0; i < n; i++) p[i] = sign * vectors[i * n + k];
}
