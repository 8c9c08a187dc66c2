/**
 * A small perceptron on the four Iris measurements: 4 → 8 tanh units → 3
 * logits. Compiled by `gradc compile` into mlp.grad.ts; `batch` is a named
 * dimension.
 */
import { add, matmul, softmaxCrossEntropy, tanh } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

/** The class scores (before softmax) of each flower. */
export function logits(
  W1: Param<Tensor<[4, 8]>>, b1: Param<Tensor<[8]>>,
  W2: Param<Tensor<[8, 3]>>, b2: Param<Tensor<[3]>>,
  X: Tensor<['batch', 4]>,
): Tensor<['batch', 3]> {
  const hidden = tanh(add(matmul(X, W1), b1));
  return add(matmul(hidden, W2), b2);
}

/** Mean softmax cross-entropy of the logits against the species 0–2. */
export function loss(
  W1: Param<Tensor<[4, 8]>>, b1: Param<Tensor<[8]>>,
  W2: Param<Tensor<[8, 3]>>, b2: Param<Tensor<[3]>>,
  X: Tensor<['batch', 4]>, labels: Tensor<['batch']>,
): number {
  return softmaxCrossEntropy(logits(W1, b1, W2, b2, X), labels);
}
