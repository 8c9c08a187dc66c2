// Asynchronous SGD with a parameter server, as the trainer's GradientSource: the
// trainer's loop is the server (its optimizer, schedule and clipping apply each
// update), and each of its steps is one update, from whichever worker's gradient the
// server takes next. The trainer shows the source the batches ahead (lookahead
// N − 1), so all N workers compute at once; a worker pulls the parameters (a copy
// into a slot: the server's change while it computes) with their version, computes its
// batch's gradient and pushes it; when that gradient has been applied the worker
// pulls again. Staleness = server version at apply − version read, counted for every
// update. A gradient dropped for the bound, or lost with its worker, has its batch
// recomputed, so every batch of an epoch is applied exactly once by the epoch's end.
import { combineGradients, type Accumulated } from '../train/accumulate.ts';
import type { GradientSource, StepContext } from '../train/gradientSource.ts';
import type { StalenessRecord, TrainUnit } from '../train/options.ts';
import { addCorrection, dcAsgdCorrect, displacement } from './delayCompensation.ts';
import type { AsyncArrival, AsyncOptions, DistributedEvent, DistributedReport } from './options.ts';
import { StalenessCounter } from './stalenessCounter.ts';
import { mayApply, mayStart } from './staleSynchronous.ts';
import type { SyncTransport, TransportEvent } from './transport.ts';
import { ResultCommits, liveAtStart } from './workerPool.ts';

export interface AsyncServerOptions extends AsyncOptions {
  readonly workers: number;
  readonly onEvent?: (event: DistributedEvent) => void;
  /** The run writes checkpoints: results are acknowledged when one is written (else when applied). */
  readonly commitOnCheckpoint?: boolean;
}

/** One batch (a trainer step's group), named by its epoch and starting unit. */
interface Batch {
  readonly epoch: number;
  readonly position: number;
  readonly indices: Int32Array;
}

/** A batch's gradient, from the pull until it is applied, dropped or lost. */
interface Job {
  readonly id: number;
  readonly worker: number;
  readonly batch: Batch;
  readonly readVersion: number;
  /** Slots of the parameters pulled and of the gradient pushed. */
  readonly paramsSlot: number;
  readonly gradSlot: number;
  /** Set when the gradient has arrived. */
  loss: number | null;
}

/** The server's one Hessian-vector product in flight (compensation 'hvp'). */
interface Product {
  readonly id: number;
  readonly worker: number;
  state: 'running' | 'done' | 'lost';
}

/** Slots beyond the workers' two each: w_now − w_read and H·(w_now − w_read). */
export const ASYNC_EXTRA_SLOTS = 2;

export class AsyncParameterServer implements GradientSource {
  readonly lookahead: number;
  /** Batches shown by the trainer and not started, in order; recomputed ones go first. */
  private readonly queue: Batch[] = [];
  /** Each worker's unapplied job (computing, arrived or held); a worker without one is idle. */
  private readonly jobs = new Map<number, Job>();
  /** Arrived gradients not yet taken, in arrival order. */
  private readonly arrived: Job[] = [];
  /** Policy 'wait': gradients taken but not yet allowed, in the order taken. */
  private readonly held: Job[] = [];
  private readonly live: Set<number>;
  private readonly commits: ResultCommits;
  private readonly freeSlots: number[];
  private readonly deltaSlot: number;
  private readonly productSlot: number;
  private product: Product | null = null;
  /** A batch went back to the queue (or a worker joined) since the idle workers were last started. */
  private requeued = false;
  private nextJob = 1;
  private scripted = 0;
  /** The epoch and last position of the batches queued so far. */
  private queuedEpoch = -1;
  private queuedThrough = -1;
  /** Updates applied (the trainer's steps taken), which is the parameters' version. */
  private version = 0;
  private readonly run = new StalenessCounter();
  private readonly epoch = new StalenessCounter();
  private readonly died: number[] = [];

