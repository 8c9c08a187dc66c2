// examples/saddle: on x² + y⁴/4 − y²/2 from just off the saddle's attracting line,
// gradient descent stalls at the saddle before it escapes, SGD's noise escapes at
// once, undamped Newton converges to the saddle, and saddle-free Newton escapes to a minimum.
import { describe, expect, it } from 'vitest';
import { gradientDescent, noisySgd, plateauSteps, saddleFreeNewton, undampedNewton } from '../../examples/saddle/saddle.ts';

const end = (r: { path: [number, number][] }) => r.path.at(-1)!;

describe('examples/saddle', () => {
  it('gradient descent crawls past the saddle: tens of steps at it, then a minimum', () => {
    const gd = gradientDescent(200);
    expect(plateauSteps(gd)).toBeGreaterThan(50);
    const [x, y] = end(gd);
    expect(Math.abs(x)).toBeLessThan(1e-6);
    expect(Math.abs(Math.abs(y) - 1)).toBeLessThan(1e-4);
  });

  it("SGD's noise escapes without waiting at the saddle", () => {
    for (const seed of [1, 2, 3]) {
      const sgd = noisySgd(200, seed);
      expect(plateauSteps(sgd)).toBeLessThan(10);
      expect(Math.abs(Math.abs(end(sgd)[1]) - 1)).toBeLessThan(0.1);
    }
  });

  it("undamped Newton is attracted to the saddle; the saddle-free modification escapes to a minimum", () => {
    const newton = undampedNewton(20);
    const [x, y] = end(newton);
    expect(Math.abs(x)).toBeLessThan(1e-12);
    expect(Math.abs(y)).toBeLessThan(1e-12);
    expect(newton.losses.at(-1)).toBeCloseTo(0, 20);
    const free = saddleFreeNewton(50);
    expect(Math.abs(Math.abs(end(free)[1]) - 1)).toBeLessThan(1e-5); // stopped by the gradient tolerance (1e-5)
    expect(free.losses.at(-1)).toBeCloseTo(-0.25, 10);
  });
});
