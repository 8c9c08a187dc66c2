/**
 * Where `gradc compile` looks for its config. Kept apart from loadConfig.ts so a
 * compile without a config file never loads jiti and zod (about 0.2 s here).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export const CONFIG_NAMES = ['gradc.config.ts', 'gradc.config.mts', 'gradc.config.js', 'gradc.config.mjs'] as const;

/** The config file in `cwd`, if there is one. */
export function findConfig(cwd: string): string | undefined {
  return CONFIG_NAMES.map((name) => join(cwd, name)).find((path) => existsSync(path));
}
