/**
 * Softmax regression on the four Iris measurements: logits = X·W + b, three
 * species. Compiled by `gradc compile` into softmax.grad.ts; `batch` is a
 * named dimension, so any number of flowers works.
 */
import { add, matmul, softmaxCrossEntropy } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

/** The class scores (before softmax) of each flower. */
export function logits(W: Param<Tensor<[4, 3]>>, b: Param<Tensor<[3]>>, X: Tensor<['batch', 4]>): Tensor<['batch', 3]> {
  return add(matmul(X, W), b);
}

/** Mean softmax cross-entropy of the logits against the species 0–2. */
export function loss(W: Param<Tensor<[4, 3]>>, b: Param<Tensor<[3]>>, X: Tensor<['batch', 4]>, labels: Tensor<['batch']>): number {
  return softmaxCrossEntropy(logits(W, b, X), labels);
}
