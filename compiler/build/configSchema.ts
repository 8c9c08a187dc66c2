/**
 * What `gradc.config.ts` may say. Strict: an unknown key is an error (a
 * misspelt `outdir` silently ignored would write files to the wrong place).
 */
import { z } from 'zod';
import { MODULE_KINDS, parseEmit } from '../module/emitSpec.ts';
import type { EmitSpec } from '../module/emitSpec.ts';

const name = z.string().regex(/^[A-Za-z_$][\w$]*$/, 'must be a parameter name');

export const configSchema = z.strictObject({
  /** Model files to compile: paths or globs, relative to the working folder (where gradc looks for this file). */
  inputs: z.array(z.string().min(1)).optional(),
  /** A folder for the generated modules; by default each is written beside its model file. */
  outDir: z.string().min(1).optional(),
  /** Parameters to differentiate, overriding those the model files declare. */
  wrt: z.array(name).min(1).optional(),
  /**
   * The language — `ts` (default) writes `.grad.ts`, `js` writes `.grad.js` and `.grad.d.ts` — and which
   * functions each module carries, as one list: `'js'`, `['value', 'gradient']`, `['js', 'value', 'vjp']`.
   */
  emit: z
    .custom<EmitSpec>((v) => typeof v === 'string' || (Array.isArray(v) && v.every((item) => typeof item === 'string')), `must be 'ts', 'js' or a list of those and function kinds (${MODULE_KINDS.join(', ')})`)
    .superRefine((v, ctx) => {
      try {
        parseEmit(v, '');
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) });
      }
    })
    .optional(),
  /** Kernels that test every value for NaN and ±Infinity and name the model line of the first (a diagnostic build). */
  checkFinite: z.boolean().optional(),
  /**
   * A --health build: the value-and-gradient kernels also measure saturated tanh/sigmoid units, dead ReLUs and
   * loops' ‖∂L/∂h_t‖ (read with `fHealth()`); true, or `{ saturation }` (the derivative below which a unit is saturated, default 0.01).
   */
  health: z.union([z.boolean(), z.strictObject({ saturation: z.number().gt(0).lt(1).optional() })]).optional(),
});

export type GradcConfig = z.input<typeof configSchema>;
