// Asynchronous SGD with a parameter server, as runtime/distributed/asyncGradient.ts
// runs it: each worker loops pull → compute → push; the server applies gradients one at
// a time in arrival order, and answers a worker with the parameters once its gradient
// is applied (so the worker's next pull reads the version that includes it).
// Staleness of an update = server version when it is applied − version the worker read.
import { SeededRng } from '../../random/seededRng.ts';
import { computeMs, stallMs } from './computeTime.ts';
import { EventQueue } from './eventQueue.ts';
import { Links } from './links.ts';
import type { ClusterModel } from './model.ts';
import { ResourcePool } from './resourcePool.ts';
import type { StalenessRecord } from '../../train/options.ts';
import { StalenessCounter } from '../stalenessCounter.ts';
import { spread, type Spread } from './summary.ts';

export interface AsyncSimulation {
  readonly workers: number;
  /** Examples in each worker's batch. */
  readonly batch: number;
  readonly updates: number;
  /** Updates left out of the statistics at the start. Default 0. */
  readonly warmupUpdates?: number;
}

export interface AsyncPrediction {
  /** Time between consecutive updates at the server. */
  readonly updateIntervalMs: Spread;
  readonly updatesPerSecond: number;
  readonly examplesPerSecond: number;
  /** Staleness of the updates after warm-up, as the trainer records it (no bound here: dropped and held are 0). */
  readonly staleness: StalenessRecord;
  /** Staleness of every update, in the order applied. */
  readonly stalenessByUpdate: readonly number[];
}

export function simulateAsync(cluster: ClusterModel, sim: AsyncSimulation): AsyncPrediction {
  const warmup = sim.warmupUpdates ?? 0;
  if (!(sim.workers >= 1 && Number.isInteger(sim.workers))) throw new RangeError(`simulateAsync needs an integer workers >= 1; got ${sim.workers}.`);
  if (!(sim.updates > warmup + 1)) throw new RangeError(`simulateAsync needs more updates (${sim.updates}) than warm-up updates (${warmup}) + 1.`);

  const events = new EventQueue();
  const links = new Links(cluster.transport);
  const cores = new ResourcePool(cluster.cores ?? Infinity);
  const server = new ResourcePool(1);
  // Stream w of the seed for worker w (successive splits), one jump each rather than w.
  const root = SeededRng.fromSeed(cluster.seed);
  const rngs = Array.from({ length: sim.workers }, () => root.split());
  const staleness: number[] = [];
  const appliedAt: number[] = [];
  /** Updates ordered at the server so far: the version an update is applied to, since they apply one at a time. */
  let ordered = 0;

  const start = (worker: number, version: number, time: number): void => {
    const pulled = links.pull(time);
    // Each shared resource (cores, the server's link) is asked at the time the work starts, so it serves in time order.
    events.at(pulled + stallMs(worker, cluster.straggler), (ready) => {
      const computed = cores.acquire(ready, computeMs(cluster.compute, sim.batch, worker, rngs[worker]!, cluster.straggler));
      events.at(computed, (done) => events.at(links.push(done), (t) => arrive(worker, version, t)));
    });
  };

  const arrive = (worker: number, read: number, time: number): void => {
    if (ordered >= sim.updates) return;
    staleness.push(ordered - read);
    ordered++;
    const version = ordered;
    events.at(server.acquire(time, cluster.server.applyMs), (t) => {
      appliedAt.push(t);
      if (ordered < sim.updates) start(worker, version, t);
    });
  };

  for (let w = 0; w < sim.workers; w++) start(w, 0, 0);
  events.runUntil(() => appliedAt.length >= sim.updates);

  const intervals = appliedAt.slice(warmup + 1).map((t, i) => t - appliedAt[warmup + i]!);
  const elapsed = appliedAt[appliedAt.length - 1]! - appliedAt[warmup]!;
  return {
    updateIntervalMs: spread(intervals),
    updatesPerSecond: (1000 * intervals.length) / elapsed,
    examplesPerSecond: (1000 * intervals.length * sim.batch) / elapsed,
    staleness: counted(staleness.slice(warmup)),
    stalenessByUpdate: staleness,
  };
}

function counted(staleness: readonly number[]): StalenessRecord {
  const counter = new StalenessCounter();
  for (const tau of staleness) counter.applied(tau);
  return counter.record();
}
