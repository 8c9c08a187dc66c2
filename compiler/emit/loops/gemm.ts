/**
 * The matrix-product helper copied into modules that multiply matrices.
 * Operands are read through row and column strides, so Aᵀ·B and A·Bᵀ (the
 * backward products Xᵀ·dZ and dZ·Wᵀ) need no transposed copy. A 4×4 block of
 * C accumulates in locals: V8 checks typed-array bounds on every access, and
 * blocking amortises each load over four multiply-adds.
 */
export const GEMM_SOURCE = `/** C[m×n] = op(A)·op(B); op(A)[i, p] = A[aOff + i·aRow + p·aCol], likewise B. */
function gemm(
  m: number, n: number, k: number,
  A: Float64Array, aOff: number, aRow: number, aCol: number,
  B: Float64Array, bOff: number, bRow: number, bCol: number,
  C: Float64Array, cOff: number,
): void {
  let i = 0;
  for (; i + 4 <= m; i += 4) {
    let j = 0;
    for (; j + 4 <= n; j += 4) {
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let a0 = aOff + i * aRow;
      let b0 = bOff + j * bCol;
      for (let p = 0; p < k; p++) {
        const x0 = A[a0], x1 = A[a0 + aRow], x2 = A[a0 + 2 * aRow], x3 = A[a0 + 3 * aRow];
        const y0 = B[b0], y1 = B[b0 + bCol], y2 = B[b0 + 2 * bCol], y3 = B[b0 + 3 * bCol];
        c00 += x0 * y0; c01 += x0 * y1; c02 += x0 * y2; c03 += x0 * y3;
        c10 += x1 * y0; c11 += x1 * y1; c12 += x1 * y2; c13 += x1 * y3;
        c20 += x2 * y0; c21 += x2 * y1; c22 += x2 * y2; c23 += x2 * y3;
        c30 += x3 * y0; c31 += x3 * y1; c32 += x3 * y2; c33 += x3 * y3;
        a0 += aCol;
        b0 += bRow;
      }
      let c = cOff + i * n + j;
      C[c] = c00; C[c + 1] = c01; C[c + 2] = c02; C[c + 3] = c03; c += n;
      C[c] = c10; C[c + 1] = c11; C[c + 2] = c12; C[c + 3] = c13; c += n;
      C[c] = c20; C[c + 1] = c21; C[c + 2] = c22; C[c + 3] = c23; c += n;
      C[c] = c30; C[c + 1] = c31; C[c + 2] = c32; C[c + 3] = c33;
    }
    for (; j < n; j++) {
      let c0 = 0, c1 = 0, c2 = 0, c3 = 0;
      let a0 = aOff + i * aRow;
      let b0 = bOff + j * bCol;
      for (let p = 0; p < k; p++) {
        const y = B[b0];
        c0 += A[a0] * y; c1 += A[a0 + aRow] * y; c2 += A[a0 + 2 * aRow] * y; c3 += A[a0 + 3 * aRow] * y;
        a0 += aCol;
        b0 += bRow;
      }
      const c = cOff + i * n + j;
      C[c] = c0; C[c + n] = c1; C[c + 2 * n] = c2; C[c + 3 * n] = c3;
    }
  }
  for (; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      let a0 = aOff + i * aRow;
      let b0 = bOff + j * bCol;
      for (let p = 0; p < k; p++) {
        s += A[a0] * B[b0];
        a0 += aCol;
        b0 += bRow;
      }
      C[cOff + i * n + j] = s;
    }
  }
}`;
