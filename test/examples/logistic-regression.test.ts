/**
 * examples/logistic-regression: the generated module agrees with the eager
 * run of the model file and with finite differences on the Iris data; Newton-CG
 * and L-BFGS reach the same optimum, where the gradient vanishes.
 */
import { describe, expect, it } from 'vitest';
import { accuracy, fit, irisProblem, LAMBDA } from '../../examples/logistic-regression/train.ts';
import { lossFlat, lossLayout, probability, unpackLoss } from '../../examples/logistic-regression/logistic.grad.ts';
import { loss, probability as eagerProbability } from '../../examples/logistic-regression/logistic.model.ts';
import { seededRandom } from '../compiler/gradcheck.ts';
import { checkAgainstEagerAndDifferences, viewAs } from './checkModel.ts';

const problem = irisProblem();
const { train } = problem;
const X = viewAs(train.x, [train.count, 4]);
const y = viewAs(train.y, [train.count]);
const eagerLoss = (x: Float64Array) => {
  const p = unpackLoss(x);
  return loss(viewAs(p.w, [4]), p.b[0]!, X, y, LAMBDA);
};
const random = seededRandom(11);
const point = Float64Array.from({ length: lossLayout.size }, () => 2 * random() - 1);

describe('examples/logistic-regression', () => {
  checkAgainstEagerAndDifferences('loss', () => ({ flat: lossFlat(train.x, train.y, LAMBDA), eager: eagerLoss, x: point, h: 1e-3 }));

  it('probability (a tensor output) equals the eager run, and stays in (0, 1)', () => {
    const { w, b } = unpackLoss(point);
    const compiled = probability(w, b[0]!, train.x);
    const eager = eagerProbability(viewAs(w, [4]), b[0]!, X).data;
    expect(compiled.length).toBe(train.count);
    compiled.forEach((p, i) => {
      expect(p).toBeCloseTo(eager[i]!, 14);
      expect(p > 0 && p < 1).toBe(true);
    });
  });

  it('Newton-CG on the generated HVP and L-BFGS reach the same optimum, where the gradient vanishes', () => {
    const { newtonCG, lbfgs } = fit(problem);
    expect(newtonCG.converged && lbfgs.converged).toBe(true);
    expect(newtonCG.f).toBeCloseTo(lbfgs.f, 10);
    newtonCG.x.forEach((xi, i) => expect(xi).toBeCloseTo(lbfgs.x[i]!, 5));
    const gradient = new Float64Array(lossLayout.size);
    lossFlat(train.x, train.y, LAMBDA).objective(newtonCG.x, gradient);
    for (const g of gradient) expect(Math.abs(g)).toBeLessThan(1e-9);
    expect(newtonCG.f).toBeLessThan(eagerLoss(new Float64Array(lossLayout.size)));
  });

  it('classifies at least 90 % of the held-out flowers', () => {
    expect(accuracy(fit(problem).newtonCG.x, problem.validation)).toBeGreaterThanOrEqual(0.9);
  });
});
