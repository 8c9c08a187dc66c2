/**
 * `gradc/config`: the helper for a project's `gradc.config.ts`.
 *
 * ```ts
 * import { defineConfig } from 'gradc/config';
 * export default defineConfig({ inputs: ['src/**\/*.model.ts'], outDir: 'src/generated' });
 * ```
 */
import type { GradcConfig } from './build/configSchema.ts';

export type { GradcConfig };

/** Returns `config` unchanged; it exists so the editor checks the keys and values. */
export function defineConfig(config: GradcConfig): GradcConfig {
  return config;
}
