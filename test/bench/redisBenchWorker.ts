// The worker process of `npm run bench -- redis`: the digits MLP on the bench's
// training split (the same rows as the server's), serving jobs until SIGTERM.
import { loadMnist, runRedisWorker, trainValidationSplit } from '../../runtime/index.ts';

const { url, prefix } = JSON.parse(process.argv[2]!) as { url: string; prefix: string };
const abort = new AbortController();
process.on('SIGTERM', () => abort.abort());
const { train } = trainValidationSplit(loadMnist(), { validationFraction: 0.2, seed: 7, stratify: true });
await runRedisWorker({ url, prefix, model: { module: 'examples/mlp/mlp.grad.ts', function: 'loss', data: train }, signal: abort.signal });
