/**
 * A multilayer perceptron for 28×28 digits: 784 pixels → 64 relu units → 10
 * logits, trained on softmax cross-entropy. Compiled by `gradc compile` into
 * mlp.grad.ts; `batch` is a named dimension, so any batch size works.
 */
import { add, matmul, relu, softmaxCrossEntropy } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

/** The class scores (before softmax) of each image. */
export function logits(
  W1: Param<Tensor<[784, 64]>>, b1: Param<Tensor<[64]>>,
  W2: Param<Tensor<[64, 10]>>, b2: Param<Tensor<[10]>>,
  X: Tensor<['batch', 784]>,
): Tensor<['batch', 10]> {
  const hidden = relu(add(matmul(X, W1), b1));
  return add(matmul(hidden, W2), b2);
}

/** Mean softmax cross-entropy of the logits against the digit labels 0–9. */
export function loss(
  W1: Param<Tensor<[784, 64]>>, b1: Param<Tensor<[64]>>,
  W2: Param<Tensor<[64, 10]>>, b2: Param<Tensor<[10]>>,
  X: Tensor<['batch', 784]>, labels: Tensor<['batch']>,
): number {
  return softmaxCrossEntropy(logits(W1, b1, W2, b2, X), labels);
}
