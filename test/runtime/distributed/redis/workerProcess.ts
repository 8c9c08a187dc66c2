// A Redis worker process for the tests: `node --import tsx workerProcess.ts '<json>'`
// with the URL, prefix, id and delay; the data and model are the failure tests'
// logistic regression (the same rows as the server's). Prints what runRedisWorker
// logs, one line each; SIGTERM makes it leave after the job in hand.
import { runRedisWorker } from '../../../../runtime/index.ts';
import { LAMBDA, LOGISTIC_MODULE, binaryData } from '../fixtures.ts';

export interface WorkerArgs {
  readonly url: string;
  readonly prefix: string;
  readonly id?: number;
  readonly delayMs?: number;
  readonly count: number;
  readonly seed: number;
}

const args = JSON.parse(process.argv[2]!) as WorkerArgs;
const abort = new AbortController();
process.on('SIGTERM', () => abort.abort());
const data = binaryData(args.count, args.seed);
await runRedisWorker({
  url: args.url, prefix: args.prefix, model: { module: LOGISTIC_MODULE, function: 'loss', data, constants: [LAMBDA] },
  ...(args.id === undefined ? {} : { id: args.id }), ...(args.delayMs === undefined ? {} : { delayMs: args.delayMs }),
  signal: abort.signal, log: (line) => void process.stdout.write(`${line}\n`),
});
