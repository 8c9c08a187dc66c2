/**
 * `gradc compile --watch`: compiles once, then again whenever a model file
 * under the inputs' folders is added or changed. A mistake in a model file is
 * reported and watching goes on. Every round recompiles all inputs, because
 * a model file may import another; unchanged outputs are not rewritten.
 */
import { dirname, isAbsolute, join } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import { isDynamicPattern } from 'tinyglobby';
import { compileModelFiles, type InputReport } from './compileModelFiles.ts';
import { findModelFiles } from './findModelFiles.ts';
import type { Generate, GenerateOptions } from './generate.ts';

export interface WatchRequest {
  readonly patterns: readonly string[];
  readonly cwd: string;
  readonly options: GenerateOptions;
  readonly generate: Generate;
  /** Called after every round with its reports, or with the error that kept it from finding inputs. */
  readonly onRound: (reports: readonly InputReport[], error?: unknown) => void;
  /** How long to wait for more events before recompiling (editors save in several steps). */
  readonly debounceMs?: number;
}

export interface ModelWatcher {
  /** Resolves once the first round is done and the file watcher is listening. */
  readonly ready: Promise<void>;
  close(): Promise<void>;
}

/** The folder a pattern's matches live under: the part before its first glob segment. */
export function watchRoot(pattern: string, cwd: string): string {
  const full = isAbsolute(pattern) ? pattern : join(cwd, pattern);
  if (!isDynamicPattern(pattern)) return dirname(full);
  const segments = full.split(/[\\/]/);
  const firstGlob = segments.findIndex((segment) => isDynamicPattern(segment));
  return segments.slice(0, firstGlob).join('/') || '/';
}

/** Sources worth a recompile: TypeScript that gradc did not generate. */
function isIgnored(path: string, isFile: boolean): boolean {
  if (/[\\/](node_modules|\.git)([\\/]|$)/.test(path)) return true;
  return isFile && (!path.endsWith('.ts') || path.endsWith('.grad.ts') || path.endsWith('.d.ts'));
}

function runRound(request: WatchRequest): void {
  let files: string[];
  try {
    files = findModelFiles(request.patterns, request.cwd);
  } catch (error) {
    request.onRound([], error);
    return;
  }
  request.onRound(compileModelFiles({ files, cwd: request.cwd, check: false, options: request.options, generate: request.generate }));
}

export function watchModelFiles(request: WatchRequest): ModelWatcher {
  runRound(request);
  const roots = [...new Set(request.patterns.map((p) => watchRoot(p, request.cwd)))];
  const watcher: FSWatcher = watch(roots, {
    ignoreInitial: true,
    ignored: (path, stats) => isIgnored(path, stats?.isFile() ?? false),
  });
  let timer: NodeJS.Timeout | undefined;
  const schedule = () => {
    clearTimeout(timer);
    timer = setTimeout(() => runRound(request), request.debounceMs ?? 50);
  };
  watcher.on('add', schedule).on('change', schedule).on('unlink', schedule);
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    close: async () => {
      clearTimeout(timer);
      await watcher.close();
    },
  };
}