  constructor(
    private readonly transport: SyncTransport,
    private readonly o: AsyncServerOptions,
  ) {
    this.lookahead = o.workers - 1;
    this.live = liveAtStart(transport);
    this.commits = new ResultCommits(transport, o.commitOnCheckpoint === true);
    const slots = transport.slots.length;
    if (slots < 2 * transport.workerCount + ASYNC_EXTRA_SLOTS) throw new Error('Internal error: the asynchronous server needs two slots per worker and two more.');
    this.freeSlots = Array.from({ length: slots - ASYNC_EXTRA_SLOTS }, (_, s) => s);
    this.deltaSlot = slots - 2;
    this.productSlot = slots - 1;
  }

  report(): DistributedReport {
    const staleness = this.run.record();
    return { mode: 'async', workers: this.o.workers, backup: 0, usedGradients: staleness.updates, droppedGradients: staleness.dropped, diedWorkers: [...this.died], staleness };
  }

  committed(): void {
    this.commits.checkpointed();
  }

  epochStaleness(): StalenessRecord {
    const record = this.epoch.record();
    this.epoch.reset();
    return record;
  }

  async gradient(params: Float64Array, units: readonly TrainUnit[], reduction: 'mean' | 'sum', grad: Float64Array, context: StepContext): Promise<Accumulated> {
    // Steps skipped for a non-finite gradient change nothing, so the version is the steps taken.
    this.version = context.step - 1;
    this.commits.stepStarting();
    this.enqueue(context, units);
    for (;;) {
      this.startIdle(params);
      const allowed = this.takeHeld();
      const job = allowed ?? (await this.takeArrival(context));
      // A batch went back to the queue (its worker died): idle workers start it first.
      if (job === null) continue;
      const arrival = this.arrival(job);
      const bound = this.o.bound;
      if (allowed === null && bound !== undefined && bound.policy === 'drop' && arrival.staleness > bound.staleness) {
        this.run.drop();
        this.epoch.drop();
        this.o.onEvent?.({ kind: 'stale', ...arrival });
        this.transport.settled?.([job.id]);
        this.requeue(job);
        continue;
      }
      if (allowed === null && bound !== undefined && bound.policy === 'wait' && !this.allowed(job)) {
        this.run.hold();
        this.epoch.hold();
        this.o.onEvent?.({ kind: 'held', ...arrival });
        this.held.push(job);
        continue;
      }
      const applied = await this.apply(job, arrival, params, reduction, grad, context);
      if (applied !== null) return applied;
    }
  }

  private arrival(job: Job): AsyncArrival {
    return { step: this.version + 1, worker: job.worker, readVersion: job.readVersion, staleness: this.version - job.readVersion };
  }

  /** Queues the step's batch and the ones after it in this epoch that are not queued yet. */
  private enqueue(context: StepContext, units: readonly TrainUnit[]): void {
    if (context.epoch !== this.queuedEpoch) {
      if (this.queue.length > 0 || this.jobs.size > 0) throw new Error('Internal error: an asynchronous epoch ended with gradients unapplied.');
      this.queuedEpoch = context.epoch;
      this.queuedThrough = -1;
    }
    for (const group of [{ position: context.position, units }, ...context.upcoming]) {
      if (group.position <= this.queuedThrough) continue;
      this.queue.push({ epoch: context.epoch, position: group.position, indices: batchIndices(group.units) });
      this.queuedThrough = group.position;
    }
  }

  /** Idle live workers pull the parameters and start the next batches, in worker order (within the bound's rule, for 'wait'). */
  private startIdle(params: Float64Array): void {
    this.requeued = false;
    const bound = this.o.bound;
    for (const worker of [...this.live].sort((a, b) => a - b)) {
      if (this.queue.length === 0) return;
      if (this.jobs.has(worker)) continue;
      if (bound !== undefined && bound.policy === 'wait' && !mayStart(this.jobs.size, bound.staleness)) return;
      const batch = this.queue.shift()!;
      const paramsSlot = this.freeSlots.shift();
      const gradSlot = this.freeSlots.shift();
      if (paramsSlot === undefined || gradSlot === undefined) throw new Error('Internal error: the asynchronous server ran out of slots.');
      // The pull: a copy, since the server updates `params` while the worker computes.
      this.transport.slots[paramsSlot]!.set(params);
      const job: Job = { id: this.nextJob++, worker, batch, readVersion: this.version, paramsSlot, gradSlot, loss: null };
      this.jobs.set(worker, job);
      this.transport.assign(worker, { id: job.id, indices: batch.indices, slot: gradSlot, params: paramsSlot, step: this.version });
    }
  }

