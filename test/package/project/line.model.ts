// A line fitted by least squares: the model file the package test compiles.
import { add, mean, mul, square, sub } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

export function loss(w: Param<number>, b: Param<number>, x: Tensor<['n']>, y: Tensor<['n']>): number {
  const prediction = add(mul(x, w), b);
  return mean(square(sub(prediction, y)));
}
