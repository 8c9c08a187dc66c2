// Synchronous data-parallel SGD as the trainer's GradientSource: each step's examples
// are cut into N + b shards (shards.ts) queued for the workers; the step waits for N
// shard gradients and reduces them in shard order (GradientSum, as accumulation does),
// so with b = 0 a run is the same bit for bit whatever order the workers finish in.
// With b > 0 the first N to arrive are used and the late ones dropped when they come.
// A worker that dies hands its shard back to the queue for the next free worker; one
// that joins (a Redis worker process started late, or back) takes the next shard.
import { combineGradients, type Accumulated, type GradientPart } from '../train/accumulate.ts';
import type { GradientSource, StepContext } from '../train/gradientSource.ts';
import type { TrainUnit } from '../train/options.ts';
import type { DistributedEvent, DistributedReport, ShardArrival } from './options.ts';
import { ShardPlanner } from './shards.ts';
import type { SyncTransport, TransportEvent } from './transport.ts';
import { ResultCommits, liveAtStart } from './workerPool.ts';

export interface SyncOptions {
  /** Gradients a step needs (N). */
  readonly workers: number;
  readonly backup: number;
  readonly onEvent?: (event: DistributedEvent) => void;
  /** The run writes checkpoints: results are acknowledged when one is written (else when applied). */
  readonly commitOnCheckpoint?: boolean;
}

interface Job {
  readonly worker: number;
  readonly round: number;
  /** The trainer's step it was computed for. */
  readonly step: number;
  readonly shard: number;
  readonly examples: number;
  readonly slot: number;
}

interface Arrival extends ShardArrival {
  readonly job: number;
  readonly slot: number;
  readonly loss: number;
}

/** One step's progress: shards not yet started and gradients arrived. */
interface Round {
  readonly id: number;
  readonly context: StepContext;
  readonly shards: readonly Int32Array[];
  readonly needed: number;
  readonly queue: number[];
  readonly arrived: Map<number, Arrival>;
}

export class SyncCoordinator implements GradientSource {
  private readonly planner: ShardPlanner;
  private readonly live: Set<number>;
  private readonly commits: ResultCommits;
  /** Job id by worker, for busy workers. */
  private readonly busy = new Map<number, number>();
  private readonly jobs = new Map<number, Job>();
  private readonly freeSlots: number[];
  private rounds = 0;
  private nextJob = 1;
  private used = 0;
  private dropped = 0;
  private readonly died: number[] = [];

  constructor(
    private readonly transport: SyncTransport,
    private readonly o: SyncOptions,
  ) {
    this.planner = new ShardPlanner(o.workers + o.backup);
    this.live = liveAtStart(transport);
    this.commits = new ResultCommits(transport, o.commitOnCheckpoint === true);
    this.freeSlots = transport.slots.map((_, s) => s);
  }

  report(): DistributedReport {
    return { mode: 'sync', workers: this.o.workers, backup: this.o.backup, usedGradients: this.used, droppedGradients: this.dropped, diedWorkers: [...this.died] };
  }

  committed(): void {
    this.commits.checkpointed();
  }

  async gradient(params: Float64Array, units: readonly TrainUnit[], reduction: 'mean' | 'sum', grad: Float64Array, context: StepContext): Promise<Accumulated> {
    const shards = this.planner.split(units);
    const round: Round = { id: ++this.rounds, context, shards, needed: Math.min(this.o.workers, shards.length), queue: shards.map((_, s) => s), arrived: new Map() };
    this.commits.stepStarting();
    this.transport.publish(params);
    // Results that came in between steps first, so a straggler that has caught up counts as free.
    for (let e = this.transport.poll(); e !== null; e = this.transport.poll()) this.handle(e, round);
    // Every free worker starts a shard at once: the backups are the shards beyond N.
    for (const w of this.idleWorkers()) if (round.queue.length > 0) this.start(w, round);
    while (round.arrived.size < round.needed) {
      this.handle(await this.transport.next(), round);
      this.refill(round);
    }
    return this.reduce(round, reduction, grad);
  }

  /** The N gradients of the round, in shard order; their slots are free again afterwards. */
  private reduce(round: Round, reduction: 'mean' | 'sum', grad: Float64Array): Accumulated {
    const used = [...round.arrived.values()].sort((a, b) => a.shard - b.shard);
    const parts: GradientPart[] = used.map((a) => ({ loss: a.loss, examples: a.examples, gradient: this.transport.slots[a.slot]! }));
    const result = combineGradients(parts, reduction, grad);
    for (const a of used) this.freeSlots.push(a.slot);
    this.transport.settled?.(used.map((a) => a.job));
    this.used += used.length;
    this.o.onEvent?.({ kind: 'applied', step: round.context.step, used: used.map(({ shard, worker, examples }) => ({ shard, worker, examples })) });
    return result;
  }

