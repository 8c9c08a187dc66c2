// What a simulation reports: mean and spread of step times, and staleness as the
// distributed trainer reports it (histogram, mean, max).

export interface Spread {
  readonly mean: number;
  readonly p50: number;
  readonly p90: number;
  readonly max: number;
}

export interface StalenessSummary {
  readonly updates: number;
  readonly mean: number;
  readonly max: number;
  /** histogram[τ] = updates applied with staleness τ. */
  readonly histogram: readonly number[];
}

export function spread(values: readonly number[]): Spread {
  if (values.length === 0) return { mean: NaN, p50: NaN, p90: NaN, max: NaN };
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { mean: values.reduce((a, b) => a + b, 0) / values.length, p50: at(0.5), p90: at(0.9), max: sorted[sorted.length - 1]! };
}

export function stalenessSummary(staleness: readonly number[]): StalenessSummary {
  const histogram: number[] = [];
  let max = 0;
  let sum = 0;
  for (const tau of staleness) {
    while (histogram.length <= tau) histogram.push(0);
    histogram[tau]!++;
    max = Math.max(max, tau);
    sum += tau;
  }
  return { updates: staleness.length, mean: staleness.length === 0 ? NaN : sum / staleness.length, max, histogram };
}
