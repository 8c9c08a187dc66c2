// A training server as its own process, for the test that kills it: synchronous
// training of the logistic regression over Redis with a checkpoint after every step.
// Prints `checkpoint <step>` as each is written and, at the end, `result <json>` with
// the parameters' bytes (base64) and the distributed report.
import { Adam, trainDistributed } from '../../../../runtime/index.ts';
import { LAMBDA, LOGISTIC_MODULE, binaryData } from '../fixtures.ts';

export interface ServerArgs {
  readonly url: string;
  readonly prefix: string;
  readonly checkpoint: string;
  readonly count: number;
  readonly seed: number;
  readonly epochs: number;
}

const args = JSON.parse(process.argv[2]!) as ServerArgs;
const data = binaryData(args.count, args.seed);
const params = new Float64Array(5);
const result = await trainDistributed({
  params, examples: data.count, optimizer: new Adam({ lr: 0.05 }), epochs: args.epochs, batchSize: 40, seed: 2, progress: false,
  checkpoint: { path: args.checkpoint, everySteps: 1 },
  callbacks: { onCheckpoint: (_path, step) => void process.stdout.write(`checkpoint ${step}\n`) },
  distributed: {
    workers: 2, model: { module: LOGISTIC_MODULE, function: 'loss', data, constants: [LAMBDA] },
    transport: { kind: 'redis', url: args.url, prefix: args.prefix, minWorkers: 2, heartbeatMs: 2000 },
  },
});
const bytes = Buffer.from(params.buffer).toString('base64');
process.stdout.write(`result ${JSON.stringify({ params: bytes, steps: result.steps, resumedFrom: result.resumedFrom, distributed: result.distributed })}\n`);
