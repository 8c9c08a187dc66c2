/**
 * The compile step as a value: the CLI, the watcher and the bundler plugin
 * take a `Generate` so their mechanics (globs, byte comparison, atomic
 * writes, watching) do not depend on how a model file becomes a module.
 */

import type { HealthBuildOptions } from '../emit/healthOption.ts';
import type { EmitSpec } from '../module/emitSpec.ts';

/** One file a model file compiles to, with its whole content. */
export interface GeneratedFile {
  /** Where it goes, relative to the working folder when the input was relative. */
  readonly path: string;
  readonly content: string;
}

export interface GenerateOptions {
  /** The model file's text, when it is not to be read from disk. */
  readonly text?: string;
  /** Parameters to differentiate, overriding those the model file declares. */
  readonly wrt?: readonly string[];
  /** The language (`ts` writes `<name>.grad.ts`; `js` writes `<name>.grad.js` and `<name>.grad.d.ts`) and the functions a module carries (module/emitSpec.ts). */
  readonly emit?: EmitSpec;
  /** A folder for the generated files instead of beside the model file. */
  readonly outDir?: string;
  /** Kernels that throw at the first NaN or ±Infinity, naming its model line (a diagnostic build). */
  readonly checkFinite?: boolean;
  /** The value-and-gradient kernels also measure saturation, dead ReLUs and loops' ‖∂L/∂h_t‖ (a --health build). */
  readonly health?: boolean | HealthBuildOptions;
}

/** Compiles one model file into its generated files; throws a SourceError for a mistake in the file. */
export type Generate = (path: string, options?: GenerateOptions) => { readonly files: readonly GeneratedFile[] };
