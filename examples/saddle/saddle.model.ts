/**
 * A saddle between two minima: f(x, y) = x² + y⁴/4 − y²/2. At (0, 0) the gradient
 * is zero and the Hessian diag(2, −1) has a negative eigenvalue: a saddle, f = 0.
 * The minima are (0, ±1), f = −1/4. Near y = 0 the slope along y is −y: small, so
 * gradient descent crawls there, the plateau the notes describe.
 * Compiled by `gradc compile` into saddle.grad.ts.
 */
import { mean, mul, square, sub } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

export function saddle(x: Param<number>, y: Param<number>): number {
  return x ** 2 + y ** 4 / 4 - y ** 2 / 2;
}

/**
 * The smallest deep network: y ≈ w₂·(w₁·x), one linear unit in each of two layers,
 * with squared loss. The data's best slope is 2 (y = 2x), reached on the hyperbola
 * w₁w₂ = 2; at w = (0, 0) every gradient vanishes and the Hessian has eigenvalues ±2E[xy]:
 * a saddle, the one a small initialization starts next to (Saxe et al. 2014).
 */
export function linearNet(w1: Param<number>, w2: Param<number>, x: Tensor<['batch']>, y: Tensor<['batch']>): number {
  return mean(square(sub(mul(w2, mul(w1, x)), y)));
}
