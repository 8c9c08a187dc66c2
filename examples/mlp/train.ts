/**
 * The main job (`npm run demo`): the digits MLP of mlp.model.ts, through the
 * module `gradc compile` generated from it (the npm script compiles first),
 * trained by the runtime's `train()` on the `mnist` package's 10 000 digits,
 * a stratified 20 % held out: Adam, cosine annealing with warm restarts,
 * gradient clipping at norm 5, batches of 64, early stopping on the
 * validation loss (restoring the best epoch). Metrics and learning curves go
 * to examples/mlp/out/.
 *
 * Run: `npm run demo`, or `npx tsx examples/mlp/train.ts [epochs] [--health]` without the compile step
 * (--health: per-layer gradient norms and update ratios, and the dead-ReLU share from the model file compiled
 * --health, on the progress line, with warnings).
 */
import { mkdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  Adam,
  CosineAnnealingWarmRestarts,
  batchLoss,
  classifierMetrics,
  loadMnist,
  train,
  trainValidationSplit,
  type CompiledHealth,
  type Dataset,
  type Metrics,
  type ProgressStream,
  type TrainResult,
} from '../../runtime/index.ts';
import { lossLayout } from './mlp.grad.ts';
import { CLASSES, INPUTS, mlpKernels, type MlpModule } from './mlp.ts';

export interface MlpRunOptions {
  readonly seed?: number;
  /** Progress output; false for none. Default process.stderr (the trainer's default). */
  readonly progress?: ProgressStream | false;
  /** Write metrics.jsonl and the learning curves (mnist-curves.svg/.png) into this folder. */
  readonly outDir?: string;
  /**
   * Measure gradient health per layer (the trainer's `health` option): on the progress line, in metrics.jsonl,
   * warnings as notes; with the model file compiled --health in this process (loadModelFile), the kernel's own
   * dead-ReLU share too.
   */
  readonly health?: boolean;
}

/** The model file compiled with --health (gradc compile --health, here in memory): the same API, and lossHealth(). */
async function healthBuild(): Promise<MlpModule & { readonly lossHealth: () => CompiledHealth | null }> {
  // The compiler loads only for a --health run.
  const { loadModelFile } = await import('../../compiler/index.ts');
  const path = join(dirname(fileURLToPath(import.meta.url)), 'mlp.model.ts');
  return loadModelFile(relative(process.cwd(), path), { health: true }) as unknown as MlpModule & { readonly lossHealth: () => CompiledHealth | null };
}

export interface MlpRun {
  readonly before: Metrics;
  readonly after: Metrics;
  readonly steps: number;
  readonly result: TrainResult;
}

const LR = 2e-3;

/** Trains on `trainSet` from a seeded initialization for at most `epochs`; metrics on `validation` before and after. */
export async function trainMlp(trainSet: Dataset, validation: Dataset, epochs: number, options: MlpRunOptions = {}): Promise<MlpRun> {
  const seed = options.seed ?? 7;
  const compiled = options.health === true ? await healthBuild() : null;
  const mlp = mlpKernels(compiled ?? undefined);
  const params = mlp.init(seed);
  const validate = classifierMetrics(validation, { logits: mlp.logits, classes: CLASSES });
  const before = validate(params);
  const optimizer = new Adam({ lr: LR });
  const { outDir } = options;
  const result = await train({
    params,
    examples: trainSet.count,
    loss: batchLoss(trainSet, mlp.valueAndGradient),
    validate,
    optimizer,
    schedule: new CosineAnnealingWarmRestarts(optimizer, { T0: 5, TMult: 2, etaMin: LR / 50 }),
    scheduleInterval: 'epoch',
    clip: { maxNorm: 5 },
    earlyStopping: { patience: 5, minDelta: 1e-4, monitor: 'loss' },
    epochs,
    batchSize: 64,
    seed,
    ...(compiled !== null ? { health: { compiled: compiled.lossHealth }, layout: lossLayout } : {}),
    ...(outDir === undefined
      ? {}
      : {
          metricsPath: join(outDir, 'metrics.jsonl'),
          plot: { path: join(outDir, 'mnist-curves'), title: `MNIST digits, ${INPUTS}→64→${CLASSES} MLP from mlp.model.ts (Adam)` },
        }),
    ...(options.progress === undefined ? {} : { progress: options.progress }),
  });
  // Early stopping restored the best epoch's parameters: these metrics are theirs.
  return { before, after: validate(params), steps: result.steps, result };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const started = performance.now();
  const args = process.argv.slice(2);
  const health = args.includes('--health');
  const epochs = Number(args.find((a) => a !== '--health') ?? 30);
  const outDir = join('examples', 'mlp', 'out');
  // The trainer appends to metrics.jsonl (so a resumed run continues it): start this run's afresh.
  mkdirSync(outDir, { recursive: true });
  rmSync(join(outDir, 'metrics.jsonl'), { force: true });
  const { train: trainSet, validation } = trainValidationSplit(loadMnist(), { validationFraction: 0.2, seed: 7, stratify: true });
  console.log(`digits: ${trainSet.count} for training, ${validation.count} held out for validation (28×28 pixels in [0, 1])`);
  console.log(`model: ${INPUTS}→64→${CLASSES} relu MLP, ${mlpKernels().size} parameters, from ${health ? 'examples/mlp/mlp.model.ts compiled --health in memory' : 'the generated examples/mlp/mlp.grad.ts'}`);
  const run = await trainMlp(trainSet, validation, epochs, { progress: process.stdout, outDir, health });
  const { result, after } = run;
  console.log(`final validation accuracy: ${(100 * after['accuracy']!).toFixed(2)}% on ${validation.count} held-out digits (loss ${after['loss']!.toFixed(4)})`);
  console.log(`${result.history.length} epochs, ${result.steps} steps${result.stoppedEarly ? ', stopped early' : ''}; ${((performance.now() - started) / 1000).toFixed(1)} s in all`);
  console.log(`plot: ${result.plot?.pngPath} (and .svg); metrics: ${join(outDir, 'metrics.jsonl')}`);
}
