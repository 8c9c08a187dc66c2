// Dense vector kernels on Float64Array, shared by the line searches and minimizers.
// Sums run left to right in one accumulator, so results are reproducible bit for bit.

/** xᵀy. */
export function dot(x: Float64Array, y: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

/** y ← y + a x. */
export function axpy(a: number, x: Float64Array, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) y[i] += a * x[i];
}

/** out ← x + a d (out may alias neither x nor d, or alias x). */
export function addScaled(x: Float64Array, a: number, d: Float64Array, out: Float64Array): void {
  for (let i = 0; i < x.length; i++) out[i] = x[i] + a * d[i];
}

/** out ← a − b. */
export function sub(a: Float64Array, b: Float64Array, out: Float64Array): void {
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
}

/** out ← −x. */
export function negate(x: Float64Array, out: Float64Array): void {
  for (let i = 0; i < x.length; i++) out[i] = -x[i];
}

/** ‖x‖∞ = max |xᵢ| (NaN if any entry is NaN). */
export function normInf(x: Float64Array): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (!(a <= m)) m = a;
  }
  return m;
}

/** ‖x‖₁. */
export function norm1(x: Float64Array): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += Math.abs(x[i]);
  return s;
}

/** ‖x‖₂ (plain sum of squares: the vectors here are gradients and steps of moderate size). */
export function norm2(x: Float64Array): number {
  return Math.sqrt(dot(x, x));
}

/** out ← M v for a dense row-major n×n matrix M. */
export function matVec(m: Float64Array, v: Float64Array, out: Float64Array): void {
  const n = v.length;
  for (let i = 0; i < n; i++) {
    let s = 0;
    const row = i * n;
    for (let j = 0; j < n; j++) s += m[row + j] * v[j];
    out[i] = s;
  }
}
