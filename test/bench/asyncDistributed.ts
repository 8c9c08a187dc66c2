// `npm run bench -- async`: asynchronous SGD with a parameter server on the digits MLP
// (examples/mlp, the generated module), after the same number of updates: plain async
// SGD, the staleness-aware learning rate (lr / τ), DC-ASGD (g + λ g⊙g⊙Δw) and the
// compiled-HVP correction (g + H Δw), with 2 and 4 worker threads, against 1 worker
// (sequential SGD, staleness 0). Two arrival orders: a scripted round robin, where every
// method sees exactly the same staleness (N − 1 in steady state), so differences are the
// method's; and the threads' own order on this shared machine. Validation loss and
// accuracy are medians over seeds (initialization and shuffling).
import os from 'node:os';
import {
  SGD,
  classifierMetrics,
  loadMnist,
  trainDistributed,
  trainValidationSplit,
  type AsyncOptions,
  type Dataset,
} from '../../runtime/index.ts';
import { CLASSES, mlpKernels } from '../../examples/mlp/mlp.ts';
import { loadLine } from './report.ts';

const BATCH = Number(process.env.BENCH_ASYNC_BATCH ?? 32);
const EPOCHS = Number(process.env.BENCH_ASYNC_EPOCHS ?? 1);
/** Learning rates, each a table: a large one, where staleness hurts, and a smaller one. */
const LRS = (process.env.BENCH_ASYNC_LRS ?? '0.2,0.05').split(',').map(Number);
const SEEDS = Number(process.env.BENCH_ASYNC_SEEDS ?? 3);
const WORKERS = [2, 4] as const;

const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

interface Outcome {
  readonly loss: number;
  readonly accuracy: number;
  readonly meanStaleness: number;
  readonly seconds: number;
}

const METHODS: readonly { readonly label: string; readonly async: AsyncOptions }[] = [
  { label: 'plain async', async: {} },
  { label: 'staleness-aware lr', async: { stalenessAwareLr: true } },
  { label: 'DC-ASGD λ = 0.04', async: { compensation: { kind: 'dc', lambda: 0.04 } } },
  { label: 'DC-ASGD λ = 1', async: { compensation: { kind: 'dc', lambda: 1 } } },
  { label: 'HVP correction', async: { compensation: { kind: 'hvp' } } },
  { label: 'HVP correction, λ = 0.25', async: { compensation: { kind: 'hvp', lambda: 0.25 } } },
];

async function run(lr: number, workers: number, async: AsyncOptions, scripted: boolean, seed: number, trainSet: Dataset, validation: Dataset): Promise<Outcome> {
  const mlp = mlpKernels();
  const params = mlp.init(seed);
  const steps = EPOCHS * Math.floor(trainSet.count / BATCH);
  const script = scripted ? Array.from({ length: steps }, (_, k) => k % workers) : undefined;
  const started = performance.now();
  const result = await trainDistributed({
    params, examples: trainSet.count, optimizer: new SGD({ lr }), epochs: EPOCHS, batchSize: BATCH, dropLast: true, seed, progress: false,
    distributed: { mode: 'async', workers, model: { module: 'examples/mlp/mlp.grad.ts', function: 'loss', data: trainSet }, async: { ...async, ...(script === undefined ? {} : { script }) } },
  });
  const seconds = (performance.now() - started) / 1000;
  const m = classifierMetrics(validation, { logits: mlp.logits, classes: CLASSES })(params);
  return { loss: m['loss']!, accuracy: m['accuracy']!, meanStaleness: result.distributed.staleness!.mean, seconds };
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

function cell(outcomes: readonly Outcome[]): string {
  return `${median(outcomes.map((o) => o.loss)).toFixed(4)} / ${(100 * median(outcomes.map((o) => o.accuracy))).toFixed(2)}% (τ̄ ${median(outcomes.map((o) => o.meanStaleness)).toFixed(2)}, ${median(outcomes.map((o) => o.seconds)).toFixed(1)} s)`;
}

export async function asyncDistributedBench(): Promise<void> {
  const started = performance.now();
  const loadAtStart = os.loadavg()[0]!;
  const { train: trainSet, validation } = trainValidationSplit(loadMnist(), { validationFraction: 0.2, seed: 7, stratify: true });
  const updates = EPOCHS * Math.floor(trainSet.count / BATCH);
  log(`async: digits MLP, ${trainSet.count} training examples, batch ${BATCH}, ${updates} updates a run, SGD lr ${LRS.join(' and ')}, ${SEEDS} seeds`);
  const seeds = Array.from({ length: SEEDS }, (_, i) => 11 + i);
  const tables: string[] = [];
  for (const lr of LRS) {
    const sequential: Outcome[] = [];
    for (const seed of seeds) sequential.push(await run(lr, 1, {}, false, seed, trainSet, validation));
    const rows: string[] = [];
    for (const method of METHODS) {
      const cells: string[] = [];
      for (const scripted of [true, false]) {
        for (const workers of WORKERS) {
          log(`  lr ${lr}: ${method.label}, ${workers} workers, ${scripted ? 'round robin' : 'threads\' order'} …`);
          const outcomes: Outcome[] = [];
          for (const seed of seeds) outcomes.push(await run(lr, workers, method.async, scripted, seed, trainSet, validation));
          cells.push(cell(outcomes));
        }
      }
      rows.push(`| ${method.label} | ${cells.join(' | ')} |`);
    }
    tables.push(
      '',
      `SGD lr ${lr}; sequential reference (1 worker, staleness 0): ${cell(sequential)}`,
      '',
      `| method | round robin, ${WORKERS[0]} workers | round robin, ${WORKERS[1]} workers | threads' order, ${WORKERS[0]} workers | threads' order, ${WORKERS[1]} workers |`,
      '| --- | --- | --- | --- | --- |',
      ...rows,
    );
  }
  console.log([
    '',
    `gradc bench — async: asynchronous SGD with a parameter server on the digits MLP (784-64-10, examples/mlp/mlp.grad.ts),`,
    `plain SGD, batch ${BATCH}, ${updates} updates a run (${EPOCHS} epoch${EPOCHS === 1 ? '' : 's'} over ${trainSet.count} digits), validation on ${validation.count};`,
    `each cell: median over ${SEEDS} seeds of validation loss / accuracy (mean staleness τ̄, wall time a run).`,
    `machine: ${os.cpus().length} cores shared with other processes; ${loadLine(loadAtStart)}`,
    ...tables,
    '',
    `total async bench time ${((performance.now() - started) / 1000).toFixed(1)} s`,
  ].join('\n'));
}