  /** The first held gradient the bound now allows, taken off the held list; null if none. */
  private takeHeld(): Job | null {
    const i = this.held.findIndex((job) => this.allowed(job));
    return i < 0 ? null : this.held.splice(i, 1)[0]!;
  }

  private allowed(job: Job): boolean {
    const others: number[] = [];
    for (const other of this.jobs.values()) if (other !== job) others.push(other.readVersion);
    return mayApply(this.version, others, this.o.bound!.staleness);
  }

  /** The next gradient to take: the script's next worker's, else the first to have arrived; waits for it. Null when a batch was requeued meanwhile. */
  private async takeArrival(context: StepContext): Promise<Job | null> {
    for (;;) {
      for (let e = this.transport.poll(); e !== null; e = this.transport.poll()) this.handle(e, context);
      if (this.requeued) {
        this.requeued = false;
        return null;
      }
      const job = this.pick();
      if (job !== null) return job;
      if (this.computing() === 0 && !(this.live.size === 0 && this.transport.workersMayJoin === true)) {
        if (this.live.size === 0) throw new Error(`Distributed training: every worker has died (the last, worker ${this.died.at(-1)}); nothing is left to compute step ${context.step}.`);
        throw new Error(`Internal error: the asynchronous server waits for a gradient at step ${context.step} with none being computed.`);
      }
      this.handle(await this.transport.next(), context);
    }
  }

  private pick(): Job | null {
    const script = this.o.script ?? [];
    if (this.scripted >= script.length) return this.arrived.shift() ?? null;
    const worker = script[this.scripted]!;
    const i = this.arrived.findIndex((job) => job.worker === worker);
    if (i >= 0) {
      this.scripted++;
      return this.arrived.splice(i, 1)[0]!;
    }
    const job = this.jobs.get(worker);
    if (job === undefined || job.loss !== null || !this.live.has(worker)) {
      const why = !this.live.has(worker) ? 'it has died' : job === undefined ? 'it is idle (nothing to compute, or waiting for the bound)' : 'its gradient was taken already and is held';
      throw new Error(`distributed.async.script: entry ${this.scripted} names worker ${worker}, but it has no gradient being computed: ${why}. A script lists the workers whose gradients are taken, in order, each while it computes one.`);
    }
    return null;
  }

  private computing(): number {
    let n = 0;
    for (const job of this.jobs.values()) if (job.loss === null) n++;
    return n;
  }

  private handle(e: TransportEvent, context: StepContext): void {
    if (e.kind === 'failed') {
      const job = this.jobs.get(e.worker);
      const what = this.product?.id === e.job ? 'a Hessian-vector product for the delay compensation' : job === undefined ? 'a batch' : `a batch read at version ${job.readVersion}`;
      throw new Error(`Distributed training: the model failed on worker ${e.worker} (${what}, at step ${context.step}): ${e.message}`);
    }
    if (e.kind === 'died') return this.bury(e.worker, e.reason, context);
    if (e.kind === 'joined') return this.welcome(e.worker, context);
    if (this.product?.id === e.job) {
      this.product.state = 'done';
      this.transport.settled?.([e.job]);
      return;
    }
    const job = this.jobs.get(e.worker);
    if (job === undefined || job.id !== e.job || job.loss !== null) throw new Error(`Internal error: worker ${e.worker} reported job ${e.job}, which it was not computing.`);
    job.loss = e.loss;
    this.arrived.push(job);
  }

  /** A dead worker leaves the pool; the gradient it was computing is lost and its batch recomputed (one that had arrived is kept). */
  private bury(worker: number, reason: string, context: StepContext): void {
    this.live.delete(worker);
    this.died.push(worker);
    const job = this.jobs.get(worker);
    // Computing its gradient, or the product that compensates the one being applied (apply() requeues that one).
    const computing = job !== undefined && job.loss === null;
    const producing = this.product?.worker === worker;
    if (producing) this.product!.state = 'lost';
    if (computing) this.requeue(job);
    this.o.onEvent?.({ kind: 'died', step: context.step, worker, reason, requeuedShard: computing || producing ? 0 : null });
    const left = `${this.live.size} of ${this.transport.workerCount} workers left`;
    const what = computing
      ? `the gradient it was computing (read at version ${job.readVersion}) is lost and its batch goes back to the queue`
      : producing
        ? 'the Hessian-vector product compensating its gradient is lost and its batch goes back to the queue'
        : job !== undefined
          ? 'its gradient had arrived and is kept'
          : 'it had no gradient in flight';
    context.note(`distributed: worker ${worker} died during step ${context.step} (${reason}); ${what}; ${left}`);
  }

