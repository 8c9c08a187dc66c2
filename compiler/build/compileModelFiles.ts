/**
 * Compiles a list of model files with a given `Generate`, then either writes
 * the outputs that changed (compile) or only compares them with the files on
 * disk (check). Each input is independent: a mistake in one model file is
 * reported and the others are still compiled, as tsc does.
 */
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Generate, GenerateOptions, GeneratedFile } from './generate.ts';
import { isUpToDate, writeIfChanged } from './writeIfChanged.ts';
import { loadModule } from '../load/loadModule.ts';
import { typeCheckModule } from '../load/typeCheckModule.ts';

/** written/unchanged when compiling; stale/unchanged when checking. */
export type OutputStatus = 'written' | 'unchanged' | 'stale';

export interface OutputReport {
  readonly path: string;
  readonly status: OutputStatus;
  readonly bytes: number;
  readonly content: string;
}

export interface InputReport {
  readonly input: string;
  readonly outputs: readonly OutputReport[];
  /** What `generate` threw: a SourceError for a mistake in the model file, anything else is a bug. */
  readonly error?: unknown;
}

export interface CompileRequest {
  readonly files: readonly string[];
  /** The folder relative input and output paths are taken from. */
  readonly cwd: string;
  /** Compare with the files on disk instead of writing. */
  readonly check: boolean;
  readonly options: GenerateOptions;
  readonly generate: Generate;
}

function onDisk(path: string, cwd: string): string {
  return isAbsolute(path) ? path : join(cwd, path);
}

function settle(file: GeneratedFile, cwd: string, check: boolean): OutputReport {
  const full = onDisk(file.path, cwd);
  const fresh = check ? isUpToDate(full, file.content) : !writeIfChanged(full, file.content);
  const status: OutputStatus = fresh ? 'unchanged' : check ? 'stale' : 'written';
  return { path: file.path, status, bytes: Buffer.byteLength(file.content, 'utf8'), content: file.content };
}

/**
 * A generated module that does not load (or, under --check, does not
 * type-check) is a bug in gradc, not in the model: it is reported as an
 * internal error before anything is written, so a compile never leaves a
 * module on disk that breaks the program importing it.
 */
function assertLoads(file: GeneratedFile, check: boolean): void {
  if (file.path.endsWith('.d.ts')) return;
  try {
    loadModule(file.content);
  } catch (e) {
    throw new Error(`the generated module ${file.path} does not load, so it was not written: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
  }
  if (!check || !file.path.endsWith('.ts')) return;
  // --check also type-checks, as the design promises: strict, no unused locals or parameters.
  const errors = typeCheckModule(file.content);
  if (errors.length > 0) throw new Error(`the generated module ${file.path} does not type-check: ${errors.slice(0, 3).join('; ')}`);
}

/**
 * Compiles (or checks) one model file; every output is generated before any
 * is written. The model text is read here, relative to `cwd`, so the compile
 * step sees exactly the bytes that were compared.
 */
export function buildModelFile(input: string, request: Omit<CompileRequest, 'files'>): InputReport {
  let files: readonly GeneratedFile[];
  try {
    const text = readFileSync(onDisk(input, request.cwd), 'utf8');
    files = request.generate(input, { ...request.options, text }).files;
    for (const file of files) assertLoads(file, request.check);
  } catch (error) {
    return { input, outputs: [], error };
  }
  return { input, outputs: files.map((file) => settle(file, request.cwd, request.check)) };
}

export function compileModelFiles(request: CompileRequest): InputReport[] {
  return request.files.map((input) => buildModelFile(input, request));
}
