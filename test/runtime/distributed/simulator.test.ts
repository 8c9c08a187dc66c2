// The discrete-event simulator against closed forms: with deterministic compute times
// every step time, drop count, throughput and staleness is known exactly.
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../runtime/random/seededRng.ts';
import { calibrateCompute, sampleNoise } from '../../../runtime/distributed/simulator/computeTime.ts';
import { FREE_TRANSPORT, type ClusterModel, type TransportModel } from '../../../runtime/distributed/simulator/model.ts';
import { simulateAsync } from '../../../runtime/distributed/simulator/simulateAsync.ts';
import { simulateSync } from '../../../runtime/distributed/simulator/simulateSync.ts';

const transport: TransportModel = { latencyMs: 0.5, bytesPerMs: 1000, parameterBytes: 400, gradientBytes: 300 };
const PULL = 0.5 + 0.4;
const PUSH = 0.5 + 0.3;
const FIXED = 0.2;
const PER_EXAMPLE = 0.05;
const REDUCE = 0.03;
const APPLY = 0.25;

function cluster(extra: Partial<ClusterModel> = {}): ClusterModel {
  return {
    compute: { fixedMs: FIXED, msPerExample: PER_EXAMPLE, noise: { kind: 'deterministic' } },
    transport,
    server: { reduceMs: REDUCE, applyMs: APPLY },
    seed: 3,
    ...extra,
  };
}

describe('simulateSync, deterministic times', () => {
  it.each([1, 2, 4, 16])('N = %i: every step is pull + compute(B/N) + push + N reductions + the update', (n) => {
    const p = simulateSync(cluster(), { workers: n, batch: 256, steps: 20, warmupSteps: 2 });
    const step = PULL + FIXED + (PER_EXAMPLE * 256) / n + PUSH + n * REDUCE + APPLY;
    expect(p.stepMs.mean).toBeCloseTo(step, 10);
    expect(p.stepMs.max).toBeCloseTo(step, 10);
    expect(p.updatesPerSecond).toBeCloseTo(1000 / step, 8);
    expect(p.examplesPerSecond).toBeCloseTo((256 * 1000) / step, 6);
    expect(p.droppedPerStep.every((d) => d === 0)).toBe(true);
  });

  it.each([
    [2, 1],
    [4, 2],
    [8, 3],
  ])('N = %i, b = %i: drops exactly b gradients a step and applies N shards of B/(N + b)', (n, b) => {
    const p = simulateSync(cluster(), { workers: n, backup: b, batch: 264, steps: 12 });
    expect(p.droppedPerStep).toEqual(new Array<number>(12).fill(b));
    const shard = 264 / (n + b);
    const step = PULL + FIXED + PER_EXAMPLE * shard + PUSH + n * REDUCE + APPLY;
    expect(p.stepMs.mean).toBeCloseTo(step, 10);
    expect(p.examplesPerSecond).toBeCloseTo((n * shard * 1000) / step, 6);
  });

  it('a straggler sets the pace with b = 0 and is dropped every time with b = 1', () => {
    const straggler = { worker: 1, extraMs: 40 };
    const slow = simulateSync(cluster({ straggler }), { workers: 2, batch: 256, steps: 10, warmupSteps: 1 });
    expect(slow.stepMs.mean).toBeCloseTo(PULL + FIXED + PER_EXAMPLE * 128 + 40 + PUSH + 2 * REDUCE + APPLY, 10);
    const backed = simulateSync(cluster({ straggler }), { workers: 2, backup: 1, batch: 255, steps: 40, warmupSteps: 1 });
    expect(backed.stepMs.max).toBeCloseTo(PULL + FIXED + PER_EXAMPLE * 85 + PUSH + 2 * REDUCE + APPLY, 10);
    // The straggler finishes a shard every 40-odd ms, long after its step: each of those is dropped, and no other.
    const dropped = backed.droppedPerStep.reduce((a, c) => a + c, 0);
    expect(dropped).toBeGreaterThan(0);
    expect(backed.droppedPerStep.every((d) => d === 0 || d === 1)).toBe(true);
  });

  it('a straggler\'s stall (a sleep) does not hold a core: on 1 core, b = 1 still skips it', () => {
    const straggler = { worker: 1, extraMs: 40 };
    const c = (examples: number): number => FIXED + PER_EXAMPLE * examples;
    const slow = simulateSync(cluster({ straggler, cores: 1 }), { workers: 2, batch: 256, steps: 10, warmupSteps: 1 });
    expect(slow.stepMs.mean).toBeCloseTo(PULL + 40 + c(128) + PUSH + 2 * REDUCE + APPLY, 10);
    const backed = simulateSync(cluster({ straggler, cores: 1 }), { workers: 2, backup: 1, batch: 255, steps: 60, warmupSteps: 1 });
    // The two fast workers take turns on the core; now and then the straggler's shard takes it too, at most one compute
    // more (less the time the core idles between steps, when it may have started).
    const step = PULL + 2 * c(85) + PUSH + 2 * REDUCE + APPLY;
    expect(backed.stepMs.p50).toBeCloseTo(step, 10);
    expect(backed.stepMs.max).toBeGreaterThan(step + 1);
    expect(backed.stepMs.max).toBeLessThanOrEqual(step + c(85) + 1e-9);
    expect(backed.droppedPerStep.reduce((a, d) => a + d, 0)).toBeGreaterThan(0);
  });

  it('4 workers on 2 cores compute in two waves', () => {
    const c = FIXED + PER_EXAMPLE * 64;
    const p = simulateSync(cluster({ cores: 2 }), { workers: 4, batch: 256, steps: 8 });
    expect(p.stepMs.mean).toBeCloseTo(PULL + 2 * c + PUSH + 4 * REDUCE + APPLY, 10);
  });

  it('a shared server link makes N gradients take turns', () => {
    const shared: TransportModel = { latencyMs: 0.5, bytesPerMs: Infinity, serverBytesPerMs: 100, parameterBytes: 0, gradientBytes: 300 };
    const p = simulateSync(cluster({ transport: shared }), { workers: 8, batch: 256, steps: 5 });
    expect(p.stepMs.mean).toBeCloseTo(0.5 + FIXED + PER_EXAMPLE * 32 + 8 * 3 + 0.5 + 8 * REDUCE + APPLY, 10);
  });
});

