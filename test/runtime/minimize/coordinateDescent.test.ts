// Coordinate descent on the 20-D quadratic ½xᵀAx − bᵀx: with ∂ᵢf = (Ax − b)ᵢ and
// ∂²ᵢᵢf = Aᵢᵢ each update is exact along its coordinate (Gauss–Seidel when cyclic),
// and the result matches Gaussian elimination's solution to 1e-10.
import { describe, expect, it } from 'vitest';
import { coordinateDescent, type CoordinatePartials } from '../../../runtime/index.ts';
import { maxAbsDiff, quadratic, solveDense } from './problems.ts';

const n = 20;
const q = quadratic(n);
const xStar = solveDense(q.a, q.b);
const g = new Float64Array(n);

/** ∂ᵢf = Σⱼ Aᵢⱼxⱼ − bᵢ (what forward mode along eᵢ gives), ∂²ᵢᵢf = Aᵢᵢ. */
const partials: CoordinatePartials = {
  partial: (x, i) => {
    let s = -q.b[i]!;
    for (let j = 0; j < n; j++) s += q.a[i * n + j]! * x[j]!;
    return s;
  },
  secondPartial: (_x, i) => q.a[i * n + i]!,
  value: (x) => q.objective(x, g),
};

describe('coordinate descent', () => {
  it('cyclic, exact coordinate minimization: matches the direct solve to 1e-10', () => {
    const r = coordinateDescent(partials, new Float64Array(n), { gradTol: 1e-13 });
    expect(r.status, r.reason).toBe('gradient-tolerance');
    expect(maxAbsDiff(r.x, xStar)).toBeLessThan(1e-10);
    expect(r.steps['coordinate-newton']).toBe(r.iterations * n);
    expect(r.partialEvaluations).toBeGreaterThanOrEqual(r.iterations * n + n); // + the final full check
    expect(r.f).toBeCloseTo(q.objective(xStar, g), 12);
  });

  it('one coordinate update is the exact 1-D minimizer: ∂ᵢf = 0 right after it', () => {
    const x = new Float64Array(n).fill(1);
    const r = coordinateDescent(partials, x, { maxIter: 1, gradTol: 0 });
    // After a cyclic sweep the last coordinate was minimized last: ∂₁₉f = 0 there.
    expect(Math.abs(partials.partial(r.x, n - 1))).toBeLessThan(1e-14);
    expect(x).toEqual(new Float64Array(n).fill(1)); // x0 untouched
  });

  it('randomized with a seed: matches to 1e-10, and the same seed reproduces the run bit for bit', () => {
    const run = (seed: number) => coordinateDescent(partials, new Float64Array(n), { order: 'random', seed, gradTol: 1e-13 });
    const a = run(42);
    expect(a.status).toBe('gradient-tolerance');
    expect(maxAbsDiff(a.x, xStar)).toBeLessThan(1e-10);
    const again = run(42);
    expect(again.iterations).toBe(a.iterations);
    expect(Array.from(again.x)).toEqual(Array.from(a.x));
    const other = run(7);
    expect(Array.from(other.x)).not.toEqual(Array.from(a.x));
  });

  it('gradient steps when no second partial is given (stepSize 1/max Aᵢᵢ)', () => {
    let maxDiag = 0;
    for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, q.a[i * n + i]!);
    const r = coordinateDescent({ partial: partials.partial }, new Float64Array(n), { stepSize: 1 / maxDiag, gradTol: 1e-11, maxIter: 5000 });
    expect(r.status, r.reason).toBe('gradient-tolerance');
    expect(r.steps['coordinate-gradient']).toBe(r.iterations * n);
    expect(maxAbsDiff(r.x, xStar)).toBeLessThan(1e-9);
    expect(r.f).toBeNaN(); // no value function given
  });

  it('without a second partial or a stepSize it says what to pass', () => {
    expect(() => coordinateDescent({ partial: partials.partial }, new Float64Array(n))).toThrow(/secondPartial.*stepSize/);
  });

  it('a plain objective: a line search along each eᵢ also reaches the solution', () => {
    const r = coordinateDescent(q.objective, new Float64Array(n), { gradTol: 1e-11 });
    expect(r.status, r.reason).toBe('gradient-tolerance');
    expect(maxAbsDiff(r.x, xStar)).toBeLessThan(1e-10);
    expect(r.steps['coordinate-line-search']).toBeGreaterThan(0);
    expect(r.functionEvaluations).toBe(r.gradientEvaluations);
  });

  it('the callback sees each sweep and can stop the run', () => {
    const seen: number[] = [];
    const r = coordinateDescent(partials, new Float64Array(n), { callback: (info) => (seen.push(info.iteration), info.iteration === 3) });
    expect(seen).toEqual([1, 2, 3]);
    expect(r.status).toBe('callback');
    expect(r.converged).toBe(false);
  });
});
