/**
 * Turns the inputs of `gradc compile` (file names and globs) into a sorted
 * list of model files. A name that matches nothing is a usage error, so a
 * typo in CI fails loudly instead of checking zero files.
 */
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import { UsageError } from '../errors.ts';

const IGNORED = ['**/node_modules/**', '**/.git/**'];

function toPosix(path: string): string {
  return path.replace(/\\/g, '/');
}

function matchPattern(pattern: string, cwd: string): string[] {
  if (!isDynamicPattern(pattern)) {
    const full = isAbsolute(pattern) ? pattern : join(cwd, pattern);
    if (!existsSync(full)) throw new UsageError(`no such file: ${pattern}`);
    return [toPosix(pattern).replace(/^\.\//, '')];
  }
  const matches = globSync(pattern, { cwd, ignore: IGNORED, onlyFiles: true, expandDirectories: false, absolute: isAbsolute(pattern) });
  if (matches.length === 0) throw new UsageError(`no files match '${pattern}' (quote globs so the shell does not expand them)`);
  return matches.map(toPosix);
}

/** Model files named by `patterns`, relative to `cwd` unless given absolute, sorted and without repeats. */
export function findModelFiles(patterns: readonly string[], cwd: string): string[] {
  if (patterns.length === 0) throw new UsageError('no model files given: pass files or globs, e.g. gradc compile "src/**/*.model.ts", or list inputs in gradc.config.ts');
  const files = new Set(patterns.flatMap((pattern) => matchPattern(pattern, cwd)));
  return [...files].sort();
}
