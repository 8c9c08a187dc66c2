/**
 * L2-regularized logistic regression: the negative log-likelihood of labels
 * y ∈ {0, 1} under P(y = 1 | x) = σ(x·w + b), averaged over the batch.
 * Compiled by `gradc compile` into logistic.grad.ts.
 */
import { add, matmul, mean, mul, sigmoid, softplus, square, sub, sum } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

/** The logit x·w + b of each row. */
function logit(w: Tensor<[4]>, b: number, X: Tensor<['batch', 4]>): Tensor<['batch']> {
  return add(matmul(X, w), b);
}

/**
 * mean(softplus(z) − y·z) + (λ/2)‖w‖², z = Xw + b: −log σ(z) for y = 1 and
 * −log(1 − σ(z)) for y = 0, written with softplus so it never overflows.
 */
export function loss(w: Param<Tensor<[4]>>, b: Param<number>, X: Tensor<['batch', 4]>, y: Tensor<['batch']>, lambda: number): number {
  const z = logit(w, b, X);
  return mean(sub(softplus(z), mul(y, z))) + 0.5 * lambda * sum(square(w));
}

/** P(y = 1 | x) for each row. */
export function probability(w: Param<Tensor<[4]>>, b: Param<number>, X: Tensor<['batch', 4]>): Tensor<['batch']> {
  return sigmoid(logit(w, b, X));
}
