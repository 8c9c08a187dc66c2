import { describe, expect, it } from 'vitest';
import { cholesky, choleskySolve, conjugateGradient, symmetricEigen, SeededRng } from '../../../runtime/index.ts';
import { maxAbsDiff, solveDense, spdMatrix } from '../minimize/problems.ts';

function matVecOf(a: Float64Array, n: number) {
  return (v: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
      out[i] = s;
    }
  };
}

/** ‖b − A x‖₂ / ‖b‖₂, computed here from scratch. */
function relativeResidual(a: Float64Array, x: Float64Array, b: Float64Array): number {
  const n = b.length;
  let rr = 0;
  let bb = 0;
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let j = 0; j < n; j++) s -= a[i * n + j] * x[j];
    rr += s * s;
    bb += b[i] * b[i];
  }
  return Math.sqrt(rr / bb);
}

describe('Cholesky', () => {
  it('solves an SPD system like Gaussian elimination does', () => {
    const n = 12;
    const a = spdMatrix(n);
    const b = Float64Array.from({ length: n }, (_, i) => i - 3);
    const l = new Float64Array(n * n);
    expect(cholesky(a, n, l)).toBe(true);
    const x = new Float64Array(n);
    choleskySolve(l, n, b, x);
    expect(maxAbsDiff(x, solveDense(a, b))).toBeLessThan(1e-12);
  });

  it('fails on an indefinite matrix', () => {
    expect(cholesky(Float64Array.from([2, 0, 0, -1]), 2, new Float64Array(4))).toBe(false);
    expect(cholesky(Float64Array.from([1, 2, 2, 1]), 2, new Float64Array(4))).toBe(false); // eigenvalues 3, −1
  });
});

describe('symmetric Jacobi eigendecomposition', () => {
  it('A V = V Λ with orthonormal V, on an indefinite 8×8 matrix', () => {
    const n = 8;
    const rand = SeededRng.fromSeed(7).asFunction();
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) a[i * n + j] = a[j * n + i] = rand() * 2 - 1;
    const values = new Float64Array(n);
    const v = new Float64Array(n * n);
    symmetricEigen(a, n, values, v);
    for (let k = 0; k < n; k++) {
      for (let i = 0; i < n; i++) {
        let av = 0;
        for (let j = 0; j < n; j++) av += a[i * n + j] * v[j * n + k];
        expect(Math.abs(av - values[k] * v[i * n + k])).toBeLessThan(1e-13);
      }
      for (let m = 0; m < n; m++) {
        let dot = 0;
        for (let i = 0; i < n; i++) dot += v[i * n + k] * v[i * n + m];
        expect(Math.abs(dot - (k === m ? 1 : 0))).toBeLessThan(1e-13);
      }
    }
    // Trace is preserved and there are eigenvalues of both signs.
    let trace = 0;
    for (let i = 0; i < n; i++) trace += a[i * n + i];
    expect(values.reduce((s, x) => s + x, 0)).toBeCloseTo(trace, 12);
    expect(Math.min(...values)).toBeLessThan(0);
    expect(Math.max(...values)).toBeGreaterThan(0);
  });
});

describe('linear conjugate gradient', () => {
  it('solves a dense 200×200 SPD system to relative residual 1e-10 in at most 200 iterations', () => {
    const n = 200;
    const a = spdMatrix(n);
    const b = Float64Array.from({ length: n }, (_, i) => Math.sin(i + 0.5));
    const r = conjugateGradient(matVecOf(a, n), b, { tol: 1e-10 });
    expect(r.converged, r.reason).toBe(true);
    expect(r.iterations).toBeLessThanOrEqual(200);
    expect(relativeResidual(a, r.x, b)).toBeLessThanOrEqual(1e-10);
    expect(r.relativeResidual).toBeCloseTo(relativeResidual(a, r.x, b), 15);
    expect(r.matVecs).toBe(r.iterations + 1);
  });

  it('Jacobi preconditioning cuts the iterations on an ill-conditioned diagonally dominant matrix', () => {
    // dᵢ from 1 to 1e4, off-diagonals 0.4 √(dᵢdⱼ): D^{-1/2} A D^{-1/2} = tridiag(0.4, 1, 0.4).
    const n = 200;
    const d = Float64Array.from({ length: n }, (_, i) => 10 ** ((4 * i) / (n - 1)));
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      a[i * n + i] = d[i];
      if (i + 1 < n) a[i * n + i + 1] = a[(i + 1) * n + i] = 0.4 * Math.sqrt(d[i] * d[i + 1]);
    }
    const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
    const plain = conjugateGradient(matVecOf(a, n), b, { tol: 1e-10, maxIter: 5000 });
    const jacobi = conjugateGradient(matVecOf(a, n), b, {
      tol: 1e-10,
      preconditioner: (v, out) => {
        for (let i = 0; i < n; i++) out[i] = v[i] / d[i];
      },
    });
    expect(plain.converged, plain.reason).toBe(true);
    expect(jacobi.converged, jacobi.reason).toBe(true);
    expect(relativeResidual(a, jacobi.x, b)).toBeLessThanOrEqual(1e-10);
    expect(jacobi.iterations).toBeLessThan(plain.iterations / 3);
    expect(jacobi.iterations).toBeLessThan(60);
  });

  it('starts from x0 and reports a matrix that is not positive definite', () => {
    const a = Float64Array.from([1, 0, 0, -1]);
    const r = conjugateGradient(matVecOf(a, 2), Float64Array.from([1, 1]), { x0: Float64Array.from([0.5, 0]) });
    expect(r.converged).toBe(false);
    expect(r.reason).toMatch(/not positive definite/);
  });
});
