// How a coordinator reaches its workers: the synchronous one (syncGradient.ts) and
// the asynchronous parameter server (asyncGradient.ts). The coordinator decides
// which worker computes what, at which parameters, and what becomes of the results;
// a transport only moves parameters out, jobs out and results back. Worker threads
// over shared memory implement it (threadTransport.ts), and so does Redis, for
// worker processes on other machines (redis/redisTransport.ts), whose workers join,
// leave and come back while training runs, and whose results are acknowledged once
// a checkpoint holds their update.

/** One shard for one worker: the examples' indices and the gradient slot to write into. */
export interface ShardJob {
  /** Unique per run; results name it. */
  readonly id: number;
  readonly indices: Int32Array;
  /** Index into `SyncTransport.slots`: where the result goes. */
  readonly slot: number;
  /**
   * The slot holding the parameters to read: a copy the coordinator pulled (the
   * asynchronous server, whose parameters change while workers compute). Absent:
   * the published parameters.
   */
  readonly params?: number;
  /** When present, the job is a Hessian-vector product with the vector in this slot (the loss at `params`, over `indices`), not a gradient. */
  readonly hvpOf?: number;
  /** The trainer's step the job is for (sync) or the version of the parameters it reads (async): with the worker, it tags the result. */
  readonly step?: number;
}

export type TransportEvent =
  /** The job's gradient (or product) is in its slot; `loss` is the shard's loss (NaN for a product). */
  | { readonly kind: 'done'; readonly worker: number; readonly job: number; readonly loss: number }
  /** The model threw on the job's shard: an error of the run, as in one process, not of the worker. */
  | { readonly kind: 'failed'; readonly worker: number; readonly job: number; readonly message: string }
  /** The worker is gone (exited, crashed); whatever it was computing will not arrive. */
  | { readonly kind: 'died'; readonly worker: number; readonly reason: string }
  /** A worker (re)joined and is idle: a process that started late, or came back after it was given up. */
  | { readonly kind: 'joined'; readonly worker: number };

export interface SyncTransport {
  /** Workers started, with ids 0 … workerCount − 1. */
  readonly workerCount: number;
  /** Gradient buffers handed out with jobs; a slot is read only after its job is done. */
  readonly slots: readonly Float64Array[];
  /** Makes `params` what the next jobs read (shared memory: nothing to send; a network transport broadcasts). */
  publish(params: Float64Array): void;
  /** Starts `job` on an idle, live worker. */
  assign(worker: number, job: ShardJob): void;
  /** The next result or failure, in the order they happen. */
  next(): Promise<TransportEvent>;
  /** The next event if one has happened already, else null: lets a step start with the workers' latest state. */
  poll(): TransportEvent | null;
  /** Stops every worker; safe to call more than once. */
  close(): Promise<void>;
  /** Workers live when the coordinator starts; absent: all of them. Others come with 'joined' events. */
  readonly initiallyLive?: readonly number[];
  /** True when workers can join later (processes): with none live, a coordinator waits instead of failing. */
  readonly workersMayJoin?: boolean;
  /** The jobs' results have been used in an update (or dropped): a durable transport acknowledges them at the next commit. */
  settled?(jobs: readonly number[]): void;
  /** Acknowledges every settled result: called once their updates are safe (in a checkpoint, or applied when there is none). */
  commit?(): void;
}
