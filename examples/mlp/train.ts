/**
 * Train the digits MLP of mlp.model.ts through its generated module with the
 * runtime's trainer: Adam on batches of 64, a few epochs on the `mnist`
 * package's digits, 20 % held out. (examples/mnist is the full job, with
 * schedules, early stopping and plots.)
 * Run: `npx tsx examples/mlp/train.ts [epochs]`.
 */
import { Adam, batchLoss, classifierMetrics, loadMnist, train, trainValidationSplit, type Dataset } from '../../runtime/index.ts';
import { CLASSES, mlpKernels } from './mlp.ts';

export interface MlpRun {
  readonly before: Record<string, number>;
  readonly after: Record<string, number>;
  readonly steps: number;
}

/** Trains on `trainSet` from a seeded initialization; metrics on `validation` before and after. */
export async function trainMlp(trainSet: Dataset, validation: Dataset, epochs: number, options: { seed?: number; progress?: boolean } = {}): Promise<MlpRun> {
  const seed = options.seed ?? 7;
  const mlp = mlpKernels();
  const params = mlp.init(seed);
  const validate = classifierMetrics(validation, { logits: mlp.logits, classes: CLASSES });
  const before = validate(params);
  const result = await train({
    params,
    examples: trainSet.count,
    loss: batchLoss(trainSet, mlp.valueAndGradient),
    optimizer: new Adam({ lr: 2e-3 }),
    epochs,
    batchSize: 64,
    seed,
    ...(options.progress === false ? { progress: false as const } : {}),
  });
  return { before, after: validate(params), steps: result.steps };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const epochs = Number(process.argv[2] ?? 3);
  const { train: trainSet, validation } = trainValidationSplit(loadMnist(), { validationFraction: 0.2, seed: 7, stratify: true });
  const started = performance.now();
  const run = await trainMlp(trainSet, validation, epochs);
  const seconds = (performance.now() - started) / 1000;
  const pct = (m: Record<string, number>) => `${(100 * m['accuracy']!).toFixed(2)} %`;
  console.log(`784→64→10 MLP from examples/mlp/mlp.grad.ts: ${trainSet.count} training digits, ${validation.count} held out`);
  console.log(`before training: accuracy ${pct(run.before)}, loss ${run.before['loss']!.toFixed(4)}`);
  console.log(`after ${epochs} epochs (${run.steps} Adam steps, ${seconds.toFixed(1)} s): accuracy ${pct(run.after)}, loss ${run.after['loss']!.toFixed(4)}`);
}
