// The transport over worker_threads on one machine. Parameters, the training set and
// the gradient slots are SharedArrayBuffers every worker maps: per step nothing is
// copied but the shard's example indices (into the worker's control block); results
// come back as small messages, deaths as the thread's 'exit' event.
import { Worker } from 'node:worker_threads';
import { resolve } from 'node:path';
import type { Dataset } from '../data/dataset.ts';
import { AsyncQueue } from './asyncQueue.ts';
import { COMPUTE, CONTROL_WORDS, HVP, STOP, postCommand } from './controlBlock.ts';
import type { FaultInjection } from './options.ts';
import { sharedFloat64, sharedInt32 } from './sharedMemory.ts';
import type { ShardJob, SyncTransport, TransportEvent } from './transport.ts';
import type { WorkerInit, WorkerMessage } from './workerInit.ts';

export interface ThreadTransportOptions {
  readonly workers: number;
  readonly module: string;
  readonly function: string;
  readonly data: Dataset;
  readonly constants?: readonly number[];
  /** The parameters every job reads: must live in shared memory (sharedFloat64). */
  readonly params: Float64Array;
  /** Gradient slots to allocate. */
  readonly slots: number;
  /** Most examples one job can have. */
  readonly maxShard: number;
  readonly inject?: FaultInjection;
}

interface Thread {
  readonly worker: Worker;
  readonly control: Int32Array;
  readonly indices: Int32Array;
  alive: boolean;
  error: Error | null;
}

/**
 * The worker's entry: from the built package (this file is .js) the built worker
 * itself, which needs no loader; from the sources, a plain-JavaScript bootstrap that
 * registers tsx first (a new thread starts without its parent's loader).
 */
export function workerEntry(here: string): URL {
  return here.endsWith('.js') ? new URL('./worker.js', here) : new URL('./workerBootstrap.mjs', here);
}

const ENTRY = workerEntry(import.meta.url);

/** Starts the workers and resolves once every one has loaded the model (or rejects, with all stopped, if one cannot). */
export async function startThreadTransport(o: ThreadTransportOptions): Promise<ThreadTransport> {
  if (!(o.params.buffer instanceof SharedArrayBuffer)) throw new TypeError('The thread transport needs parameters in a SharedArrayBuffer (see sharedFloat64).');
  const n = o.params.length;
  const slots = new Float64Array(new SharedArrayBuffer(o.slots * n * Float64Array.BYTES_PER_ELEMENT));
  const x = sharedFloat64(o.data.x);
  const y = sharedFloat64(o.data.y);
  const threads: Thread[] = [];
  const started: Promise<void>[] = [];
  for (let id = 0; id < o.workers; id++) {
    const init: WorkerInit = {
      id, module: resolve(o.module), function: o.function, constants: o.constants ?? [],
      x, y, count: o.data.count, features: o.data.features, params: o.params, slots,
      control: sharedInt32(CONTROL_WORDS), indices: sharedInt32(o.maxShard), inject: o.inject ?? {},
    };
    const worker = new Worker(ENTRY, { workerData: init });
    threads.push({ worker, control: init.control, indices: init.indices, alive: true, error: null });
    started.push(readiness(worker, id, o.module));
  }
  const transport = new ThreadTransport(threads, slots, n, o.params);
  const outcomes = await Promise.allSettled(started);
  const failed = outcomes.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) {
    await transport.close();
    throw failed.reason;
  }
  return transport;
}

/** Resolves on the worker's 'ready'; rejects on 'startFailed', an error or an exit before it. */
function readiness(worker: Worker, id: number, module: string): Promise<void> {
  return new Promise((resolveReady, reject) => {
    const fail = (why: string): void => reject(new Error(`Distributed training: worker ${id} could not start: ${why}`));
    const onMessage = (m: WorkerMessage): void => {
      if (m.kind === 'ready') resolveReady();
      else if (m.kind === 'startFailed') fail(`loading ${module}: ${m.message}`);
      if (m.kind === 'ready' || m.kind === 'startFailed') off();
    };
    const onError = (e: Error): void => { off(); fail(e.message); };
    // The transport's own 'error' listener is attached already, so no error goes unhandled.
    const onExit = (code: number): void => { off(); fail(`the thread exited with code ${code}`); };
    const off = (): void => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
}

export class ThreadTransport implements SyncTransport {
  readonly slots: readonly Float64Array[];
  private readonly events = new AsyncQueue<TransportEvent>();
  private closing = false;

  constructor(
    private readonly threads: Thread[],
    slotMemory: Float64Array,
    size: number,
    private readonly params: Float64Array,
  ) {
    this.slots = Array.from({ length: slotMemory.length / size }, (_, s) => slotMemory.subarray(s * size, (s + 1) * size));
    this.listen();
  }

  get workerCount(): number {
    return this.threads.length;
  }

  /** Routes each worker's results and its death into the event queue, from its start (a death before the first step is queued too). */
  private listen(): void {
    this.threads.forEach((t, worker) => {
      t.worker.on('message', (m: WorkerMessage) => {
        if (m.kind === 'done') this.events.push({ kind: 'done', worker, job: m.job, loss: m.loss });
        else if (m.kind === 'failed') this.events.push({ kind: 'failed', worker, job: m.job, message: m.message });
      });
      // An uncaught throw raises 'error', then 'exit': the reason names the throw.
      t.worker.on('error', (e) => void (t.error = e));
      t.worker.on('exit', (code) => {
        t.alive = false;
        if (this.closing) return;
        const reason = t.error === null ? `exited with code ${code}` : `threw ${t.error.message}`;
        this.events.push({ kind: 'died', worker, reason });
      });
    });
  }

  publish(params: Float64Array): void {
    // Workers read the shared parameters themselves; anything else would go unseen.
    if (params !== this.params) throw new Error('Internal error: the thread transport was given parameters other than the shared ones it was started with.');
  }

  assign(worker: number, job: ShardJob): void {
    const t = this.threads[worker]!;
    t.indices.set(job.indices);
    const fields = { slot: job.slot, length: job.indices.length, job: job.id, ...(job.params === undefined ? {} : { params: job.params }) };
    if (job.hvpOf === undefined) postCommand(t.control, COMPUTE, fields);
    else postCommand(t.control, HVP, { ...fields, vector: job.hvpOf });
  }

  next(): Promise<TransportEvent> {
    return this.events.next();
  }

  poll(): TransportEvent | null {
    return this.events.poll() ?? null;
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const t of this.threads) if (t.alive) postCommand(t.control, STOP);
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
