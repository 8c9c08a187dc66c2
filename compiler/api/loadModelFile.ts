/**
 * A model file compiled and loaded in this process, without writing anything:
 * what a trainer needs for a variant of a checked-in module that is built only
 * when asked for, such as the check-finite build that names the model line of
 * a non-finite training step (`loadModelFile(path, { checkFinite: true })`).
 */
import { compileModelFile } from './compileModelFile.ts';
import type { CompileModelFileOptions } from './compileModelFile.ts';
import { loadModule } from '../load/loadModule.ts';
import type { LoadedModule } from '../load/loadModule.ts';

export function loadModelFile(path: string, options: Omit<CompileModelFileOptions, 'emit' | 'outDir'> = {}): LoadedModule {
  const [file] = compileModelFile(path, { ...options, emit: 'ts' }).files;
  return loadModule(file!.content);
}
