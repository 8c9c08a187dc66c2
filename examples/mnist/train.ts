// The main job: an MLP on 10 000 handwritten digits, compiled by gradc and trained
// with Adam, cosine annealing with warm restarts, gradient clipping and early
// stopping; 20 % of the digits are held out for validation.
//
//   npm run demo            (or: npx tsx examples/mnist/train.ts)
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  Adam,
  CosineAnnealingWarmRestarts,
  batchLoss,
  classifierMetrics,
  loadMnist,
  train,
  trainValidationSplit,
} from '../../runtime/index.ts';
import { compileMlp } from './model.ts';

const HIDDEN = Number(process.env['MNIST_HIDDEN'] ?? 64);
const EPOCHS = Number(process.env['MNIST_EPOCHS'] ?? 30);
const BATCH = Number(process.env['MNIST_BATCH'] ?? 64);
const LR = Number(process.env['MNIST_LR'] ?? 2e-3);
const T0 = Number(process.env['MNIST_T0'] ?? 5);
const SEED = 7;
const OUT = join('examples', 'mnist', 'out');

const started = performance.now();
const digits = loadMnist();
const { train: trainSet, validation } = trainValidationSplit(digits, { validationFraction: 0.2, seed: SEED, stratify: true });
console.log(`digits: ${trainSet.count} for training, ${validation.count} held out for validation (28×28 pixels in [0, 1])`);

const compileStart = performance.now();
const mlp = compileMlp(784, HIDDEN, 10);
console.log(`compiled the 784→${HIDDEN}→10 MLP with gradc: ${mlp.size} parameters, ${((performance.now() - compileStart) / 1000).toFixed(1)} s`);

mkdirSync(OUT, { recursive: true });
const params = mlp.init(SEED);
const optimizer = new Adam({ lr: LR });
const result = await train({
  params,
  examples: trainSet.count,
  loss: batchLoss(trainSet, mlp.valueAndGradient),
  validate: classifierMetrics(validation, { logits: mlp.logits, classes: 10 }),
  optimizer,
  schedule: new CosineAnnealingWarmRestarts(optimizer, { T0, TMult: 2, etaMin: LR / 50 }),
  scheduleInterval: 'epoch',
  clip: { maxNorm: 5 },
  earlyStopping: { patience: 5, minDelta: 1e-4, monitor: 'loss' },
  epochs: EPOCHS,
  batchSize: BATCH,
  seed: SEED,
  metricsPath: join(OUT, 'metrics.jsonl'),
  plot: { path: join(OUT, 'mnist-curves'), title: `MNIST digits, 784→${HIDDEN}→10 MLP (gradc + Adam)` },
  progress: process.stdout,
});

const final = classifierMetrics(validation, { logits: mlp.logits, classes: 10 })(params);
console.log(`final validation accuracy: ${(100 * final['accuracy']!).toFixed(2)}% on ${validation.count} held-out digits (loss ${final['loss']!.toFixed(4)})`);
console.log(`${result.history.length} epochs, ${result.steps} steps${result.stoppedEarly ? ', stopped early' : ''}; ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
console.log(`plot: ${result.plot?.pngPath} (and .svg); metrics: ${join(OUT, 'metrics.jsonl')}`);
