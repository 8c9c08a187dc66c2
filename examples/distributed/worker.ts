/**
 * A worker process of the example's Redis runs: the digits MLP on the example's
 * training split (the same rows as the trainer's: same digits, seed and split),
 * serving jobs until SIGTERM. train.ts starts these on this machine; on other machines,
 * from the repository root:
 *
 *   npx tsx examples/distributed/worker.ts --redis-url redis://host:6379 [--prefix gradc-example]
 */
import { Command } from 'commander';
import { runRedisWorker } from '../../runtime/index.ts';
import { MLP_MODULE } from './digits.ts';
import { digitsSplit } from './split.ts';

const options = new Command('worker')
  .description('serve gradient jobs of examples/distributed/train.ts through Redis')
  .requiredOption('--redis-url <url>', 'the Redis the trainer uses, e.g. redis://10.0.0.5:6379')
  .option('--prefix <prefix>', 'the run\'s key prefix', 'gradc-example')
  .parse()
  .opts<{ redisUrl: string; prefix: string }>();
const abort = new AbortController();
process.on('SIGTERM', () => abort.abort());
process.on('SIGINT', () => abort.abort());
const { train } = digitsSplit();
await runRedisWorker({ url: options.redisUrl, prefix: options.prefix, model: { module: MLP_MODULE, function: 'loss', data: train }, signal: abort.signal });
