// Fisher's Iris flowers: softmax regression and a small MLP, written as model files
// (softmax.model.ts, mlp.model.ts) whose modules gradc generated (softmax.grad.ts,
// mlp.grad.ts), trained by the runtime's trainer on standardized measurements; a
// stratified 30 % of the flowers is held out for validation.
//
//   npx tsx examples/iris/train.ts
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
import { CLASSES, irisKernels, type IrisModel } from './models.ts';

const SEED = 3;

export async function trainIris(kind: IrisModel, progress = false): Promise<Metrics> {
  const { train: rawTrain, validation: rawValidation } = trainValidationSplit(loadIris(), { validationFraction: 0.3, seed: SEED, stratify: true });
  // Statistics from the training flowers only.
  const scale = fitStandardizer(rawTrain);
  const trainSet = standardize(rawTrain, scale);
  const validation = standardize(rawValidation, scale);
  const model = irisKernels(kind);
  const params = model.init(SEED);
  const optimizer = new Adam({ lr: 0.05 });
  const epochs = 150;
  await train({
    params,
    examples: trainSet.count,
    loss: batchLoss(trainSet, model.valueAndGradient),
    validate: classifierMetrics(validation, { logits: model.logits, classes: CLASSES }),
    optimizer,
    schedule: new CosineAnnealingLR(optimizer, { TMax: epochs }),
    epochs,
    batchSize: 16,
    seed: SEED,
    progress: progress ? process.stdout : false,
  });
  return classifierMetrics(validation, { logits: model.logits, classes: CLASSES })(params);
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  for (const kind of ['softmax regression', 'MLP'] as const) {
    const m = await trainIris(kind);
    console.log(`${kind}: validation accuracy ${(100 * m['accuracy']!).toFixed(1)}% (loss ${m['loss']!.toFixed(4)}) on 45 held-out flowers`);
  }
}
