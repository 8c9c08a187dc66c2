// A worker thread of synchronous training: loads the generated module, then serves
// jobs until told to stop. It sleeps in Atomics.wait between jobs (no event loop is
// needed: results go out by postMessage, which does not wait for one), computes its
// shard's gradient at the shared parameters straight into the job's shared slot, and
// posts the shard's loss. An error of the model goes back as 'failed' (the run's
// error); only an injected fault makes the thread itself die.
import { parentPort, workerData } from 'node:worker_threads';
import { COMMAND, COMPUTE, JOB, LENGTH, SEQ, SLOT } from './controlBlock.ts';
import { loadShardLoss, type ShardLoss } from './shardLoss.ts';
import type { WorkerInit, WorkerMessage } from './workerInit.ts';

const init = workerData as WorkerInit;
const post = (message: WorkerMessage): void => parentPort!.postMessage(message);
const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** Sleeps without spinning: a wait on a word nobody changes. */
function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function slotViews(): Float64Array[] {
  const n = init.params.length;
  return Array.from({ length: init.slots.length / n }, (_, s) => init.slots.subarray(s * n, (s + 1) * n));
}

/** The injected fault for this worker's `job`-th shard, if any. */
function injectFault(job: number): void {
  const delay = init.inject.delayMs?.[init.id];
  if (delay !== undefined && delay > 0) sleep(delay);
  const crash = init.inject.crash;
  if (crash === undefined || crash.worker !== init.id || crash.job !== job) return;
  if (crash.how === 'exit') process.exit(3);
  throw new Error(`injected fault: worker ${init.id} throws on its shard ${job}`);
}

/** Serves jobs from command `seen` on (read before 'ready' is posted: the first job may be posted the moment it arrives). */
function serve(shardLoss: ShardLoss, seen: number): void {
  const { control, indices, params } = init;
  const slots = slotViews();
  for (let jobs = 1; ; jobs++) {
    Atomics.wait(control, SEQ, seen);
    seen = Atomics.load(control, SEQ);
    if (control[COMMAND] !== COMPUTE) return;
    const job = control[JOB]!;
    injectFault(jobs);
    try {
      const loss = shardLoss(params, indices.subarray(0, control[LENGTH]), slots[control[SLOT]!]!);
      post({ kind: 'done', job, loss });
    } catch (error) {
      post({ kind: 'failed', job, message: messageOf(error) });
    }
  }
}

/** The shard loss, or null (reported as 'startFailed') when the module or function cannot be loaded. */
async function start(): Promise<ShardLoss | null> {
  try {
    const data = { x: init.x, y: init.y, count: init.count, features: init.features };
    return await loadShardLoss({ module: init.module, function: init.function, data, constants: init.constants });
  } catch (error) {
    post({ kind: 'startFailed', message: messageOf(error) });
    return null;
  }
}

const shardLoss = await start();
if (shardLoss !== null) {
  const seen = Atomics.load(init.control, SEQ);
  post({ kind: 'ready' });
  serve(shardLoss, seen);
}
