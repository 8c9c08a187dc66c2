// What a checkpointed scheduler state dict must look like: the live scheduler's
// type and value keys (recursively through SequentialLR's children), with counters
// that are integers, learning rates finite and >= 0, and nothing NaN.
import { z } from 'zod';
import type { SchedulerStateDict } from '../schedule/scheduler.ts';
import { count, expected, finite, finiteNonNegative, integer, notNaN } from './stateSchemas.ts';

/** Rules for the values schedulers share; any other value must be finite. */
const VALUES: Readonly<Record<string, z.ZodType>> = {
  baseLr: finiteNonNegative,
  lastLr: finiteNonNegative,
  lastEpoch: integer(-1),
  stepCount: count,
  numBadEpochs: count,
  cooldownCounter: count,
  // ReduceLROnPlateau's best is ±Infinity until the first metric arrives.
  best: notNaN,
};

/** The schema for a state dict the live scheduler (whose dict is `live`) can load. */
export function schedulerStateSchema(live: SchedulerStateDict): z.ZodType<SchedulerStateDict> {
  const values: Record<string, z.ZodType> = {};
  for (const key of Object.keys(live.values)) values[key] = VALUES[key] ?? finite;
  const shape: Record<string, z.ZodType> = {
    type: expected<string>(`'${live.type}'`, (v) => v === live.type),
    values: z.strictObject(values, { error: 'an object of scheduler values' }),
  };
  const children = live.children;
  if (children !== undefined) {
    shape['children'] = expected<unknown[]>(`an array of ${children.length} scheduler state dicts`, (v) => Array.isArray(v) && v.length === children.length).pipe(
      z.tuple(children.map((c) => schedulerStateSchema(c)) as [z.ZodType, ...z.ZodType[]]),
    );
  }
  return z.strictObject(shape, { error: 'a scheduler state dict (an object)' }) as unknown as z.ZodType<SchedulerStateDict>;
}
