// A training server as its own process, for the tests that kill it: the logistic
// regression over Redis, synchronous with a checkpoint after every step, or
// asynchronous on a scripted order with a checkpoint at each epoch's end (the script
// of the epochs still to run, read off the checkpoint it resumes from). Prints
// `checkpoint <step>` as each is written and, at the end, `result <json>` with the
// parameters' bytes (base64) and the distributed report.
import { existsSync } from 'node:fs';
import { Adam, trainDistributed } from '../../../../runtime/index.ts';
import { loadCheckpoint } from '../../../../runtime/train/checkpoint.ts';
import { LAMBDA, LOGISTIC_MODULE, binaryData } from '../fixtures.ts';

export interface ServerArgs {
  readonly url: string;
  readonly prefix: string;
  readonly checkpoint: string;
  readonly count: number;
  readonly seed: number;
  readonly epochs: number;
  /** Async: the workers whose gradients each epoch takes, in order. Absent: sync. */
  readonly epochScript?: readonly number[];
}

const args = JSON.parse(process.argv[2]!) as ServerArgs;
const data = binaryData(args.count, args.seed);
const params = new Float64Array(5);
const model = { module: LOGISTIC_MODULE, function: 'loss', data, constants: [LAMBDA] };
const transport = { kind: 'redis' as const, url: args.url, prefix: args.prefix, minWorkers: 2, heartbeatMs: 2000 };
const resumeEpoch = existsSync(args.checkpoint) ? (loadCheckpoint(args.checkpoint) as { loop: { epoch: number } }).loop.epoch : 0;
const script = args.epochScript === undefined ? undefined : Array.from({ length: args.epochs - resumeEpoch }, () => args.epochScript!).flat();
const result = await trainDistributed({
  params, examples: data.count, optimizer: new Adam({ lr: 0.05 }), epochs: args.epochs, batchSize: 40, seed: 2, progress: false,
  checkpoint: { path: args.checkpoint, ...(script === undefined ? { everySteps: 1 } : {}) },
  callbacks: { onCheckpoint: (_path, step) => void process.stdout.write(`checkpoint ${step}\n`) },
  distributed: script === undefined ? { workers: 2, model, transport } : { mode: 'async', workers: 2, model, transport, async: { script } },
});
const bytes = Buffer.from(params.buffer).toString('base64');
process.stdout.write(`result ${JSON.stringify({ params: bytes, steps: result.steps, resumedFrom: result.resumedFrom, distributed: result.distributed })}\n`);
