/**
 * Distributed training of the digits MLP (examples/mlp) from the command line:
 *
 *   npx tsx examples/distributed/train.ts [--mode sync|async|both] [--workers N] [--backup b]
 *       [--transport threads|redis] [--redis-url redis://host:6379] [--epochs E] [--batch B] [--lr η]
 *
 * Prints each run's final validation accuracy and writes, into --out-dir, the
 * validation loss against updates and against wall time of every run
 * (validation-loss.svg/.png) and, for async, the staleness histogram (staleness.svg/.png).
 * With --transport redis and no --redis-url it starts a local redis-server (if one is on
 * the PATH); the worker processes are started here unless --no-local-workers, when
 * workers elsewhere run examples/distributed/worker.ts with the same URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError, Option } from 'commander';
import { startLocalRedis, type LocalRedis, type RedisTransportConfig } from '../../runtime/index.ts';
import { trainDigitsDistributed, type DigitsRun } from './digits.ts';
import { missingRedisServer } from './localRedis.ts';
import { writeCurves, writeStaleness, type LabelledRun } from './plots.ts';
import { digitsSplit } from './split.ts';

interface CliOptions {
  readonly mode: 'sync' | 'async' | 'both';
  readonly workers: number;
  readonly backup: number;
  readonly transport: 'threads' | 'redis';
  readonly redisUrl?: string;
  readonly localWorkers: boolean;
  readonly epochs: number;
  readonly batch: number;
  readonly lr: number;
  readonly seed: number;
  readonly outDir: string;
}

const PREFIX = 'gradc-example';

function integer(min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!(Number.isInteger(n) && n >= min)) throw new InvalidArgumentError(`expected an integer >= ${min}, got '${value}'.`);
    return n;
  };
}

function positive(value: string): number {
  const n = Number(value);
  if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`expected a positive number, got '${value}'.`);
  return n;
}

function parseCli(argv: readonly string[]): CliOptions {
  return new Command('train')
    .description('train the digits MLP with synchronous or asynchronous distributed SGD')
    .addOption(new Option('--mode <mode>', 'sync: N shards of each batch, one update; async: a parameter server; both: one run of each').choices(['sync', 'async', 'both']).default('both'))
    .option('--workers <N>', 'sync: gradients each step waits for; async: workers computing whole batches', integer(1), 2)
    .option('--backup <b>', 'sync (and the sync run of --mode both): backup workers, their late shards dropped (Chen et al. 2016)', integer(0), 0)
    .addOption(new Option('--transport <transport>', 'worker threads of this process, or worker processes through Redis').choices(['threads', 'redis']).default('threads'))
    .option('--redis-url <url>', 'with --transport redis: the Redis to use (default: start a local redis-server on a free loopback port)')
    .option('--no-local-workers', 'with --transport redis: start no worker processes here (run examples/distributed/worker.ts elsewhere)')
    .option('--epochs <E>', 'epochs over the 8 000 training digits', integer(1), 15)
    .option('--batch <B>', 'examples per update (the global batch)', integer(1), 128)
    .option('--lr <lr>', 'Adam\'s learning rate (cosine-annealed to lr/20 over the run)', positive, 3e-3)
    .option('--seed <seed>', 'initialization and shuffling', integer(0), 7)
    .option('--out-dir <dir>', 'where the plots go', join('examples', 'distributed', 'out'))
    .showHelpAfterError()
    .parse([...argv], { from: 'user' })
    .opts<CliOptions>();
}

/** Worker processes of a Redis run on this machine: one per worker the run uses (N + b). */
function startWorkers(count: number, url: string): ChildProcess[] {
  const script = fileURLToPath(new URL('./worker.ts', import.meta.url));
  return Array.from({ length: count }, () =>
    spawn(process.execPath, ['--import', 'tsx', script, '--redis-url', url, '--prefix', PREFIX], { stdio: ['ignore', 'ignore', 'inherit'] }));
}

