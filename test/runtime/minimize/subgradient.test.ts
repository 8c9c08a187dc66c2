// The subgradient method on a small lasso, ½‖Ax − b‖² + λ‖x‖₁ (λ = 1.5, A 6×4),
// whose solution has one zero coordinate. The reference solution comes from exact
// coordinate descent with soft thresholding, written here; the result is also
// checked against the optimality condition 0 ∈ ∂f(x):
//   |Aᵀ(Ax − b)|ᵢ ≤ λ where xᵢ = 0,   Aᵀ(Ax − b)ᵢ = −λ sign(xᵢ) otherwise.
import { describe, expect, it } from 'vitest';
import { subgradientMethod, type Objective, type SubgradientStep } from '../../../runtime/index.ts';
import { maxAbsDiff } from './problems.ts';

const A = [
  [1, 2, 0.5, -1],
  [0.3, -1, 2, 0.8],
  [2, 0.1, -0.7, 1.5],
  [-1, 1, 1, 0.4],
  [0.5, -0.6, 0.2, 2],
  [1.2, 0.9, -1.1, -0.3],
];
const b = [1, -2, 0.5, 3, -1, 2];
const lambda = 1.5;
const n = 4;

const residual = (x: ArrayLike<number>): number[] => A.map((row, i) => row.reduce((s, a, j) => s + a * x[j]!, 0) - b[i]!);
/** Aᵀ(Ax − b), the gradient of the smooth part. */
const smoothGrad = (x: ArrayLike<number>): number[] => {
  const r = residual(x);
  return Array.from({ length: n }, (_, j) => A.reduce((s, row, i) => s + row[j]! * r[i]!, 0));
};

/** f and the subgradient Aᵀ(Ax − b) + λ sign(x), with sign(0) = 0 (PyTorch's choice). */
const lasso: Objective = (x, g) => {
  const sg = smoothGrad(x);
  for (let j = 0; j < n; j++) g[j] = sg[j]! + lambda * Math.sign(x[j]!);
  const r = residual(x);
  return 0.5 * r.reduce((s, v) => s + v * v, 0) + lambda * x.reduce((s, v) => s + Math.abs(v), 0);
};

/** Exact cyclic coordinate descent for the lasso: xⱼ ← S(ρⱼ, λ) / ‖aⱼ‖². */
function lassoReference(): number[] {
  const x = [0, 0, 0, 0];
  for (let sweep = 0; sweep < 2000; sweep++) {
    for (let j = 0; j < n; j++) {
      x[j] = 0;
      const r = residual(x);
      const rho = -A.reduce((s, row, i) => s + row[j]! * r[i]!, 0);
      const ajj = A.reduce((s, row) => s + row[j]! ** 2, 0);
      x[j] = (Math.sign(rho) * Math.max(Math.abs(rho) - lambda, 0)) / ajj;
    }
  }
  return x;
}

const xStar = lassoReference();
const fStar = lasso(Float64Array.from(xStar), new Float64Array(n));

function expectOptimal(x: ArrayLike<number>, tol: number): void {
  const sg = smoothGrad(x);
  for (let j = 0; j < n; j++) {
    if (xStar[j] === 0) expect(Math.abs(sg[j]!)).toBeLessThanOrEqual(lambda + tol);
    else expect(Math.abs(sg[j]! + lambda * Math.sign(x[j]!))).toBeLessThanOrEqual(tol);
  }
}

describe('subgradient method on a lasso', () => {
  it('the reference solution has a zero and satisfies the optimality conditions exactly', () => {
    expect(xStar.filter((v) => v === 0)).toHaveLength(1);
    expectOptimal(xStar, 1e-12);
  });

  const cases: [string, SubgradientStep, number][] = [
    ['a / (b + k), a = 0.5, b = 1', { kind: 'diminishing', a: 0.5, b: 1 }, 10000],
    ['a / √k, a = 0.05', { kind: 'sqrt', a: 0.05 }, 20000],
    ["Polyak's step with the known f*", { kind: 'polyak', fStar }, 20000],
  ];
  for (const [name, step, maxIter] of cases) {
    it(`${name}: within 1e-3 of the optimum, and 0 ∈ ∂f there to 1e-2`, () => {
      const r = subgradientMethod(lasso, new Float64Array(n), { step, maxIter });
      expect(maxAbsDiff(r.x, xStar)).toBeLessThan(1e-3);
      expect(r.f - fStar).toBeGreaterThanOrEqual(-1e-12);
      expect(r.f - fStar).toBeLessThan(1e-5);
      expectOptimal(r.x, 1e-2);
      expect(r.status).toBe('max-iterations');
      expect(r.converged).toBe(false); // no certificate: the subgradient never vanishes here
    });
  }

  it('is not a descent method: f goes up on some steps, and the best iterate is returned', () => {
    const fs: number[] = [];
    const r = subgradientMethod(lasso, new Float64Array(n), {
      step: { kind: 'sqrt', a: 0.05 },
      maxIter: 2000,
      callback: (info) => void fs.push(info.f),
    });
    expect(fs.some((f, k) => k > 0 && f > fs[k - 1]!)).toBe(true);
    expect(r.f).toBe(Math.min(...fs));
    expect(r.bestIteration).toBe(fs.indexOf(r.f) + 1);
  });

  it("stops with 'optimal-subgradient' when the subgradient is 0, and with 'polyak-gap'", () => {
    const abs: Objective = (x, g) => {
      g[0] = Math.sign(x[0]! - 2);
      return Math.abs(x[0]! - 2);
    };
    const r = subgradientMethod(abs, Float64Array.of(0), { step: { kind: 'polyak', fStar: 0 } });
    expect([r.status, r.iterations, r.x[0]]).toEqual(['optimal-subgradient', 1, 2]);
    expect(r.converged).toBe(true);
    const gap = subgradientMethod(lasso, new Float64Array(n), { step: { kind: 'polyak', fStar }, gapTol: 1e-3 });
    expect(gap.status).toBe('polyak-gap');
    expect(gap.f - fStar).toBeLessThanOrEqual(1e-3);
  });
});
