// Eigendecomposition A = V Λ Vᵀ of a dense symmetric matrix by the cyclic Jacobi
// method (Golub & Van Loan, Matrix Computations, Alg. 8.5.3). Each rotation zeroes
// one off-diagonal pair; a sweep visits every pair, and the off-diagonal norm
// converges quadratically once it is small. O(n³) per sweep: for the small dense
// Hessians of the saddle-free Newton step, where its accuracy on small eigenvalues
// (relative to ‖A‖) is what matters.

export interface SymmetricEigenWork {
  /** n×n copy of A that the rotations diagonalize. */
  readonly a: Float64Array;
}

export function symmetricEigenWork(n: number): SymmetricEigenWork {
  return { a: new Float64Array(n * n) };
}

/**
 * Writes the eigenvalues of the row-major symmetric n×n `m` into `values` and the
 * eigenvectors as the columns of `vectors` (row-major: vectors[i·n + k] is component
 * i of eigenvector k). Eigenvalues are not sorted. Returns the number of sweeps.
 */
export function symmetricEigen(
  m: Float64Array,
  n: number,
  values: Float64Array,
  vectors: Float64Array,
  work: SymmetricEigenWork = symmetricEigenWork(n),
  maxSweeps = 60,
): number {
  const a = work.a;
  a.set(m.subarray(0, n * n));
  vectors.fill(0);
  for (let i = 0; i < n; i++) vectors[i * n + i] = 1;
  const scale = frobenius(a);
  let sweeps = 0;
  while (sweeps < maxSweeps && offDiagonal(a, n) > 1e-15 * scale) {
    sweeps++;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) rotate(a, vectors, n, p, q);
    }
  }
  for (let i = 0; i < n; i++) values[i] = a[i * n + i];
  return sweeps;
}

/** A ← Jᵀ A J and V ← V J with the rotation J in the (p, q) plane that zeroes a_pq. */
function rotate(a: Float64Array, v: Float64Array, n: number, p: number, q: number): void {
  const apq = a[p * n + q];
  if (apq === 0) return;
  // τ = (a_qq − a_pp) / 2a_pq; t = tan θ is the smaller root of t² + 2τt − 1 = 0.
  const tau = (a[q * n + q] - a[p * n + p]) / (2 * apq);
  const t = (tau >= 0 ? 1 : -1) / (Math.abs(tau) + Math.hypot(1, tau));
  const c = 1 / Math.sqrt(1 + t * t);
  const s = t * c;
  for (let k = 0; k < n; k++) {
    const akp = a[k * n + p];
    const akq = a[k * n + q];
    a[k * n + p] = c * akp - s * akq;
    a[k * n + q] = s * akp + c * akq;
  }
  for (let k = 0; k < n; k++) {
    const apk = a[p * n + k];
    const aqk = a[q * n + k];
    a[p * n + k] = c * apk - s * aqk;
    a[q * n + k] = s * apk + c * aqk;
  }
  a[p * n + q] = 0;
  a[q * n + p] = 0;
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p];
    const vkq = v[k * n + q];
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}

function offDiagonal(a: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (i !== j) s += a[i * n + j] * a[i * n + j];
  }
  return Math.sqrt(s);
}

function frobenius(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * a[i];
  return Math.sqrt(s);
}