describe('simulateAsync, deterministic times', () => {
  it.each([1, 2, 4, 8])('N = %i identical workers: staleness exactly N − 1 after the first N updates', (n) => {
    const p = simulateAsync(cluster(), { workers: n, batch: 32, updates: 10 * n + 1, warmupUpdates: 2 * n });
    expect(p.stalenessByUpdate.slice(0, n)).toEqual(Array.from({ length: n }, (_, k) => k));
    expect(p.stalenessByUpdate.slice(n).every((s) => s === n - 1)).toBe(true);
    expect(p.staleness.mean).toBe(n - 1);
    expect(p.staleness.max).toBe(n - 1);
    expect(p.staleness.histogram[n - 1]).toBe(p.staleness.updates);
    // Each worker's cycle is pull + compute + push + its update; the server is idle part of the time.
    const cycle = PULL + FIXED + PER_EXAMPLE * 32 + PUSH + APPLY;
    expect(p.updatesPerSecond).toBeCloseTo((1000 * n) / cycle, 8);
    expect(p.examplesPerSecond).toBeCloseTo((1000 * n * 32) / cycle, 6);
  });

  it('a worker π times slower: every update\'s staleness is the updates applied since its worker read', () => {
    const free: ClusterModel = {
      compute: { fixedMs: 1, msPerExample: 0, noise: { kind: 'deterministic' } },
      transport: FREE_TRANSPORT,
      server: { reduceMs: 0, applyMs: 0 },
      straggler: { worker: 1, factor: Math.PI },
      seed: 1,
    };
    const updates = 400;
    const p = simulateAsync(free, { workers: 2, batch: 8, updates });
    // Reference: worker 0 pushes at 1, 2, 3, …, worker 1 at π, 2π, … (never at the same instant); each reads
    // the version just after its own previous update.
    const times = [...Array.from({ length: updates }, (_, k) => ({ worker: 0, t: k + 1 })), ...Array.from({ length: updates }, (_, k) => ({ worker: 1, t: (k + 1) * Math.PI }))]
      .sort((a, b) => a.t - b.t)
      .slice(0, updates);
    const read = [0, 0];
    const expected = times.map(({ worker }, version) => {
      const tau = version - read[worker]!;
      read[worker] = version + 1;
      return tau;
    });
    expect(p.stalenessByUpdate).toEqual(expected);
    expect(new Set(expected.filter((_, i) => times[i]!.worker === 1).slice(1))).toEqual(new Set([3, 4]));
  });

  it('past the server\'s capacity the update rate is 1 / apply time and staleness is still N − 1', () => {
    const n = 64;
    const p = simulateAsync(cluster(), { workers: n, batch: 32, updates: 20 * n, warmupUpdates: 4 * n });
    expect(p.updatesPerSecond).toBeCloseTo(1000 / APPLY, 6);
    expect(p.updateIntervalMs.max).toBeCloseTo(APPLY, 10);
    expect(p.staleness.mean).toBe(n - 1);
  });
});

