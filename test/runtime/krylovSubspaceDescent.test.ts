// Krylov subspace descent: on a quadratic its first iterate is linear CG's K-th
// iterate (both minimize over the same Krylov subspace, CG by its recurrence, KSD by
// BFGS on the coefficients); it reaches the solution of the 20-D quadratic, the
// maximum-likelihood fit of softmax regression with Fisher products (also with
// the coefficients fitted on a held-out batch), and Rosenbrock-10's minimum with
// Hessian products, which are indefinite on the way.
import { describe, expect, it } from 'vitest';
import { conjugateGradient, minimizeBFGS, minimizeKrylovSubspace } from '../../runtime/index.ts';
import { maxAbsDiff, quadratic, rosenbrock, rosenbrockHvp, rosenbrockStart, solveDense } from './minimize/problems.ts';
import { softmaxFisherProduct, softmaxObjective, softmaxProblem } from './naturalGradientSoftmax.ts';

const n = 20;
const q = quadratic(n);
const xStar = solveDense(q.a, q.b);

describe('minimizeKrylovSubspace', () => {
  it("one iteration on a quadratic lands on linear CG's K-th iterate", () => {
    const x0 = Float64Array.from({ length: n }, (_, i) => Math.sin(i));
    for (const k of [1, 3, 6]) {
      const r = minimizeKrylovSubspace(q.objective, q.hvp, x0, { subspaceDimension: k, maxIter: 1, gradTol: 1e-12, subspaceIterations: 200 });
      expect(r.iterations).toBe(1);
      expect(r.subspaceSize).toBe(k);
      expect(r.curvatureProducts).toBe(k - 1);
      const cg = conjugateGradient((v, out) => q.hvp(x0, v, out), q.b, { x0, maxIter: k, tol: 0 });
      expect(cg.iterations).toBe(k);
      expect(maxAbsDiff(r.x, cg.x)).toBeLessThan(1e-8);
    }
    expect(Array.from(x0)).toEqual(Array.from({ length: n }, (_, i) => Math.sin(i))); // x0 untouched
  });

  it('reaches the 20-D quadratic’s solution with a 5-dimensional subspace (plus the previous step)', () => {
    const r = minimizeKrylovSubspace(q.objective, q.hvp, new Float64Array(n), { subspaceDimension: 5, gradTol: 1e-10 });
    expect(r.status, r.reason).toBe('gradient-tolerance');
    expect(maxAbsDiff(r.x, xStar)).toBeLessThan(1e-9);
    expect(r.subspaceSize).toBe(6);
    expect(r.steps.krylov).toBe(r.iterations);
    expect(r.functionEvaluations).toBe(r.subspaceEvaluations + r.iterations + 1);
  });

  it('reaches Rosenbrock-10’s global minimum with (indefinite) Hessian products', () => {
    const r = minimizeKrylovSubspace(rosenbrock, rosenbrockHvp, rosenbrockStart(10), { subspaceDimension: 4, gradTol: 1e-8 });
    expect(r.status, r.reason).toBe('gradient-tolerance');
    expect(maxAbsDiff(r.x, new Float64Array(10).fill(1))).toBeLessThan(1e-6);
  });

  it('fits softmax regression with Fisher products to the same optimum BFGS finds', () => {
    const prob = softmaxProblem(60, 4, 3, 3);
    const objective = softmaxObjective(prob);
    const m = prob.k * prob.d;
    const r = minimizeKrylovSubspace(objective, softmaxFisherProduct(prob), new Float64Array(m), { subspaceDimension: 4, gradTol: 1e-9 });
    expect(r.status, r.reason).toBe('gradient-tolerance');
    const b = minimizeBFGS(objective, new Float64Array(m), { gradTol: 1e-9 });
    expect(r.f).toBeCloseTo(b.f, 12);
  });

  it('with the coefficients fitted on a held-out batch it still lowers the training loss, to near its optimum', () => {
    const train = softmaxProblem(200, 4, 3, 8);
    const objective = softmaxObjective(train);
    const m = train.k * train.d;
    const g = new Float64Array(m);
    const f0 = objective(new Float64Array(m), g);
    const best = minimizeBFGS(objective, new Float64Array(m), { gradTol: 1e-10 }).f;
    // The held-out batch: the second half of the data (one generating rule for both).
    const half = { ...train, n: 100, x: train.x.subarray(100 * train.d), y: train.y.subarray(100) };
    const r = minimizeKrylovSubspace(objective, softmaxFisherProduct(train), new Float64Array(m), {
      subspaceDimension: 4,
      subspaceObjective: softmaxObjective(half),
      maxIter: 5,
    });
    expect(r.status).toBe('max-iterations');
    expect(r.f).toBeLessThan(f0);
    expect(r.f - best).toBeLessThan(0.05 * (f0 - best));
  });

  it('the callback sees each iteration and can stop the run; maxEval bounds the inner BFGS too', () => {
    const seen: number[] = [];
    const r = minimizeKrylovSubspace(rosenbrock, rosenbrockHvp, rosenbrockStart(10), {
      subspaceDimension: 3,
      callback: (info) => (seen.push(info.f), info.iteration === 2),
    });
    expect(r.status).toBe('callback');
    expect(seen).toHaveLength(2);
    const capped = minimizeKrylovSubspace(rosenbrock, rosenbrockHvp, rosenbrockStart(10), { subspaceDimension: 3, maxEval: 25 });
    expect(capped.status).toBe('max-evaluations');
    expect(capped.functionEvaluations).toBeLessThanOrEqual(25);
  });
});
