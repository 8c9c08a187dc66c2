// examples/saddle: on x² + y⁴/4 − y²/2 from just off the saddle's attracting line, and
// on a two-layer linear network from a small initialization next to its saddle,
// gradient descent waits at the saddle before it escapes, SGD's noise escapes at
// once, undamped Newton converges to the saddle, and saddle-free Newton escapes to a minimum.
import { describe, expect, it } from 'vitest';
import { LINEAR_NET, TWO_MINIMA, gradientDescent, noisySgd, plateauSteps, saddleFreeNewton, undampedNewton, type Run } from '../../examples/saddle/saddle.ts';

const end = (r: Run) => r.path.at(-1)!;

describe('examples/saddle: x² + y⁴/4 − y²/2', () => {
  it('gradient descent crawls past the saddle: tens of steps at it, then a minimum', () => {
    const gd = gradientDescent(TWO_MINIMA, 200);
    expect(plateauSteps(TWO_MINIMA, gd)).toBeGreaterThan(50);
    const [x, y] = end(gd);
    expect(Math.abs(x)).toBeLessThan(1e-6);
    expect(Math.abs(Math.abs(y) - 1)).toBeLessThan(1e-4);
  });

  it("SGD's noise escapes without waiting at the saddle", () => {
    for (const seed of [1, 2, 3]) {
      const sgd = noisySgd(TWO_MINIMA, 200, seed);
      expect(plateauSteps(TWO_MINIMA, sgd)).toBeLessThan(10);
      expect(Math.abs(Math.abs(end(sgd)[1]) - 1)).toBeLessThan(0.1);
    }
  });

  it('undamped Newton is attracted to the saddle; the saddle-free modification escapes to a minimum', () => {
    const newton = undampedNewton(TWO_MINIMA, 20);
    const [x, y] = end(newton);
    expect(Math.abs(x)).toBeLessThan(1e-12);
    expect(Math.abs(y)).toBeLessThan(1e-12);
    expect(newton.losses.at(-1)).toBeCloseTo(0, 20);
    const free = saddleFreeNewton(TWO_MINIMA, 50);
    expect(Math.abs(Math.abs(end(free)[1]) - 1)).toBeLessThan(1e-5); // stopped by the gradient tolerance (1e-5)
    expect(free.losses.at(-1)).toBeCloseTo(-0.25, 10);
  });
});

describe('examples/saddle: a two-layer linear network from a small initialization', () => {
  const product = (r: Run) => end(r)[0] * end(r)[1];

  it('gradient descent waits at the saddle w = 0, then reaches w₁w₂ = 2; SGD leaves it at once', () => {
    const gd = gradientDescent(LINEAR_NET, 200);
    expect(plateauSteps(LINEAR_NET, gd)).toBeGreaterThan(20);
    expect(product(gd)).toBeCloseTo(2, 6);
    const sgd = noisySgd(LINEAR_NET, 200);
    expect(plateauSteps(LINEAR_NET, sgd)).toBeLessThan(plateauSteps(LINEAR_NET, gd) / 4);
    expect(Math.abs(product(sgd) - 2)).toBeLessThan(0.1);
  });

  it('undamped Newton converges to the saddle, saddle-free Newton to the solution', () => {
    const newton = undampedNewton(LINEAR_NET, 20);
    expect(Math.hypot(...end(newton))).toBeLessThan(1e-9);
    expect(newton.losses.at(-1)!).toBeGreaterThan(1); // the loss at w = 0: E[y²] = 4 E[x²]
    const free = saddleFreeNewton(LINEAR_NET, 50);
    expect(product(free)).toBeCloseTo(2, 5);
  });
});