async function stopWorkers(workers: readonly ChildProcess[]): Promise<void> {
  await Promise.all(workers.map((w) => {
    if (w.exitCode !== null || w.signalCode !== null) return Promise.resolve();
    const exited = new Promise<void>((r) => w.once('exit', () => r()));
    w.kill('SIGTERM');
    return exited;
  }));
}

const runLabel = (mode: 'sync' | 'async', o: CliOptions): string =>
  `${mode}, ${mode === 'sync' ? `N = ${o.workers}, b = ${o.backup}` : `${o.workers} workers`}`;

async function main(o: CliOptions): Promise<void> {
  if (o.transport === 'threads' && (o.redisUrl !== undefined || !o.localWorkers)) {
    throw new InvalidArgumentError('--redis-url and --no-local-workers go with --transport redis.');
  }
  if (o.mode === 'async' && o.backup > 0) {
    throw new InvalidArgumentError('--backup applies to --mode sync (backup workers of a synchronous step); an asynchronous server uses every gradient, so use --workers.');
  }
  if (o.transport === 'redis' && o.redisUrl === undefined) {
    const missing = missingRedisServer();
    if (missing !== null) {
      console.error(missing);
      process.exitCode = 2;
      return;
    }
  }
  const modes: ('sync' | 'async')[] = o.mode === 'both' ? ['sync', 'async'] : [o.mode];
  mkdirSync(o.outDir, { recursive: true });
  const { train: trainSet, validation } = digitsSplit();
  console.log(`digits: ${trainSet.count} for training, ${validation.count} held out; ${o.epochs} epochs, batch ${o.batch}, Adam lr ${o.lr}`);
  const local: LocalRedis | null = o.transport === 'redis' && o.redisUrl === undefined ? await startLocalRedis() : null;
  const url = o.redisUrl ?? local?.url;
  if (local !== null) console.log(`started redis-server at ${local.url} (stopped at the end)`);
  const runs: LabelledRun[] = [];
  try {
    for (const mode of modes) {
      const backup = mode === 'sync' ? o.backup : 0;
      const transport: 'threads' | RedisTransportConfig = o.transport === 'threads' || url === undefined
        ? 'threads'
        // Every worker must have joined before the first step, so the run uses N + b from the start.
        : { kind: 'redis', url, prefix: PREFIX, minWorkers: o.workers + backup };
      const workers = o.transport === 'redis' && o.localWorkers && url !== undefined ? startWorkers(o.workers + backup, url) : [];
      let run: DigitsRun;
      try {
        run = await trainDigitsDistributed(trainSet, validation, {
          mode, workers: o.workers, backup, transport, epochs: o.epochs, batchSize: o.batch, lr: o.lr, seed: o.seed, progress: process.stdout,
        });
      } finally {
        await stopWorkers(workers);
      }
      const label = runLabel(mode, o);
      runs.push({ label, run });
      const d = run.result.distributed;
      console.log(`${label}, ${o.transport}: final validation accuracy ${(100 * run.accuracy).toFixed(2)}% (loss ${run.loss.toFixed(4)}), `
        + `${run.result.steps} updates in ${run.seconds.toFixed(1)} s; gradients used ${d.usedGradients}, dropped ${d.droppedGradients}`);
      if (run.staleness !== null) {
        const s = run.staleness;
        console.log(`  staleness: mean ${s.mean.toFixed(2)}, max ${s.max}; histogram (updates of staleness 0, 1, …) [${s.histogram.join(', ')}]`);
        const files = await writeStaleness(s, o.outDir, `Staleness of the ${s.updates} updates, ${label}, ${o.transport}`);
        console.log(`  plot: ${files.pngPath} (and .svg)`);
      }
    }
  } finally {
    await local?.stop();
  }
  const files = await writeCurves(runs, o.outDir, `Digits MLP (784→64→10), batch ${o.batch}, ${o.transport}: validation loss`);
  console.log(`plot: ${files.pngPath} (and .svg)`);
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  try {
    await main(parseCli(process.argv.slice(2)));
  } catch (error) {
    if (!(error instanceof InvalidArgumentError)) throw error;
    console.error(`error: ${error.message}`);
    process.exitCode = 1;
  }
}