  /** A worker that joined (or came back) is idle: the loop starts it on the next batch. */
  private welcome(worker: number, context: StepContext): void {
    if (this.live.has(worker)) return;
    this.live.add(worker);
    this.requeued = true;
    this.o.onEvent?.({ kind: 'joined', step: context.step, worker });
    context.note(`distributed: worker ${worker} joined during step ${context.step}; ${this.live.size} of ${this.transport.workerCount} workers live`);
  }

  /** A batch whose gradient is dropped or lost goes to the front of the queue, to be computed at the current parameters. */
  private requeue(job: Job): void {
    this.release(job);
    this.queue.unshift(job.batch);
    this.requeued = true;
  }

  private release(job: Job): void {
    this.jobs.delete(job.worker);
    this.freeSlots.push(job.paramsSlot, job.gradSlot);
  }

  /** The update from `job`'s gradient, compensated as asked, into `grad`; null if its worker died during the compensation. */
  private async apply(job: Job, arrival: AsyncArrival, params: Float64Array, reduction: 'mean' | 'sum', grad: Float64Array, context: StepContext): Promise<Accumulated | null> {
    const g = this.transport.slots[job.gradSlot]!;
    const wRead = this.transport.slots[job.paramsSlot]!;
    const compensation = this.o.compensation;
    // At staleness 0 the parameters are the ones read and every correction is 0.
    const compensated = compensation !== undefined && arrival.staleness > 0;
    if (compensated && compensation.kind === 'dc') dcAsgdCorrect(g, params, wRead, compensation.lambda);
    if (compensated && compensation.kind === 'hvp') {
      if (!(await this.hessianProduct(job, params, wRead, context))) {
        this.requeue(job);
        return null;
      }
      addCorrection(g, this.transport.slots[this.productSlot]!, compensation.lambda ?? 1);
    }
    const examples = job.batch.indices.length;
    const combined = combineGradients([{ loss: job.loss!, examples, gradient: g }], reduction, grad);
    const lrScale = this.o.stalenessAwareLr === true && arrival.staleness > 1 ? 1 / arrival.staleness : 1;
    this.run.applied(arrival.staleness);
    this.epoch.applied(arrival.staleness);
    this.o.onEvent?.({ kind: 'update', ...arrival, examples, indices: job.batch.indices, lrScale, compensated });
    this.transport.settled?.([job.id]);
    this.release(job);
    return lrScale === 1 ? combined : { ...combined, lrScale };
  }

  /** H(w_read)(w_now − w_read) on the job's batch into the product slot, by the worker that pushed it; false if it died first. */
  private async hessianProduct(job: Job, wNow: Float64Array, wRead: Float64Array, context: StepContext): Promise<boolean> {
    if (!this.live.has(job.worker)) return false;
    displacement(this.transport.slots[this.deltaSlot]!, wNow, wRead);
    const product: Product = { id: this.nextJob++, worker: job.worker, state: 'running' };
    this.product = product;
    this.transport.assign(job.worker, { id: product.id, indices: job.batch.indices, slot: this.productSlot, params: job.paramsSlot, hvpOf: this.deltaSlot });
    while (product.state === 'running') this.handle(await this.transport.next(), context);
    this.product = null;
    return product.state === 'done';
  }
}

/** A group's examples as one batch: the unit's own indices (valid through the epoch), or a copy of several joined. */
function batchIndices(units: readonly TrainUnit[]): Int32Array {
  if (units.length === 1) return units[0]!.indices;
  const joined = new Int32Array(units.reduce((n, u) => n + u.indices.length, 0));
  let at = 0;
  for (const u of units) {
    joined.set(u.indices, at);
    at += u.indices.length;
  }
  return joined;
}
