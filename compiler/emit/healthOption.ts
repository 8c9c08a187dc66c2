/**
 * The `health` compile option (`gradc compile --health [saturation]`, `health`
 * in gradc.config.ts, compileModelFile's and loadModelFile's `health`): true,
 * or the threshold below which a tanh or sigmoid derivative counts as
 * saturated. Kept free of the compiler's other stages so the CLI and the config
 * check it before loading them; what a --health build computes is
 * healthStats.ts's.
 */
import { UsageError } from '../errors.ts';

export interface HealthBuildOptions {
  /** A tanh or sigmoid element counts as saturated when its derivative is below this (tanh: |x| > 3.0, sigmoid: |x| > 4.6 at 0.01). Default 0.01. */
  readonly saturation?: number;
}

export const DEFAULT_SATURATION = 0.01;

/** What a --health module's `fHealth()` returns: the generated `GradcHealth` (module/healthSection.ts), for the façades' types. */
export interface GradcHealth {
  readonly saturation: number;
  readonly activations: readonly { readonly site: string; readonly text: string; readonly op: 'tanh' | 'sigmoid' | 'relu'; readonly measure: 'saturated' | 'dead'; readonly fraction: number }[];
  readonly loops: readonly { readonly site: string; readonly text: string; readonly carry: string; readonly gradNorm: Float64Array }[];
}

const saturationProblem = (s: unknown): string | undefined =>
  typeof s === 'number' && Number.isFinite(s) && s > 0 && s < 1
    ? undefined
    : `the saturation threshold must be a number between 0 and 1 (a tanh or sigmoid derivative below it is saturated; default ${DEFAULT_SATURATION}), not ${String(s)}`;

/** Throws a RangeError naming what is wrong with a `health` option. */
export function checkHealthBuildOptions(h: HealthBuildOptions | boolean): void {
  if (typeof h === 'boolean') return;
  if (h === null || typeof h !== 'object') throw new RangeError(`Invalid health option ${String(h)}: it must be true, false or { saturation }.`);
  const problem = h.saturation === undefined ? undefined : saturationProblem(h.saturation);
  if (problem !== undefined) throw new RangeError(`Invalid health.saturation: ${problem}.`);
}

/** `--health` (true) or `--health 0.05` (commander gives the text). */
export function parseHealthFlag(value: true | string): true | HealthBuildOptions {
  if (value === true) return true;
  const saturation = Number(value);
  const problem = value.trim() === '' ? saturationProblem(value) : saturationProblem(saturation);
  if (problem !== undefined) throw new UsageError(`--health: ${problem}; e.g. --health or --health 0.05`);
  return { saturation };
}

export const saturationOf = (h: boolean | HealthBuildOptions): number => (typeof h === 'object' ? h.saturation : undefined) ?? DEFAULT_SATURATION;
