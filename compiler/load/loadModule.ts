/**
 * Loads an emitted module in this process: esbuild strips the types (the
 * code is otherwise exactly what was emitted) and the result runs as a
 * CommonJS function body. Emitted modules import nothing, so no resolver is needed.
 */
import { transformSync } from 'esbuild';

export type LoadedModule = Readonly<Record<string, unknown>>;

export function loadModule(source: string): LoadedModule {
  const { code } = transformSync(source, { loader: 'ts', format: 'cjs', target: 'es2022' });
  const module = { exports: {} as Record<string, unknown> };
  // The code is our own emitted kernel, compiled from the user's expression.
  new Function('module', 'exports', code)(module, module.exports);
  return module.exports;
}
