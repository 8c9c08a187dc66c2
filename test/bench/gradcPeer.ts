// gradc's peer in the benchmark: the MLP of mlp.ts built with gradc's IR
// builders (784→hidden ReLU→classes, mean softmax cross-entropy over integer
// labels, a symbolic batch dimension), compiled once per config outside the
// timed region. The step calls the generated valueAndGradient kernel; the
// flat layout (W1, b1, W2, b2, row-major) is gradc's own parameter layout, so
// parameters are passed as views made once per params array.

import { compileModel } from '../../compiler/api/compileModel.ts';
import { add, input } from '../../compiler/ir/build.ts';
import { matmul } from '../../compiler/ir/buildTensor.ts';
import { relu, softmaxCrossEntropy } from '../../compiler/frontend/builders/nn.ts';
import type { MlpConfig, StepFn } from './mlp.ts';

type ValueAndGradient = (
  W1: Float64Array, b1: Float64Array, W2: Float64Array, b2: Float64Array,
  X: Float64Array, y: Float64Array, batch: number, gradOut: Float64Array,
) => number;

export async function makeGradcStep(config: MlpConfig): Promise<StepFn | null> {
  const W1 = input('W1', [config.inputs, config.hidden]);
  const b1 = input('b1', [config.hidden]);
  const W2 = input('W2', [config.hidden, config.classes]);
  const b2 = input('b2', [config.classes]);
  const X = input('X', ['batch', config.inputs]);
  const y = input('y', ['batch']);
  const logits = add(matmul(relu(add(matmul(X, W1), b1)), W2), b2);
  const model = compileModel({ inputs: [W1, b1, W2, b2, X, y], loss: softmaxCrossEntropy(logits, y), wrt: [W1, b1, W2, b2] });
  const kernel = model.kernels['valueAndGradient'] as ValueAndGradient;
  const [l1, lb1, l2, lb2] = model.layout as [typeof model.layout[0], typeof model.layout[0], typeof model.layout[0], typeof model.layout[0]];
  let last: Float64Array | null = null;
  let views: Float64Array[] = [];
  return (params, Xs, labels, gradOut) => {
    if (params !== last) {
      views = [l1, lb1, l2, lb2].map((e) => params.subarray(e.offset, e.offset + e.size));
      last = params;
    }
    return kernel(views[0]!, views[1]!, views[2]!, views[3]!, Xs, labels, labels.length, gradOut);
  };
}
