/**
 * The adding problem trained with and without a curriculum over sequence
 * length: the same RNN (adding.model.ts), data, seed, optimizer and number of
 * epochs; with the curriculum each epoch trains on the shortest fraction of
 * the sequences that the trainer's pacing function admits (difficulty =
 * length), without it on all of them. Validation is on held-out sequences of
 * the longest length. Both learning curves go into one plot.
 *
 * Run: `npx tsx examples/curriculum/train.ts [epochs]`.
 */
import { join } from 'node:path';
import { Adam, CosineAnnealingLR, train, writeLineCharts, type EpochRecord, type PacingOptions } from '../../runtime/index.ts';
import { addingData, addingLoss, addingMse, BASELINE, initAdding, type AddingData } from './adding.ts';

export interface AddingSetup {
  readonly trainSet: AddingData;
  /** Held-out sequences of the longest length: the hard case. */
  readonly validation: AddingData;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  /** Pacing of the curriculum: `linear` from startFraction to all at fullAtEpoch. */
  readonly pacing: PacingOptions;
  readonly seed: number;
}

export function addingSetup(options: { count: number; minLength: number; maxLength: number; validation: number; epochs: number; seed?: number }): AddingSetup {
  const seed = options.seed ?? 1;
  return {
    trainSet: addingData(options.count, options.minLength, options.maxLength, seed),
    validation: addingData(options.validation, options.maxLength, options.maxLength, seed + 1000),
    epochs: options.epochs,
    batchSize: 32,
    lr: 1e-2,
    pacing: { startFraction: 0.1, fullAtEpoch: Math.max(1, Math.floor(options.epochs / 2)) },
    seed,
  };
}

export interface AddingRun {
  readonly history: readonly EpochRecord[];
  /** Longest sequence each epoch trained on. */
  readonly longestSeen: readonly number[];
  readonly steps: number;
  readonly seconds: number;
}

export async function trainAdding(setup: AddingSetup, curriculum: boolean, progress = false): Promise<AddingRun> {
  const { trainSet } = setup;
  const params = initAdding(setup.seed);
  const loss = addingLoss(trainSet);
  const longestSeen: number[] = [];
  const validate = addingMse(setup.validation);
  const optimizer = new Adam({ lr: setup.lr });
  const started = performance.now();
  const result = await train({
    params,
    examples: trainSet.count,
    loss: (p, unit, gradOut) => {
      const longest = unit.indices.reduce((m, i) => Math.max(m, trainSet.lengths[i]!), 0);
      longestSeen[unit.epoch] = Math.max(longestSeen[unit.epoch] ?? 0, longest);
      return loss(p, unit, gradOut);
    },
    validate: (p) => ({ loss: validate(p) }),
    optimizer,
    schedule: new CosineAnnealingLR(optimizer, { TMax: setup.epochs, etaMin: setup.lr / 20 }),
    scheduleInterval: 'epoch',
    clip: { maxNorm: 1 },
    epochs: setup.epochs,
    batchSize: setup.batchSize,
    seed: setup.seed,
    ...(curriculum ? { curriculum: { difficulty: trainSet.lengths, pacing: { kind: 'linear' as const, ...setup.pacing } } } : {}),
    progress: progress ? process.stdout : false,
  });
  return { history: result.history, longestSeen, steps: result.steps, seconds: (performance.now() - started) / 1000 };
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const epochs = Number(process.argv[2] ?? 40);
  const maxLength = Number(process.argv[3] ?? 100);
  const setup = addingSetup({ count: 2000, minLength: 5, maxLength, validation: 500, epochs });
  console.log(`adding problem: ${setup.trainSet.count} training sequences of lengths 5–${maxLength}, ${setup.validation.count} held-out of length ${maxLength}; predicting the mean scores ${BASELINE.toFixed(4)}`);
  const runs: Record<string, AddingRun> = {};
  for (const [name, curriculum] of [['without curriculum', false], ['with curriculum', true]] as const) {
    console.log(`— ${name}`);
    const run = await trainAdding(setup, curriculum, true);
    runs[name] = run;
    const last = run.history.at(-1)!;
    console.log(`${name}: held-out MSE ${last.validation['loss']!.toFixed(4)} after ${last.epoch} epochs, ${run.steps} steps, ${run.seconds.toFixed(1)} s`);
  }
  const series = Object.entries(runs).map(([name, run]) => ({ name, points: run.history.map((r) => [r.epoch, r.validation['loss']!] as const) }));
  const trainSeries = Object.entries(runs).map(([name, run]) => ({ name, points: run.history.map((r) => [r.epoch, r.trainLoss] as const) }));
  const files = await writeLineCharts(
    [
      { title: `held-out MSE, length ${maxLength}`, xLabel: 'epoch', yLabel: 'mean squared error', series, logY: true },
      { title: 'training MSE (admitted sequences)', xLabel: 'epoch', yLabel: 'mean squared error', series: trainSeries, logY: true },
    ],
    join('examples', 'curriculum', 'curves'),
    'Adding problem: Elman RNN from adding.model.ts, with and without a curriculum over length',
  );
  console.log(`plot: ${files.pngPath} (and .svg)`);
  for (const [name, run] of Object.entries(runs)) {
    console.log(`${name}: epoch | longest length trained | train MSE | held-out MSE`);
    for (const r of run.history) console.log(`  ${String(r.epoch).padStart(3)} | ${String(run.longestSeen[r.epoch - 1]).padStart(3)} | ${r.trainLoss.toFixed(4)} | ${r.validation['loss']!.toFixed(4)}`);
  }
}
