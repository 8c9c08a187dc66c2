/**
 * Finds and loads `gradc.config.ts` (or .mts/.js/.mjs) with jiti, so a
 * TypeScript config needs no build step, and validates it with zod. Errors
 * name the config file and the bad key and are usage errors (exit code 2).
 */
import { existsSync, readFileSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJiti } from 'jiti';
import type { z } from 'zod';
import { didYouMean, UsageError } from '../errors.ts';
import { configSchema, type GradcConfig } from './configSchema.ts';

export { CONFIG_NAMES, findConfig } from './findConfig.ts';

export interface LoadedConfig {
  /** The config file, as found or given. */
  readonly path: string;
  readonly config: GradcConfig;
}

/** `.ts` when running from the sources (tsx, vitest), `.js` from the built package. */
const ownExtension = (): string => (import.meta.url.endsWith('.ts') ? '.ts' : '.js');

/** The keys a config may have, from the schema itself so messages cannot fall behind it. */
const CONFIG_KEYS: readonly string[] = Object.keys(configSchema.shape);

/**
 * `file:line:col` of the first place `key` is written as a property in the
 * config's text, or just `file` when there is no text or it is not found
 * (a config may build its object in ways a search cannot follow).
 */
function placeOf(file: string, text: string | undefined, key: string): string {
  const escaped = key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = text === undefined ? null : new RegExp(`(?<![\\w$])(['"]?)${escaped}\\1\\s*:`).exec(text);
  if (match === null) return file;
  const before = text!.slice(0, match.index).split('\n');
  return `${file}:${before.length}:${before[before.length - 1]!.length + 1}`;
}

function describeIssue(file: string, issue: z.core.$ZodIssue, text: string | undefined): string[] {
  // A strict object reports every unknown key in one issue: each gets its own line and suggestion.
  if (issue.code === 'unrecognized_keys' && issue.path.length === 0) {
    return issue.keys.map((key) => `${placeOf(file, text, key)}: unknown config key '${key}'${didYouMean(key, CONFIG_KEYS)}`);
  }
  const key = issue.path.length === 0 ? '' : ` key '${issue.path.map(String).join('.')}'`;
  return [`${file}: invalid config${key}: ${issue.message}`];
}

/**
 * Validates a config value; throws a UsageError naming `file` and every bad
 * key. Given the file's `text`, an unknown key is located in it.
 */
export function validateConfig(value: unknown, file: string, text?: string): GradcConfig {
  const parsed = configSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const lines = parsed.error.issues.flatMap((issue) => describeIssue(file, issue, text));
  throw new UsageError(`${lines.join('\n')}\nSee defineConfig in 'gradc/config' for the keys: ${CONFIG_KEYS.join(', ')}.`);
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
  return { path: full, config: validateConfig(value, basename(full), readFileSync(full, 'utf8')) };
}
