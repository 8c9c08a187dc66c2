// Newton's method near the saddle of f(x, y) = x² − y² + y⁴/4: ∇f = (2x, −2y + y³),
// ∇²f = diag(2, −2 + 3y²). The saddle is (0, 0); the minima are (0, ±√2), f = −1.
// The pure Newton step −H⁻¹∇f from (0.5, 10⁻³) lands at y ≈ 10⁻⁹, on the saddle:
// y − (−2y + y³)/(−2 + 3y²) = 2y³/(3y² − 2) ≈ −10⁻⁹.
import { describe, expect, it } from 'vitest';
import {
  minimizeNewton,
  minimizeNewtonCG,
  type DenseHessian,
  type HessianVectorProduct,
  type IterationInfo,
  type Objective,
} from '../../../runtime/index.ts';

const f: Objective = (p, g) => {
  const [x, y] = [p[0]!, p[1]!];
  g[0] = 2 * x;
  g[1] = -2 * y + y ** 3;
  return x * x - y * y + y ** 4 / 4;
};
const hessian: DenseHessian = (p, h) => h.set([2, 0, 0, -2 + 3 * p[1]! ** 2]);
const hvp: HessianVectorProduct = (p, v, out) => {
  out[0] = 2 * v[0]!;
  out[1] = (-2 + 3 * p[1]! ** 2) * v[1]!;
};

/** Runs with a callback that records f and the kind of every step. */
function trace<R>(run: (cb: (info: Readonly<IterationInfo>) => void) => R, f0: number): { r: R; fs: number[]; kinds: string[] } {
  const fs = [f0];
  const kinds: string[] = [];
  const r = run((info) => {
    fs.push(info.f);
    kinds.push(info.kind);
  });
  return { r, fs, kinds };
}

function expectDecreasing(fs: number[]): void {
  for (let k = 1; k < fs.length; k++) expect(fs[k]).toBeLessThanOrEqual(fs[k - 1]!);
}

describe('Newton near a saddle point', () => {
  const x0 = Float64Array.of(0.5, 1e-3);
  const f0 = f(x0, new Float64Array(2));

  it('the pure Newton step would go to the saddle (the reason for the modification)', () => {
    const y = x0[1]!;
    expect(Math.abs(y - (-2 * y + y ** 3) / (-2 + 3 * y * y))).toBeLessThan(1e-8);
  });

  it("saddle-free: moves away from the saddle, decreases f every step, and reports 'saddle-free' steps", () => {
    const { r, fs, kinds } = trace((callback) => minimizeNewton(f, hessian, x0, { gradTol: 1e-12, callback }), f0);
    expect(kinds[0]).toBe('saddle-free');
    expect(r.x[1]).toBeGreaterThan(x0[1]!); // y grows instead of collapsing to 0
    expectDecreasing(fs);
    expect(r.steps['saddle-free']).toBeGreaterThanOrEqual(3);
    expect(r.steps.newton).toBeGreaterThanOrEqual(1); // once past y² = 2/3 the Hessian is PD
    expect(r.steps.damped + r.steps['negative-curvature'] + r.steps['steepest-descent']).toBe(0);
    expect(r.x[0]).toBeCloseTo(0, 12);
    expect(r.x[1]).toBeCloseTo(Math.SQRT2, 12);
    expect(r.f).toBeCloseTo(-1, 14);
  });

  it("damped (Levenberg–Marquardt): the same escape, reported as 'damped'", () => {
    const { r, fs, kinds } = trace((callback) => minimizeNewton(f, hessian, x0, { gradTol: 1e-12, modification: 'damped', callback }), f0);
    expect(kinds[0]).toBe('damped');
    expectDecreasing(fs);
    expect(r.steps.damped).toBeGreaterThanOrEqual(1);
    expect(r.steps['saddle-free']).toBe(0);
    expect(Math.abs(r.x[1]!)).toBeCloseTo(Math.SQRT2, 12);
    expect(r.f).toBeCloseTo(-1, 14);
  });

  it("started on the saddle's stable manifold: reaches the saddle, then leaves along negative curvature", () => {
    // From (0.5, 0) ∇f = (1, 0): the saddle-free step lands exactly on (0, 0), where ∇f = 0.
    const { r, fs, kinds } = trace((callback) => minimizeNewton(f, hessian, Float64Array.of(0.5, 0), { gradTol: 1e-12, callback }), 0.25);
    expect(kinds.slice(0, 2)).toEqual(['saddle-free', 'negative-curvature']);
    expect(fs[1]).toBe(0); // f at the saddle
    expectDecreasing(fs);
    expect(r.status).toBe('gradient-tolerance');
    expect(Math.abs(r.x[1]!)).toBeCloseTo(Math.SQRT2, 12);
  });

  it("Newton-CG: the inner CG stops on negative curvature ('negative-curvature') and still descends", () => {
    // Step 1: one inner CG step already meets the forcing tolerance 0.5‖∇f‖ (x → 0,
    // y doubles): 'newton'. Step 2 at (0, 2·10⁻³): −∇f = (0, 4·10⁻³) has negative
    // curvature at once, so the step is −∇f (N&W Alg. 7.1, j = 0).
    const { r, fs, kinds } = trace((callback) => minimizeNewtonCG(f, hvp, x0, { gradTol: 1e-12, callback }), f0);
    expect(kinds.slice(0, 2)).toEqual(['newton', 'negative-curvature']);
    expectDecreasing(fs);
    expect(r.steps['negative-curvature']).toBeGreaterThanOrEqual(1);
    expect(r.steps.newton).toBeGreaterThanOrEqual(1);
    expect(r.x[1]).toBeCloseTo(Math.SQRT2, 10);
    expect(r.f).toBeCloseTo(-1, 14);
  });
});
