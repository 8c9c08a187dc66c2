// The conditions hold at the returned step, on the test functions of Moré & Thuente
// (ACM TOMS 20, 1994, §5) and a quartic, from first trials spread over six decades.
import { describe, expect, it } from 'vitest';
import { BacktrackingArmijo, StrongWolfe, type Objective } from '../../../runtime/index.ts';

/** A 1-D objective from φ and φ'. */
function oneD(phi: (a: number) => number, dphi: (a: number) => number): Objective {
  return (x, g) => {
    g[0] = dphi(x[0]);
    return phi(x[0]);
  };
}

const b1 = 2;
const b2 = 0.004;
const functions: [string, Objective][] = [
  // Moré–Thuente (5.1): φ(α) = −α / (α² + β), minimum at √β.
  ['−α/(α² + 2)', oneD((a) => -a / (a * a + b1), (a) => (a * a - b1) / (a * a + b1) ** 2)],
  // Moré–Thuente (5.2): φ(α) = (α + β)⁵ − 2(α + β)⁴, minimum near 1.6.
  ['(α + β)⁵ − 2(α + β)⁴', oneD((a) => (a + b2) ** 5 - 2 * (a + b2) ** 4, (a) => 5 * (a + b2) ** 4 - 8 * (a + b2) ** 3)],
  ['(α − 3)⁴ + (α − 3)²', oneD((a) => (a - 3) ** 4 + (a - 3) ** 2, (a) => 4 * (a - 3) ** 3 + 2 * (a - 3))],
];
const trials = [1e-3, 1e-1, 1, 10, 1e3];

function start(objective: Objective): { f0: number; slope0: number } {
  const g = new Float64Array(1);
  const f0 = objective(Float64Array.of(0), g);
  return { f0, slope0: g[0] };
}

describe('strong Wolfe line search', () => {
  for (const [name, objective] of functions) {
    for (const c2 of [0.9, 0.1]) {
      it(`${name}, c2 = ${c2}: both conditions hold at the step, for α₀ in ${trials.join(', ')}`, () => {
        const { f0, slope0 } = start(objective);
        expect(slope0).toBeLessThan(0);
        const ls = new StrongWolfe(objective, 1, { c1: 1e-4, c2 });
        for (const alpha0 of trials) {
          const xOut = new Float64Array(1);
          const gOut = new Float64Array(1);
          const ok = ls.search(Float64Array.of(0), Float64Array.of(1), f0, slope0, alpha0, xOut, gOut);
          expect(ok, ls.message).toBe(true);
          const a = ls.step;
          expect(xOut[0]).toBe(a);
          expect(ls.f).toBeLessThanOrEqual(f0 + 1e-4 * a * slope0); // sufficient decrease
          expect(Math.abs(gOut[0])).toBeLessThanOrEqual(c2 * Math.abs(slope0)); // curvature
          expect(ls.slope).toBe(gOut[0]);
          expect(ls.evaluations).toBeLessThanOrEqual(30);
        }
      });
    }
  }

  it('uses few evaluations: a good first trial is accepted at once', () => {
    const quad = oneD((a) => (a - 1) ** 2, (a) => 2 * (a - 1));
    const ls = new StrongWolfe(quad, 1);
    ls.search(Float64Array.of(0), Float64Array.of(1), 1, -2, 1, new Float64Array(1), new Float64Array(1));
    expect([ls.step, ls.evaluations]).toEqual([1, 1]);
  });

  it('fails cleanly on a function unbounded along d, reporting the best step', () => {
    const linear = oneD((a) => -a, () => -1);
    const ls = new StrongWolfe(linear, 1, { maxEvaluations: 10 });
    const ok = ls.search(Float64Array.of(0), Float64Array.of(1), 0, -1, 1, new Float64Array(1), new Float64Array(1));
    expect(ok).toBe(false);
    expect(ls.step).toBe(512); // ten trials 1, 2, …, 2⁹: the last (lowest) one kept
    expect(ls.message).toMatch(/no bracket found/);
  });

  it('rejects c1 ≥ c2', () => {
    expect(() => new StrongWolfe(functions[0]![1], 1, { c1: 0.5, c2: 0.4 })).toThrow(/0 < c1 < c2 < 1/);
  });
});

describe('backtracking Armijo line search', () => {
  for (const [name, objective] of functions) {
    it(`${name}: Armijo holds at the step, and the step before it (α/ρ) fails it`, () => {
      const { f0, slope0 } = start(objective);
      const ls = new BacktrackingArmijo(objective, 1, { c1: 1e-4, shrink: 0.5 });
      const g = new Float64Array(1);
      for (const alpha0 of trials) {
        const ok = ls.search(Float64Array.of(0), Float64Array.of(1), f0, slope0, alpha0, new Float64Array(1), new Float64Array(1));
        expect(ok, ls.message).toBe(true);
        const a = ls.step;
        expect(ls.f).toBeLessThanOrEqual(f0 + 1e-4 * a * slope0);
        if (a < alpha0) expect(objective(Float64Array.of(2 * a), g)).toBeGreaterThan(f0 + 1e-4 * 2 * a * slope0);
        else expect(a).toBe(alpha0);
        expect(ls.evaluations).toBe(Math.round(Math.log2(alpha0 / a)) + 1);
      }
    });
  }

  it('treats a non-finite value as too long a step', () => {
    const logBarrier = oneD((a) => (a < 1 ? -Math.log(1 - a) - a : NaN), (a) => 1 / (1 - a) - 1 - 1);
    const ls = new BacktrackingArmijo(logBarrier, 1);
    expect(ls.search(Float64Array.of(0), Float64Array.of(1), 0, -1, 4, new Float64Array(1), new Float64Array(1))).toBe(true);
    expect(ls.step).toBeLessThan(1);
  });
});
