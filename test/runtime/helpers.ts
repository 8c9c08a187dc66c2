// Test problems and a runner shared by the optimizer tests. The reference
// implementations live in each test file, written on plain number arrays straight
// from the published formulas, never through the classes under test.
import { expect } from 'vitest';
import type { Optimizer } from '../../runtime/index.ts';

/** f(θ) = ½ θᵀAθ − bᵀθ with a symmetric positive definite A (coupled coordinates). */
export const A = [
  [4, 1, 0],
  [1, 3, 0.5],
  [0, 0.5, 2],
] as const;
export const b = [1, -2, 0.5] as const;
export const start = [2, -1, 3] as const;

/** ∇f(θ) = Aθ − b. */
export function quadGrad(theta: ArrayLike<number>): number[] {
  return A.map((row, i) => row[0] * theta[0]! + row[1] * theta[1]! + row[2] * theta[2]! - b[i]!);
}

/** One reference update on plain arrays: mutates theta; t counts from 1. */
export type RefStep = (theta: number[], grad: readonly number[], t: number) => void;

/** The iterates θ₁…θ_steps of a reference update on the quadratic. */
export function referenceIterates(step: RefStep, steps = 20, init: readonly number[] = start): number[][] {
  const theta = [...init];
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    step(theta, quadGrad(theta), t);
    out.push([...theta]);
  }
  return out;
}

/** The iterates θ₁…θ_steps of an optimizer on the quadratic (or another gradient). */
export function optimizerIterates(
  opt: Optimizer,
  steps = 20,
  init: readonly number[] = start,
  grad: (theta: Float64Array) => ArrayLike<number> = quadGrad,
): number[][] {
  const theta = Float64Array.from(init);
  const g = new Float64Array(theta.length);
  const out: number[][] = [];
  for (let t = 1; t <= steps; t++) {
    g.set(grad(theta));
    opt.step(theta, g);
    out.push([...theta]);
  }
  return out;
}

/** Every coordinate of every iterate within `tol` (absolute; the values are O(1)). */
export function expectIteratesClose(actual: number[][], expected: number[][], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  actual.forEach((row, k) => {
    expect(row.length).toBe(expected[k]!.length);
    row.forEach((x, i) => {
      const e = expected[k]![i]!;
      expect(Number.isFinite(x)).toBe(true);
      worst = Math.max(worst, Math.abs(x - e));
    });
  });
  expect(worst).toBeLessThanOrEqual(tol);
}

/** The largest coordinate difference between two runs (to show an option matters). */
export function maxDiff(a: number[][], c: number[][]): number {
  let worst = 0;
  a.forEach((row, k) => row.forEach((x, i) => (worst = Math.max(worst, Math.abs(x - c[k]![i]!)))));
  return worst;
}

/** Rosenbrock's function and its gradient; the standard start is (−1.2, 1). */
export function rosenbrock(p: ArrayLike<number>): number {
  const x = p[0]!;
  const y = p[1]!;
  return (1 - x) ** 2 + 100 * (y - x * x) ** 2;
}

export function rosenbrockGrad(p: ArrayLike<number>): number[] {
  const x = p[0]!;
  const y = p[1]!;
  return [-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)];
}
