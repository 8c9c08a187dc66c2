// Cholesky factorization A = L Lᵀ of a dense symmetric matrix, and the solve with it.
// Newton's method uses success or failure of the factorization as its test for
// positive definiteness (N&W §3.4): it is the cheapest reliable one.

/**
 * Factors the row-major n×n symmetric `a` (only its lower triangle is read) into
 * `l` (lower triangle written, upper left untouched). Returns false, with `l`
 * partly written, if `a` is not numerically positive definite (a pivot ≤ 0 or NaN).
 */
export function cholesky(a: Float64Array, n: number, l: Float64Array): boolean {
  for (let j = 0; j < n; j++) {
    // l_jj² = a_jj − Σ_{k<j} l_jk²
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= l[j * n + k] * l[j * n + k];
    if (!(d > 0)) return false;
    const ljj = Math.sqrt(d);
    l[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      // l_ij = (a_ij − Σ_{k<j} l_ik l_jk) / l_jj
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= l[i * n + k] * l[j * n + k];
      l[i * n + j] = s / ljj;
    }
  }
  return true;
}

/** Solves L Lᵀ x = b with the factor from `cholesky`; `x` may alias `b`. */
export function choleskySolve(l: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  // Forward substitution L z = b, then back substitution Lᵀ x = z, in place in x.
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k];
    x[i] = s / l[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
}
