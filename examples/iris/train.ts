// Fisher's Iris flowers: softmax regression and a small MLP, compiled by gradc and
// trained by the runtime's trainer on standardized measurements; a stratified 30 %
// of the flowers is held out for validation.
//
//   npx tsx examples/iris/train.ts
import { add, input } from '../../compiler/ir/build.ts';
import { matmul } from '../../compiler/ir/buildTensor.ts';
import { tanh } from '../../compiler/ir/nn.ts';
import {
  Adam,
  CosineAnnealingLR,
  batchLoss,
  classifierMetrics,
  fitStandardizer,
  loadIris,
  standardize,
  train,
  trainValidationSplit,
  type Metrics,
} from '../../runtime/index.ts';
import { compileClassifier, type ClassifierKernels } from '../mnist/model.ts';

const SEED = 3;

/** logits = X·W + b. */
function softmaxRegression(): ClassifierKernels {
  const W = input('W', [4, 3]);
  const b = input('b', [3]);
  const X = input('X', ['batch', 4]);
  return compileClassifier([W, b], X, add(matmul(X, W), b), 'examples/iris/train.ts');
}

/** logits = tanh(X·W1 + b1)·W2 + b2 with 8 hidden units. */
function mlp(): ClassifierKernels {
  const W1 = input('W1', [4, 8]);
  const b1 = input('b1', [8]);
  const W2 = input('W2', [8, 3]);
  const b2 = input('b2', [3]);
  const X = input('X', ['batch', 4]);
  return compileClassifier([W1, b1, W2, b2], X, add(matmul(tanh(add(matmul(X, W1), b1)), W2), b2), 'examples/iris/train.ts');
}

export async function trainIris(kind: 'softmax regression' | 'MLP', progress = false): Promise<Metrics> {
  const { train: rawTrain, validation: rawValidation } = trainValidationSplit(loadIris(), { validationFraction: 0.3, seed: SEED, stratify: true });
  // Statistics from the training flowers only.
  const scale = fitStandardizer(rawTrain);
  const trainSet = standardize(rawTrain, scale);
  const validation = standardize(rawValidation, scale);
  const model = kind === 'MLP' ? mlp() : softmaxRegression();
  const params = model.init(SEED);
  const optimizer = new Adam({ lr: 0.05 });
  const epochs = 150;
  await train({
    params,
    examples: trainSet.count,
    loss: batchLoss(trainSet, model.valueAndGradient),
    validate: classifierMetrics(validation, { logits: model.logits, classes: 3 }),
    optimizer,
    schedule: new CosineAnnealingLR(optimizer, { TMax: epochs }),
    epochs,
    batchSize: 16,
    seed: SEED,
    progress: progress ? process.stdout : false,
  });
  return classifierMetrics(validation, { logits: model.logits, classes: 3 })(params);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const kind of ['softmax regression', 'MLP'] as const) {
    const m = await trainIris(kind);
    console.log(`${kind}: validation accuracy ${(100 * m['accuracy']!).toFixed(1)}% (loss ${m['loss']!.toFixed(4)}) on 45 held-out flowers`);
  }
}
