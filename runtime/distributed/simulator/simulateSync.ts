// Synchronous data-parallel SGD, as runtime/distributed/syncGradient.ts runs it: each
// step cuts its batch into N + b shards queued for the workers; a free worker takes the
// next shard (pull parameters, compute, push the gradient); once N gradients have
// arrived the server sums them (in shard order, reduceMs each), applies the update,
// and the next step begins. Every free worker starts a shard when a step begins
// (the backups are the shards beyond N); during a step a worker that comes free starts
// another only while the arrived and running shards fall short of N. Later gradients
// of a finished step are dropped when they arrive, and its unstarted shards discarded.
import { SeededRng } from '../../random/seededRng.ts';
import { computeMs, stallMs } from './computeTime.ts';
import { EventQueue } from './eventQueue.ts';
import { Links } from './links.ts';
import type { ClusterModel } from './model.ts';
import { ResourcePool } from './resourcePool.ts';
import { spread, type Spread } from './summary.ts';

export interface SyncSimulation {
  /** Gradients a step uses (N). */
  readonly workers: number;
  /** Extra workers (b): N + b start, the first N to arrive are used. */
  readonly backup?: number;
  /** Examples a step's batch has, cut into N + b shards (the trainer's batchSize). */
  readonly batch: number;
  readonly steps: number;
  /** Steps left out of the statistics at the start. Default 0. */
  readonly warmupSteps?: number;
}

export interface SyncPrediction {
  readonly stepMs: Spread;
  readonly updatesPerSecond: number;
  /** Examples whose gradients were applied, per second. */
  readonly examplesPerSecond: number;
  /** Gradients dropped, by the step they were computed for (all steps). */
  readonly droppedPerStep: readonly number[];
  readonly steps: number;
}

interface Round {
  readonly id: number;
  readonly start: number;
  /** Shard sizes not yet taken by a worker. */
  readonly queue: number[];
  arrived: number;
  running: number;
  usedExamples: number;
  done: boolean;
}

export function simulateSync(cluster: ClusterModel, sim: SyncSimulation): SyncPrediction {
  const backup = sim.backup ?? 0;
  const warmup = sim.warmupSteps ?? 0;
  const total = sim.workers + backup;
  if (!(sim.workers >= 1 && Number.isInteger(sim.workers)) || !(backup >= 0 && Number.isInteger(backup))) {
    throw new RangeError(`simulateSync needs an integer workers >= 1 and backup >= 0; got workers ${sim.workers}, backup ${backup}.`);
  }
  if (!(sim.batch >= total)) throw new RangeError(`A batch of ${sim.batch} cannot be cut into ${total} shards; pass batch >= workers + backup.`);
  if (!(sim.steps > warmup)) throw new RangeError(`simulateSync needs more steps (${sim.steps}) than warm-up steps (${warmup}).`);

  const events = new EventQueue();
  const links = new Links(cluster.transport);
  const cores = new ResourcePool(cluster.cores ?? Infinity);
  const server = new ResourcePool(1);
  // Stream w of the seed for worker w (successive splits), one jump each rather than w.
  const root = SeededRng.fromSeed(cluster.seed);
  const rngs = Array.from({ length: total }, () => root.split());
  const free = new Set<number>(Array.from({ length: total }, (_, w) => w));
  const rounds: Round[] = [];
  const dropped: number[] = [];
  const stepEnds: number[] = [];
  const used: number[] = [];

  const shardSizes = (): number[] => {
    const base = Math.floor(sim.batch / total);
    const extra = sim.batch % total;
    return Array.from({ length: total }, (_, s) => base + (s < extra ? 1 : 0));
  };

  const current = (): Round => rounds[rounds.length - 1]!;

  const dispatch = (worker: number, time: number, midStep: boolean): void => {
    const round = current();
    if (round.done || round.queue.length === 0) return;
    if (midStep && round.arrived + round.running >= sim.workers) return;
    const examples = round.queue.shift()!;
    free.delete(worker);
    round.running++;
    const pulled = links.pull(time);
    // Each shared resource (cores, the server's link) is asked at the time the work starts, so it serves in time order.
    events.at(pulled + stallMs(worker, cluster.straggler), (ready) => {
      const computed = cores.acquire(ready, computeMs(cluster.compute, examples, worker, rngs[worker]!, cluster.straggler));
      events.at(computed, (done) => events.at(links.push(done), (t) => arrive(worker, round, examples, t)));
    });
  };

  const arrive = (worker: number, round: Round, examples: number, time: number): void => {
    free.add(worker);
    round.running--;
    if (round.done) dropped[round.id]!++;
    else {
      round.arrived++;
      round.usedExamples += examples;
      if (round.arrived === sim.workers) {
        round.done = true;
        // The trainer sums the N gradients in shard order once all have arrived (so a run is reproducible), then updates.
        events.at(server.acquire(time, sim.workers * cluster.server.reduceMs + cluster.server.applyMs), (t) => endStep(round, t));
      }
    }
    dispatch(worker, time, true);
  };

  const startStep = (time: number): void => {
    rounds.push({ id: rounds.length, start: time, queue: shardSizes(), arrived: 0, running: 0, usedExamples: 0, done: false });
    dropped.push(0);
    for (const worker of [...free].sort((a, b) => a - b)) dispatch(worker, time, false);
  };

  const endStep = (round: Round, time: number): void => {
    stepEnds.push(time);
    used.push(round.usedExamples);
    if (stepEnds.length < sim.steps) startStep(time);
  };

  startStep(0);
  // Run on after the last step so late gradients of the last steps are counted as dropped.
  events.runUntil(() => false);

  const timedSteps = stepEnds.slice(warmup).map((end, i) => end - (warmup + i === 0 ? 0 : stepEnds[warmup + i - 1]!));
  const elapsed = stepEnds[stepEnds.length - 1]! - (warmup === 0 ? 0 : stepEnds[warmup - 1]!);
  const examples = used.slice(warmup).reduce((a, b) => a + b, 0);
  return {
    stepMs: spread(timedSteps),
    updatesPerSecond: (1000 * timedSteps.length) / elapsed,
    examplesPerSecond: (1000 * examples) / elapsed,
    droppedPerStep: dropped,
    steps: stepEnds.length,
  };
}
