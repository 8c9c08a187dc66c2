/**
 * Finds and loads `gradc.config.ts` (or .mts/.js/.mjs) with jiti, so a
 * TypeScript config needs no build step, and validates it with zod. Errors
 * name the config file and the bad key and are usage errors (exit code 2).
 */
import { existsSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import type { z } from 'zod';
import { UsageError } from '../errors.ts';
import { configSchema, type GradcConfig } from './configSchema.ts';

export { CONFIG_NAMES, findConfig } from './findConfig.ts';

export interface LoadedConfig {
  /** The config file, as found or given. */
  readonly path: string;
  readonly config: GradcConfig;
}

/** `.ts` when running from the sources (tsx, vitest), `.js` from the built package. */
const ownExtension = (): string => (import.meta.url.endsWith('.ts') ? '.ts' : '.js');

function describeIssue(file: string, issue: z.core.$ZodIssue): string {
  const key = issue.path.length === 0 ? '' : ` key '${issue.path.map(String).join('.')}'`;
  return `${file}: invalid config${key}: ${issue.message}`;
}

/** Validates a config value; throws a UsageError naming `file` and every bad key. */
export function validateConfig(value: unknown, file: string): GradcConfig {
  const parsed = configSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.map((issue) => describeIssue(file, issue));
  throw new UsageError(`${lines.join('\n')}\nSee defineConfig in 'gradc/config' for the keys: inputs, outDir, wrt, emit.`);
}

/** Loads and validates the config at `path` (relative to `cwd`). */
export async function loadConfig(path: string, cwd: string): Promise<LoadedConfig> {
  const full = resolve(cwd, path);
  if (!existsSync(full)) throw new UsageError(`config file not found: ${path}`);
  const jiti = createJiti(import.meta.url, {
    moduleCache: false,
    fsCache: false,
    // The config always gets this gradc's defineConfig, even where 'gradc' is not installed.
    alias: { 'gradc/config': fileURLToPath(new URL(`../config${ownExtension()}`, import.meta.url)) },
  });
  let value: unknown;
  try {
    value = await jiti.import(full, { default: true });
  } catch (e) {
    throw new UsageError(`${basename(full)}: could not load the config: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { path: full, config: validateConfig(value, basename(full)) };
}
