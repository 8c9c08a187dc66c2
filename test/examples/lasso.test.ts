// examples/lasso: coordinate descent (one JVP per coordinate, soft-thresholded
// exact steps) and the subgradient method both satisfy the lasso's optimality
// conditions 0 ∈ Aᵀ(Ax − b)/m + μ ∂‖x‖₁ — coordinate descent to rounding, the
// subgradient method within 1e-3 (issue 8, must-show 5) — and agree on x.
import { describe, expect, it } from 'vitest';
import {
  compileLasso,
  curvatureBounds,
  lassoProblem,
  optimalityViolation,
  softThreshold,
  solveByCoordinateDescent,
  solveBySubgradient,
  subgradientStep,
} from '../../examples/lasso/lasso.ts';

const p = lassoProblem();
const k = compileLasso(p);
const cd = solveByCoordinateDescent(p, k);

/** Aᵀ(Ax − b)/m on plain arrays, independent of the compiled kernels. */
function smoothGradientByHand(x: Float64Array): Float64Array {
  const g = new Float64Array(p.n);
  for (let i = 0; i < p.m; i++) {
    let r = -p.b[i]!;
    for (let j = 0; j < p.n; j++) r += p.a[i * p.n + j]! * x[j]!;
    for (let j = 0; j < p.n; j++) g[j]! += (p.a[i * p.n + j]! * r) / p.m;
  }
  return g;
}

describe('examples/lasso', () => {
  it('the compiled gradient, partials and curvature of the smooth part match the formulas', () => {
    const x = Float64Array.from({ length: p.n }, (_, i) => Math.cos(i));
    const byHand = smoothGradientByHand(x);
    const compiled = k.smoothGradient(x);
    for (let i = 0; i < p.n; i++) {
      expect(compiled[i]!).toBeCloseTo(byHand[i]!, 12);
      expect(k.smoothPartial(x, i)).toBeCloseTo(byHand[i]!, 12);
      let hii = 0;
      for (let r = 0; r < p.m; r++) hii += p.a[r * p.n + i]! ** 2 / p.m;
      expect(k.smoothHessianColumn(i)[i]!).toBeCloseTo(hii, 12);
    }
  });

  it('coordinate descent satisfies the optimality conditions to rounding, and is sparse', () => {
    expect(cd.status, cd.reason).toBe('gradient-tolerance');
    expect(optimalityViolation(p, k, cd.x)).toBeLessThan(1e-10);
    const zeros = Array.from(cd.x).filter((v) => v === 0).length;
    expect(zeros).toBeGreaterThan(0);
    expect(zeros).toBeLessThan(p.n);
  });

  it('the subgradient method reaches the optimum within 1e-3, by the optimality conditions and in x', () => {
    const sg = solveBySubgradient(k, p.n, subgradientStep(curvatureBounds(p, k)));
    expect(optimalityViolation(p, k, sg.x, 1e-3)).toBeLessThan(1e-3);
    for (let i = 0; i < p.n; i++) expect(Math.abs(sg.x[i]! - cd.x[i]!)).toBeLessThan(1e-3);
    expect(sg.f).toBeGreaterThanOrEqual(cd.f - 1e-12); // cd.f is the optimum
    expect(sg.f - cd.f).toBeLessThan(1e-3);
  });

  it('soft thresholding is the proximal map of t|·|', () => {
    expect([softThreshold(2, 0.5), softThreshold(-2, 0.5), softThreshold(0.3, 0.5), softThreshold(-0.5, 0.5)]).toEqual([1.5, -1.5, 0, 0]);
  });
});
