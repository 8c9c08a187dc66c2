/**
 * An Elman RNN for the adding problem (Hochreiter & Schmidhuber 1997): each
 * step of a sequence carries a value in [0, 1] and a marker (1 on exactly two
 * steps, else 0); the target is the sum of the two marked values, read off the
 * last hidden state. Compiled by `gradc compile` into adding.grad.ts.
 *
 * A batch holds sequences of different lengths, stored step-major and padded
 * at the end: `mask` is 1 on a sequence's own steps and 0 on its padding,
 * where the hidden state is carried unchanged, so every sequence is read up to
 * its own end. The loop runs over the named dimension `time`, so it becomes
 * one scan node whose length is read off X at run time.
 */
import { add, gather, matmul, mean, mul, square, sub, tanh } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

/** The hidden state after each sequence's last step, from `h0`. */
export function finalState(
  Wx: Param<Tensor<[2, 16]>>, Wh: Param<Tensor<[16, 16]>>, b: Param<Tensor<[16]>>,
  X: Tensor<['time', 'batch', 2]>, mask: Tensor<['time', 'batch', 1]>, h0: Tensor<['batch', 16]>,
): Tensor<['batch', 16]> {
  let h = h0;
  for (let t = 0; t < X.shape[0]; t++) {
    const m = gather(mask, t);
    const next = tanh(add(add(matmul(gather(X, t), Wx), matmul(h, Wh)), b));
    h = add(mul(m, next), mul(sub(1, m), h));
  }
  return h;
}

/** The predicted sum of each sequence's two marked values. */
export function predict(
  Wx: Param<Tensor<[2, 16]>>, Wh: Param<Tensor<[16, 16]>>, b: Param<Tensor<[16]>>,
  Wy: Param<Tensor<[16]>>, c: Param<number>,
  X: Tensor<['time', 'batch', 2]>, mask: Tensor<['time', 'batch', 1]>, h0: Tensor<['batch', 16]>,
): Tensor<['batch']> {
  return add(matmul(finalState(Wx, Wh, b, X, mask, h0), Wy), c);
}

/** Mean squared error of the predicted sums. */
export function loss(
  Wx: Param<Tensor<[2, 16]>>, Wh: Param<Tensor<[16, 16]>>, b: Param<Tensor<[16]>>,
  Wy: Param<Tensor<[16]>>, c: Param<number>,
  X: Tensor<['time', 'batch', 2]>, mask: Tensor<['time', 'batch', 1]>, h0: Tensor<['batch', 16]>,
  target: Tensor<['batch']>,
): number {
  return mean(square(sub(predict(Wx, Wh, b, Wy, c, X, mask, h0), target)));
}