describe('noise and calibration', () => {
  it('lognormal and shifted-exponential factors have mean 1', () => {
    const rng = SeededRng.fromSeed(5);
    const draws = 40_000;
    let logSum = 0;
    let expSum = 0;
    let expMin = Infinity;
    for (let i = 0; i < draws; i++) {
      logSum += sampleNoise({ kind: 'lognormal', sigma: 0.3 }, rng);
      const e = sampleNoise({ kind: 'shiftedExponential', shift: 0.7 }, rng);
      expSum += e;
      expMin = Math.min(expMin, e);
    }
    // Standard errors: 0.3/√40000 ≈ 0.0015 and 0.3/√40000 ≈ 0.0015; 4 of them.
    expect(Math.abs(logSum / draws - 1)).toBeLessThan(0.006);
    expect(Math.abs(expSum / draws - 1)).toBeLessThan(0.006);
    expect(expMin).toBeGreaterThanOrEqual(0.7);
  });

  it('calibrateCompute recovers the fixed and per-example cost from two measured steps', () => {
    const m = calibrateCompute([{ batch: 32, ms: 0.2 + 32 * 0.05 }, { batch: 256, ms: 0.2 + 256 * 0.05 }], { kind: 'deterministic' });
    expect(m.fixedMs).toBeCloseTo(0.2, 12);
    expect(m.msPerExample).toBeCloseTo(0.05, 12);
    expect(() => calibrateCompute([{ batch: 32, ms: 5 }, { batch: 256, ms: 1 }], { kind: 'deterministic' })).toThrow(/must be >= 0/);
  });

  it('a seed fixes a noisy run; backup workers cut the mean step under heavy tails', () => {
    const noisy = cluster({ compute: { fixedMs: FIXED, msPerExample: PER_EXAMPLE, noise: { kind: 'shiftedExponential', shift: 0.5 } } });
    const a = simulateSync(noisy, { workers: 16, batch: 1024, steps: 300 });
    const b = simulateSync(noisy, { workers: 16, batch: 1024, steps: 300 });
    expect(a.stepMs).toEqual(b.stepMs);
    const other = simulateSync({ ...noisy, seed: 4 }, { workers: 16, batch: 1024, steps: 300 });
    expect(other.stepMs.mean).not.toBe(a.stepMs.mean);
    const backed = simulateSync(noisy, { workers: 16, backup: 2, batch: 1024, steps: 300 });
    expect(backed.stepMs.mean).toBeLessThan(a.stepMs.mean);
    const async = simulateAsync(noisy, { workers: 16, batch: 64, updates: 3000, warmupUpdates: 100 });
    expect(async.staleness.max).toBeGreaterThan(15);
    expect(async.staleness.mean).toBeGreaterThan(10);
  });

  it('refuses impossible runs with what to pass instead', () => {
    expect(() => simulateSync(cluster(), { workers: 4, backup: 1, batch: 3, steps: 2 })).toThrow(/pass batch >= workers \+ backup/);
    expect(() => simulateAsync(cluster(), { workers: 0, batch: 3, updates: 2 })).toThrow(/integer workers >= 1/);
  });
});
