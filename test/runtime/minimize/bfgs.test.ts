import { describe, expect, it } from 'vitest';
import { bfgsInverseUpdate, cholesky, minimizeBFGS, minimizeLBFGS, type Objective } from '../../../runtime/index.ts';
import { quadratic } from './problems.ts';

/** Dense n×n helpers on plain arrays, for the reference formula. */
const matMul = (a: number[][], b: number[][]): number[][] => a.map((row) => b[0]!.map((_, j) => row.reduce((s, v, k) => s + v * b[k]![j]!, 0)));
const outer = (u: ArrayLike<number>, v: ArrayLike<number>): number[][] => Array.from(u, (ui) => Array.from(v, (vj) => ui * vj));
const eye = (n: number, c = 1): number[][] => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? c : 0)));
const dotA = (u: ArrayLike<number>, v: ArrayLike<number>): number => Array.from(u).reduce((s, ui, i) => s + ui * v[i]!, 0);

describe('the BFGS inverse update (N&W 6.17)', () => {
  it('satisfies the secant equation H₊y = s and stays symmetric positive definite', () => {
    const h = Float64Array.from([2, 0.5, 0, 0.5, 1, 0.2, 0, 0.2, 3]);
    const s = Float64Array.from([0.3, -0.1, 0.2]);
    const y = Float64Array.from([0.5, 0.1, 0.4]);
    expect(dotA(y, s)).toBeGreaterThan(0);
    expect(bfgsInverseUpdate(h, s, y, new Float64Array(3))).toBe(true);
    for (let i = 0; i < 3; i++) {
      expect(dotA(h.subarray(3 * i, 3 * i + 3), y)).toBeCloseTo(s[i]!, 14);
      for (let j = 0; j < 3; j++) expect(h[3 * i + j]).toBeCloseTo(h[3 * j + i]!, 15);
    }
    expect(cholesky(h, 3, new Float64Array(9))).toBe(true);
  });

  it('is skipped, leaving H bit for bit, when yᵀs ≤ 0', () => {
    const h = Float64Array.from([1, 0.1, 0.1, 2]);
    const before = h.slice();
    expect(bfgsInverseUpdate(h, Float64Array.of(1, 0), Float64Array.of(-0.5, 3), new Float64Array(2))).toBe(false); // yᵀs = −0.5
    expect(bfgsInverseUpdate(h, Float64Array.of(1, 0), Float64Array.of(0, 3), new Float64Array(2))).toBe(false); // yᵀs = 0
    expect(h).toEqual(before);
  });

  it('a run on a function concave near the start skips the update, keeps H positive definite, and converges', () => {
    // f = x⁴/4 − x² + ½(x − z)², concave in x near 0: with the Armijo search nothing
    // enforces the curvature condition, and the first pair has yᵀs < 0.
    const f: Objective = (p, g) => {
      const [x, z] = [p[0]!, p[1]!];
      g[0] = x ** 3 - 2 * x + (x - z);
      g[1] = -(x - z);
      return x ** 4 / 4 - x * x + 0.5 * (x - z) ** 2;
    };
    const r = minimizeBFGS(f, Float64Array.of(0.1, 0.1), { lineSearch: 'armijo', gradTol: 1e-10 });
    expect(r.skippedUpdates).toBeGreaterThanOrEqual(1);
    expect(r.status, r.reason).toBe('gradient-tolerance');
    expect(r.x[0]).toBeCloseTo(Math.SQRT2, 9); // minima at x = z = ±√2
    expect(r.x[1]).toBeCloseTo(Math.SQRT2, 9);
    expect(cholesky(r.inverseHessian, 2, new Float64Array(4))).toBe(true);
    // With the strong Wolfe search every pair has yᵀs > 0: nothing is skipped.
    expect(minimizeBFGS(f, Float64Array.of(0.1, 0.1), { gradTol: 1e-10 }).skippedUpdates).toBe(0);
    expect(minimizeLBFGS(f, Float64Array.of(0.1, 0.1), { lineSearch: 'armijo', gradTol: 1e-10 }).skippedUpdates).toBeGreaterThanOrEqual(1);
  });

  it('scales H₀ to (yᵀs / yᵀy) I before the first update (N&W 6.20)', () => {
    const n = 5;
    const { objective } = quadratic(n);
    const x0 = Float64Array.from({ length: n }, (_, i) => 1 + i / 3);
    let x1 = new Float64Array(0);
    const r = minimizeBFGS(objective, x0, { maxIter: 1, gradTol: 0, callback: (info) => void (x1 = info.x.slice()) });
    expect(r.iterations).toBe(1);
    const g0 = new Float64Array(n);
    const g1 = new Float64Array(n);
    objective(x0, g0);
    objective(x1, g1);
    const s = x1.map((v, i) => v - x0[i]!);
    const y = g1.map((v, i) => v - g0[i]!);
    const rho = 1 / dotA(y, s);
    const gamma = dotA(y, s) / dotA(y, y);
    // H₁ = (I − ρ s yᵀ) γI (I − ρ y sᵀ) + ρ s sᵀ
    const left = eye(n).map((row, i) => row.map((v, j) => v - rho * s[i]! * y[j]!));
    const right = eye(n).map((row, i) => row.map((v, j) => v - rho * y[i]! * s[j]!));
    const expected = matMul(matMul(left, eye(n, gamma)), right).map((row, i) => row.map((v, j) => v + rho * outer(s, s)[i]![j]!));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(r.inverseHessian[i * n + j]).toBeCloseTo(expected[i]![j]!, 13);
  });
});
