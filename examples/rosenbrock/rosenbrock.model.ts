/**
 * The Rosenbrock function, in two forms: the classic 2-D valley the demo
 * minimizes with Adam, and the n-D chain Σ 100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² that
 * the Newton-CG run uses (its Hessian-vector product comes from gradc too).
 * Compiled by `gradc compile` into rosenbrock.grad.ts.
 */
import { add, mul, slice, square, sub, sum } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

/** (1 − x)² + 100 (y − x²)²: a curved valley with its minimum 0 at (1, 1). */
export function rosenbrock(x: Param<number>, y: Param<number>): number {
  return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2;
}

/** Σᵢ 100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)² over 16 coordinates: minimum 0 at (1, …, 1). */
export function rosenbrockN(x: Param<Tensor<[16]>>): number {
  const head = slice(x, 0, 0, 15);
  const tail = slice(x, 0, 1, 16);
  return sum(add(mul(100, square(sub(tail, square(head)))), square(sub(1, head))));
}
