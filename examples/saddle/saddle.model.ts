/**
 * A saddle between two minima: f(x, y) = x² + y⁴/4 − y²/2. At (0, 0) the gradient
 * is zero and the Hessian diag(2, −1) has a negative eigenvalue: a saddle, f = 0.
 * The minima are (0, ±1), f = −1/4. Near y = 0 the slope along y is −y: small, so
 * gradient descent crawls there, the plateau the notes describe.
 * Compiled by `gradc compile` into saddle.grad.ts.
 */
import type { Param } from 'gradc/prelude';

export function saddle(x: Param<number>, y: Param<number>): number {
  return x ** 2 + y ** 4 / 4 - y ** 2 / 2;
}
