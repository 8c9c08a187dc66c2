/**
 * `gradc compile <files or globs>`: model files → generated modules. Flags
 * override `gradc.config.ts`. Exit codes: 0 ok, 1 a model file has a mistake
 * or (with --check) a generated file is stale, 2 a usage error.
 */
import { compileModelFiles, type InputReport } from '../build/compileModelFiles.ts';
import { findModelFiles } from '../build/findModelFiles.ts';
import type { Generate, GenerateOptions } from '../build/generate.ts';
import { findConfig } from '../build/findConfig.ts';
import { exitCode, reportLines } from '../build/report.ts';
import type { GradcConfig } from '../config.ts';
import { UsageError } from '../errors.ts';
import { parseList, type Io } from './io.ts';
import { parseEmitFlag } from '../module/emitSpec.ts';
import { parseHealthFlag } from '../emit/healthOption.ts';

export interface CompileFlags {
  outDir?: string;
  wrt?: string;
  watch?: boolean;
  check?: boolean;
  emit?: string;
  config?: string;
  checkFinite?: boolean;
  /** `--health` (true) or `--health <saturation>`. */
  health?: true | string;
}

export interface CompileDeps {
  readonly generate: Generate;
  readonly cwd: string;
  /** Ends `--watch`; by default Ctrl-C (SIGINT) or SIGTERM. */
  readonly stopWatching?: Promise<void>;
}

interface Plan {
  readonly patterns: readonly string[];
  readonly options: GenerateOptions;
}

async function readConfig(flags: CompileFlags, cwd: string): Promise<GradcConfig> {
  const path = flags.config ?? findConfig(cwd);
  if (path === undefined) return {};
  // jiti and zod load only when there is a config to read.
  const { loadConfig } = await import('../build/loadConfig.ts');
  return (await loadConfig(path, cwd)).config;
}

function wrtFlag(text: string): string[] {
  const names = parseList(text);
  if (names.length === 0) throw new UsageError('--wrt needs at least one parameter name, e.g. --wrt W1,b1');
  return names;
}

/** Flags win over the config file; the config fills in what the flags leave out. */
function plan(patterns: readonly string[], flags: CompileFlags, config: GradcConfig): Plan {
  if (flags.watch === true && flags.check === true) throw new UsageError('--watch and --check do not go together: --check is for CI, --watch for editing');
  const wrt = flags.wrt !== undefined ? wrtFlag(flags.wrt) : config.wrt;
  const outDir = flags.outDir ?? config.outDir;
  const checkFinite = flags.checkFinite ?? config.checkFinite;
  const health = flags.health !== undefined ? parseHealthFlag(flags.health) : config.health;
  const options: GenerateOptions = {
    emit: flags.emit !== undefined ? parseEmitFlag(flags.emit) : (config.emit ?? 'ts'),
    ...(checkFinite === true ? { checkFinite } : {}),
    ...(health !== undefined && health !== false ? { health } : {}),
    ...(wrt !== undefined ? { wrt } : {}),
    ...(outDir !== undefined ? { outDir } : {}),
  };
  return { patterns: patterns.length > 0 ? patterns : (config.inputs ?? []), options };
}

function print(reports: readonly InputReport[], check: boolean, io: Io): void {
  for (const line of reports.flatMap((r) => reportLines(r, check))) io[line.stream](line.text);
}

function checkSummary(reports: readonly InputReport[], io: Io): void {
  const outputs = reports.flatMap((r) => r.outputs);
  const stale = outputs.filter((o) => o.status === 'stale').length;
  if (stale > 0) io.err(`gradc compile --check: ${stale} of ${outputs.length} generated files are stale; run gradc compile to update them`);
}

function untilSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}

async function watchUntilStopped(p: Plan, io: Io, deps: CompileDeps): Promise<number> {
  const { watchModelFiles } = await import('../build/watchModelFiles.ts'); // chokidar, for --watch only
  const watcher = watchModelFiles({
    patterns: p.patterns,
    cwd: deps.cwd,
    options: p.options,
    generate: deps.generate,
    onRound: (reports, error) => {
      if (error instanceof UsageError) io.err(`gradc: error: ${error.message}`);
      print(reports, false, io);
    },
  });
  await watcher.ready;
  io.out('watching for changes (Ctrl-C to stop)');
  await (deps.stopWatching ?? untilSignal());
  await watcher.close();
  return 0;
}

export async function runCompile(patterns: readonly string[], flags: CompileFlags, io: Io, deps: CompileDeps): Promise<number> {
  const p = plan(patterns, flags, await readConfig(flags, deps.cwd));
  if (flags.watch === true) return watchUntilStopped(p, io, deps);
  const files = findModelFiles(p.patterns, deps.cwd);
  const check = flags.check === true;
  const reports = compileModelFiles({ files, cwd: deps.cwd, check, options: p.options, generate: deps.generate });
  print(reports, check, io);
  if (check) checkSummary(reports, io);
  return exitCode(reports);
}
