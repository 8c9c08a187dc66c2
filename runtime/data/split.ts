// Splitting a data set into training and validation parts with a seed, and
// standardizing features with statistics of the training part only (so nothing about
// the validation examples leaks into training).
import { SeededRng } from '../random/seededRng.ts';
import { range, shuffleInPlace } from '../random/shuffle.ts';
import { subset, type Dataset } from './dataset.ts';

export interface SplitOptions {
  /** Fraction of examples held out for validation, in (0, 1). */
  readonly validationFraction: number;
  readonly seed: number;
  /** Keep each class's share the same in both parts (targets are class ids). Default false. */
  readonly stratify?: boolean;
}

export interface Split {
  readonly train: Dataset;
  readonly validation: Dataset;
}

export function trainValidationSplit(data: Dataset, options: SplitOptions): Split {
  const f = options.validationFraction;
  if (!(f > 0 && f < 1)) throw new RangeError(`Invalid validationFraction ${f}; it must be in (0, 1).`);
  const rng = SeededRng.fromSeed(options.seed);
  const groups = options.stratify === true ? byClass(data) : [range(data.count)];
  const train: number[] = [];
  const validation: number[] = [];
  for (const group of groups) {
    shuffleInPlace(group, rng);
    const held = Math.round(f * group.length);
    for (let i = 0; i < group.length; i++) (i < held ? validation : train).push(group[i]!);
  }
  // Each part in a seeded random order, not grouped by class.
  return { train: subset(data, shuffleInPlace(Int32Array.from(train), rng)), validation: subset(data, shuffleInPlace(Int32Array.from(validation), rng)) };
}

function byClass(data: Dataset): Int32Array[] {
  const groups = new Map<number, number[]>();
  for (let i = 0; i < data.count; i++) {
    const c = data.y[i]!;
    let g = groups.get(c);
    if (g === undefined) groups.set(c, (g = []));
    g.push(i);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((c) => Int32Array.from(groups.get(c)!));
}

/** Per-feature mean and standard deviation, fitted on one data set. */
export interface Standardizer {
  readonly mean: Float64Array;
  readonly std: Float64Array;
}

/** Fits a standardizer; a constant feature gets std 1 so that it maps to 0, not NaN. */
export function fitStandardizer(data: Dataset): Standardizer {
  const { features, count, x } = data;
  const mean = new Float64Array(features);
  const std = new Float64Array(features);
  for (let i = 0; i < count; i++) for (let j = 0; j < features; j++) mean[j] += x[i * features + j]!;
  for (let j = 0; j < features; j++) mean[j] /= count;
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < features; j++) {
      const d = x[i * features + j]! - mean[j]!;
      std[j] += d * d;
    }
  }
  for (let j = 0; j < features; j++) {
    const s = Math.sqrt(std[j]! / count);
    std[j] = s > 0 ? s : 1;
  }
  return { mean, std };
}

/** (x − mean) / std for every feature, as a new data set. */
export function standardize(data: Dataset, s: Standardizer): Dataset {
  const { features } = data;
  if (s.mean.length !== features) throw new RangeError(`The standardizer was fitted on ${s.mean.length} features but the data has ${features}.`);
  const x = new Float64Array(data.x.length);
  for (let i = 0; i < x.length; i++) {
    const j = i % features;
    x[i] = (data.x[i]! - s.mean[j]!) / s.std[j]!;
  }
  return { ...data, x };
}
