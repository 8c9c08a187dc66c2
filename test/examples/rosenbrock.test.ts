/**
 * examples/rosenbrock: the generated module agrees with the eager run of the
 * model file and with finite differences; the demo reaches the known minima.
 */
import { describe, expect, it } from 'vitest';
import { rosenbrockFlat, rosenbrockNFlat, rosenbrockValueAndGradient } from '../../examples/rosenbrock/rosenbrock.grad.ts';
import { rosenbrock, rosenbrockN } from '../../examples/rosenbrock/rosenbrock.model.ts';
import { newtonCG, train } from '../../examples/rosenbrock/train.ts';
import { seededRandom } from '../compiler/gradcheck.ts';
import { checkAgainstEagerAndDifferences, viewAs } from './checkModel.ts';

describe('examples/rosenbrock', () => {
  checkAgainstEagerAndDifferences('rosenbrock (2-D, scalars)', () => ({
    flat: rosenbrockFlat(),
    eager: (x) => rosenbrock(x[0]!, x[1]!),
    x: Float64Array.from([-1.2, 1]),
    h: 1e-3,
  }));

  checkAgainstEagerAndDifferences('rosenbrockN (16-D, a tensor)', () => {
    const random = seededRandom(3);
    return {
      flat: rosenbrockNFlat(),
      eager: (x) => rosenbrockN(viewAs(x, [16])),
      x: Float64Array.from({ length: 16 }, () => 2 * random() - 1),
      h: 1e-3,
    };
  });

  it('the named and flat functions agree', () => {
    const gradient = new Float64Array(2);
    const value = rosenbrockValueAndGradient(-1.2, 1, gradient);
    const flatGradient = new Float64Array(2);
    expect(rosenbrockFlat().objective(Float64Array.from([-1.2, 1]), flatGradient)).toBe(value);
    expect(flatGradient).toEqual(gradient);
  });

  it('minimizes Rosenbrock from (-1.2, 1) to (1, 1) with Adam and warm restarts', () => {
    const result = train();
    expect(result.loss).toBeLessThan(1e-12);
    expect(Math.hypot(result.x[0]! - 1, result.x[1]! - 1)).toBeLessThan(1e-5);
  });

  it('minimizes the 16-D chain to (1, …, 1) with Newton-CG on the generated Hessian-vector product', () => {
    const result = newtonCG();
    expect(result.converged).toBe(true);
    for (const xi of result.x) expect(xi).toBeCloseTo(1, 8);
  });
});