  private handle(e: TransportEvent, round: Round): void {
    if (e.kind === 'failed') {
      const job = this.jobs.get(e.job);
      throw new Error(`Distributed training: the model failed on worker ${e.worker}${job === undefined ? '' : ` (shard ${job.shard} of step ${job.step})`}: ${e.message}`);
    }
    if (e.kind === 'died') return this.bury(e.worker, e.reason, round);
    if (e.kind === 'joined') return this.welcome(e.worker, round);
    const job = this.finish(e.worker, e.job);
    if (job.round === round.id) {
      round.arrived.set(job.shard, { shard: job.shard, worker: job.worker, job: e.job, examples: job.examples, slot: job.slot, loss: e.loss });
      return;
    }
    this.freeSlots.push(job.slot);
    this.transport.settled?.([e.job]);
    this.dropped++;
    this.o.onEvent?.({ kind: 'dropped', step: job.step, shard: job.shard, worker: job.worker, arrivedDuringStep: round.context.step });
  }

  /** A dead worker leaves the pool; the shard it was computing for this step goes back to the front of the queue. */
  private bury(worker: number, reason: string, round: Round): void {
    this.live.delete(worker);
    this.died.push(worker);
    const id = this.busy.get(worker);
    const job = id === undefined ? undefined : this.finish(worker, id);
    if (job !== undefined) this.freeSlots.push(job.slot);
    const requeued = job !== undefined && job.round === round.id ? job.shard : null;
    if (requeued !== null) round.queue.unshift(requeued);
    const { step } = round.context;
    this.o.onEvent?.({ kind: 'died', step, worker, reason, requeuedShard: requeued });
    const left = `${this.live.size} of ${this.transport.workerCount} workers left`;
    const what = requeued === null ? 'it held no shard of this step' : `its shard ${requeued} goes to the next free worker`;
    round.context.note(`distributed: worker ${worker} died during step ${step} (${reason}); ${what}; ${left}`);
    if (this.live.size === 0 && this.transport.workersMayJoin !== true) throw new Error(`Distributed training: every worker has died (the last, worker ${worker}, ${reason}); nothing is left to compute step ${step}.`);
    if (this.live.size === 0) round.context.note(`distributed: no worker is left; step ${step} waits for one to join`);
  }

  /** A worker that joined (or came back) is idle: refill() gives it the next shard. */
  private welcome(worker: number, round: Round): void {
    if (this.live.has(worker)) return;
    this.live.add(worker);
    this.o.onEvent?.({ kind: 'joined', step: round.context.step, worker });
    round.context.note(`distributed: worker ${worker} joined during step ${round.context.step}; ${this.live.size} of ${this.transport.workerCount} workers live`);
  }

  /** Starts queued shards on free workers while the arrived and running ones fall short of N. */
  private refill(round: Round): void {
    for (const w of this.idleWorkers()) {
      if (round.queue.length === 0 || round.arrived.size + this.running(round) >= round.needed) return;
      this.start(w, round);
    }
  }

  private start(worker: number, round: Round): void {
    const shard = round.queue.shift()!;
    const slot = this.freeSlots.shift();
    if (slot === undefined) throw new Error('Internal error: distributed training ran out of gradient slots.');
    const id = this.nextJob++;
    const indices = round.shards[shard]!;
    this.jobs.set(id, { worker, round: round.id, step: round.context.step, shard, examples: indices.length, slot });
    this.busy.set(worker, id);
    this.transport.assign(worker, { id, indices, slot, step: round.context.step });
  }

  private finish(worker: number, id: number): Job {
    const job = this.jobs.get(id);
    if (job === undefined || job.worker !== worker) throw new Error(`Internal error: worker ${worker} reported job ${id}, which it was not given.`);
    this.jobs.delete(id);
    this.busy.delete(worker);
    return job;
  }

  private running(round: Round): number {
    let n = 0;
    for (const job of this.jobs.values()) if (job.round === round.id) n++;
    return n;
  }

  private idleWorkers(): number[] {
    return [...this.live].filter((w) => !this.busy.has(w)).sort((a, b) => a - b);
  }
}
