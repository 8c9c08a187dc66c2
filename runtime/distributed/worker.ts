// A worker thread of distributed training: loads the generated module, then serves
// jobs until told to stop. It sleeps in Atomics.wait between jobs (no event loop is
// needed: results go out by postMessage, which does not wait for one), computes its
// shard's gradient straight into the job's shared slot, at the shared parameters
// (synchronous) or at the copy the job names (asynchronous), and posts the shard's
// loss; or, for a delay compensation, the shard's Hessian-vector product. An error of
// the model goes back as 'failed' (the run's error); only an injected fault makes the
// thread itself die.
import { parentPort, workerData } from 'node:worker_threads';
import { COMMAND, COMPUTE, HVP, JOB, LENGTH, PARAMS, SEQ, SLOT, VECTOR } from './controlBlock.ts';
import { loadShardKernels, type ShardModelKernels } from './shardLoss.ts';
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
function serve(kernels: ShardModelKernels, seen: number): void {
  const { control, indices } = init;
  const slots = slotViews();
  // Faults count gradient jobs (shards), not the products a compensation asks for.
  for (let jobs = 0; ;) {
    // Until SEQ moves: a wait can return with it unchanged (seen under load, once the
    // asynchronous server's Hessian-vector products were in the mix), and the command
    // words would then repeat the last job.
    while (Atomics.load(control, SEQ) === seen) Atomics.wait(control, SEQ, seen);
    seen = Atomics.load(control, SEQ);
    const command = control[COMMAND];
    if (command !== COMPUTE && command !== HVP) return;
    const job = control[JOB]!;
    const params = control[PARAMS]! < 0 ? init.params : slots[control[PARAMS]!]!;
    const shard = indices.subarray(0, control[LENGTH]);
    if (command === COMPUTE) injectFault(++jobs);
    try {
      if (command === COMPUTE) post({ kind: 'done', job, loss: kernels.loss(params, shard, slots[control[SLOT]!]!) });
      else {
        kernels.hvp(params, shard, slots[control[VECTOR]!]!, slots[control[SLOT]!]!);
        post({ kind: 'done', job, loss: Number.NaN });
      }
    } catch (error) {
      post({ kind: 'failed', job, message: messageOf(error) });
    }
  }
}

/** The shard kernels, or null (reported as 'startFailed') when the module or function cannot be loaded. */
async function start(): Promise<ShardModelKernels | null> {
  try {
    const data = { x: init.x, y: init.y, count: init.count, features: init.features };
    return await loadShardKernels({ module: init.module, function: init.function, data, constants: init.constants });
  } catch (error) {
    post({ kind: 'startFailed', message: messageOf(error) });
    return null;
  }
}

const kernels = await start();
if (kernels !== null) {
  const seen = Atomics.load(init.control, SEQ);
  post({ kind: 'ready' });
  serve(kernels, seen);
}
