// The iteration and evaluation counts on Rosenbrock-2 from (−1.2, 1) with gradTol
// 1e-9 that the README's second-order table quotes. If a change moves them, update
// the README table (section runtime:second-order) with the new numbers.
import { describe, expect, it } from 'vitest';
import {
  LBFGS,
  coordinateDescent,
  minimizeBFGS,
  minimizeCG,
  minimizeLBFGS,
  minimizeNewton,
  minimizeNewtonCG,
  type MinimizeResult,
} from '../../../runtime/index.ts';
import { maxAbsDiff, rosenbrock, rosenbrockHessian, rosenbrockHvp, rosenbrockStart } from './problems.ts';

const x0 = rosenbrockStart(2);
const gradTol = 1e-9;

function counts(r: MinimizeResult): [number, number] {
  expect(r.status, r.reason).toBe('gradient-tolerance');
  expect(maxAbsDiff(r.x, [1, 1])).toBeLessThan(1e-8);
  return [r.iterations, r.functionEvaluations];
}

describe('Rosenbrock-2 counts quoted in the README', () => {
  it('BFGS, L-BFGS, CG, Newton, Newton-CG', () => {
    expect(counts(minimizeBFGS(rosenbrock, x0, { gradTol }))).toEqual([38, 46]);
    expect(counts(minimizeLBFGS(rosenbrock, x0, { gradTol }))).toEqual([37, 46]);
    expect(counts(minimizeCG(rosenbrock, x0, { gradTol, variant: 'fletcher-reeves' }))).toEqual([35, 105]);
    expect(counts(minimizeCG(rosenbrock, x0, { gradTol }))).toEqual([35, 106]);
    const newton = minimizeNewton(rosenbrock, rosenbrockHessian, x0, { gradTol });
    expect([...counts(newton), newton.hessianEvaluations]).toEqual([21, 29, 22]);
    const ncg = minimizeNewtonCG(rosenbrock, rosenbrockHvp, x0, { gradTol });
    expect([...counts(ncg), ncg.hessianVectorProducts, ncg.steps['negative-curvature']]).toEqual([72, 102, 122, 36]);
  });

  it('coordinate descent: partials with exact 1-D Newton steps, and the line-search fallback', () => {
    const g = new Float64Array(2);
    const partial = (x: Float64Array, i: number): number => {
      rosenbrock(x, g);
      return g[i]!;
    };
    const secondPartial = (x: Float64Array, i: number): number => (i === 0 ? 1200 * x[0]! ** 2 - 400 * x[1]! + 2 : 200);
    const cd = coordinateDescent({ partial, secondPartial }, x0, { gradTol, maxIter: 100000 });
    expect(cd.status).toBe('gradient-tolerance');
    expect([cd.iterations, cd.partialEvaluations]).toEqual([7961, 15924]);
    expect(maxAbsDiff(cd.x, [1, 1])).toBeLessThan(1e-8);
    const fallback = coordinateDescent(rosenbrock, x0, { gradTol, maxIter: 100000 });
    expect([fallback.iterations, fallback.functionEvaluations]).toEqual([5582, 11176]);
    expect(maxAbsDiff(fallback.x, [1, 1])).toBeLessThan(1e-8);
  });

  it('the LBFGS class, one step with maxIter 1000', () => {
    const p = x0.slice();
    const opt = new LBFGS(p, { lineSearchFn: 'strong_wolfe', toleranceGrad: gradTol, toleranceChange: 1e-15, maxIter: 1000, maxEval: 2000 });
    opt.step((grad) => rosenbrock(p, grad));
    expect([opt.nIter, opt.funcEvals]).toEqual([37, 45]);
    expect(maxAbsDiff(p, [1, 1])).toBeLessThan(1e-8);
  });
});
