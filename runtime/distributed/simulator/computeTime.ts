// Drawing compute times, and fitting the compute model to measured steps.
import type { SeededRng } from '../../random/seededRng.ts';
import type { ComputeModel, ComputeNoise, Straggler } from './model.ts';

/** One draw of the noise factor (mean 1). */
export function sampleNoise(noise: ComputeNoise, rng: SeededRng): number {
  switch (noise.kind) {
    case 'deterministic':
      return 1;
    case 'lognormal':
      return Math.exp(noise.sigma * rng.normal() - (noise.sigma * noise.sigma) / 2);
    case 'shiftedExponential':
      // 1 − u is in (0, 1], so the logarithm is finite.
      return noise.shift + (1 - noise.shift) * -Math.log(1 - rng.float());
  }
}

/** How long worker `worker` computes on `examples` examples, this time (on a core). */
export function computeMs(model: ComputeModel, examples: number, worker: number, rng: SeededRng, straggler?: Straggler): number {
  const base = (model.fixedMs + model.msPerExample * examples) * sampleNoise(model.noise, rng);
  return straggler?.worker === worker ? base * (straggler.factor ?? 1) : base;
}

/** How long worker `worker` waits off the CPU before each job. */
export function stallMs(worker: number, straggler?: Straggler): number {
  return straggler?.worker === worker ? (straggler.extraMs ?? 0) : 0;
}

/** A measured single-worker step: its batch and its time. */
export interface MeasuredStep {
  readonly batch: number;
  readonly ms: number;
}

/**
 * The line through two measured single-worker steps at different batches: the fixed
 * cost of a call (launch, small reductions) and the cost of each example. One measured
 * step alone gives a per-example cost only (fixedMs 0).
 */
export function calibrateCompute(steps: readonly MeasuredStep[], noise: ComputeNoise): ComputeModel {
  if (steps.length === 1) return { fixedMs: 0, msPerExample: steps[0]!.ms / steps[0]!.batch, noise };
  if (steps.length !== 2 || steps[0]!.batch === steps[1]!.batch) {
    throw new RangeError(`calibrateCompute takes one measured step or two at different batches; got ${steps.length} (${steps.map((s) => s.batch).join(', ')}).`);
  }
  const [a, b] = steps as readonly [MeasuredStep, MeasuredStep];
  const msPerExample = (b.ms - a.ms) / (b.batch - a.batch);
  const fixedMs = a.ms - msPerExample * a.batch;
  if (!(msPerExample > 0) || fixedMs < 0) {
    throw new RangeError(`Measured steps ${a.ms} ms at batch ${a.batch} and ${b.ms} ms at batch ${b.batch} give a per-example cost of ${msPerExample} ms and a fixed cost of ${fixedMs} ms; both must be >= 0 (time more steps).`);
  }
  return { fixedMs, msPerExample, noise };
}
