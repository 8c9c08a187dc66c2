/**
 * Numerically stable scalar primitives, and the log-gamma family (gammaFunctions.ts). Each has a reference implementation
 * (used by the IR evaluator) and the TypeScript source the emitter copies into
 * a generated module that calls it, so generated code imports nothing. Tests
 * compare the two on the same points, including extremes.
 */

import { GAMMA_HELPER_SOURCE } from './gammaFunctions.ts';

/** σ(x) = 1 / (1 + e^-x), evaluated so that neither branch overflows. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** softplus(x) = log(1 + e^x) = max(x, 0) + log1p(e^-|x|). */
export function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** log Σ e^xᵢ = m + log Σ e^(xᵢ - m) with m = max xᵢ, so no term overflows. */
export function logsumexp(...xs: number[]): number {
  const m = Math.max(...xs);
  if (m === Infinity || m === -Infinity || Number.isNaN(m)) return m;
  let sum = 0;
  for (const x of xs) sum += Math.exp(x - m);
  return m + Math.log(sum);
}

export const HELPER_SOURCE = {
  sigmoid: `function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}`,
  softplus: `function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}`,
  logsumexp: `function logsumexp(...xs: number[]): number {
  const m = Math.max(...xs);
  if (m === Infinity || m === -Infinity || Number.isNaN(m)) return m;
  let sum = 0;
  for (const x of xs) sum += Math.exp(x - m);
  return m + Math.log(sum);
}`,
  ...GAMMA_HELPER_SOURCE,
} as const;

export type HelperName = keyof typeof HELPER_SOURCE;
