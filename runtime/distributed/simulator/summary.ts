// The mean and spread of a simulation's step times. (Staleness is counted by the
// trainer's own StalenessCounter, so a prediction reads like a measured run's record.)

export interface Spread {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly max: number;
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { mean: NaN, p50: NaN, p90: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, p50: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1]! };
}
