/**
 * Reads a model file and, first, the model files it imports, into module
 * scopes. Imports may name the prelude or other model files (`./x.model.ts`);
 * a bad import is a located diagnostic, not an exception.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, resolve } from 'node:path';
import type { SourceError } from '../../errors.ts';
import { readModule } from './adapter.ts';
import type { ImportDecl, ModuleAst, TypeAliasDecl } from './ast.ts';
import { resolveAlias } from './fence.ts';
import { diagnostic } from './diagnostics.ts';
import { didYouMean } from '../../errors.ts';
import { PRELUDE_EXPORTS, PRELUDE_MODULE, preludeBinding } from './scope.ts';
import type { Binding, ModuleScope } from './scope.ts';

export interface Loader {
  readonly diagnostics: SourceError[];
  /** Scopes by absolute path: a file imported twice is read once. */
  readonly loaded: Map<string, ModuleScope>;
  /** Absolute paths being loaded, to reject import cycles. */
  readonly loading: string[];
}

export const newLoader = (): Loader => ({ diagnostics: [], loaded: new Map(), loading: [] });

const isModelPath = (from: string) => (from.startsWith('./') || from.startsWith('../')) && /\.model(\.ts)?$/.test(from);

export function loadScope(path: string, text: string, loader: Loader): ModuleScope {
  const module = readModule(path, text);
  const bindings = new Map<string, Binding>();
  const preludeNamespaces = new Set<string>();
  const scope: ModuleScope = { module, bindings, preludeNamespaces, aliases: new Map(module.aliases.map((a) => [a.name, a])) };
  loader.loading.push(resolve(path));
  for (const imp of module.imports) importInto(scope, imp, loader);
  loader.loading.pop();
  for (const c of module.constants) bindings.set(c.name, { kind: 'constant', decl: c, scope });
  for (const fn of module.functions) bindings.set(fn.name, { kind: 'function', fn, scope });
  return scope;
}

function importInto(scope: ModuleScope, imp: ImportDecl, loader: Loader): void {
  const { module } = scope;
  const bindings = scope.bindings as Map<string, Binding>;
  if (imp.from === PRELUDE_MODULE) {
    if (imp.namespace !== null) (scope.preludeNamespaces as Set<string>).add(imp.namespace);
    for (const [local, imported] of imp.names) {
      const b = preludeBinding(imported);
      if (b === null) {
        loader.diagnostics.push(diagnostic(module, imp.nameAt.get(local) ?? imp.at, `'${imported}' is not exported by ${PRELUDE_MODULE}${didYouMean(imported, PRELUDE_EXPORTS)}`,
          'See the prelude for the ops a model file can use.', 'unknownFunction'));
      } else bindings.set(local, b);
    }
    return;
  }
  if (!isModelPath(imp.from)) {
    loader.diagnostics.push(diagnostic(module, imp.at, `a model file can import only from '${PRELUDE_MODULE}' and other model files, not from '${imp.from}'`,
      "Import tensor ops from 'gradc/prelude', and helpers from a relative './name.model.ts' file; keep other code in the script that uses the generated module."));
    return;
  }
  const target = imported(module, imp, loader);
  // An unreadable file's own errors say what is wrong; its names are not missing.
  if (target === null || target.module.unreadable.length > 0) return;
  if (imp.namespace !== null) {
    loader.diagnostics.push(diagnostic(module, imp.at, 'a namespace import of a model file is not supported', `Import the functions by name: import { f } from '${imp.from}'.`));
  }
  for (const [local, name] of imp.names) {
    const b = target.module.functions.some((f) => f.name === name && f.exported) || target.module.constants.some((c) => c.name === name && c.exported)
      ? target.bindings.get(name) : undefined;
    const alias = target.aliases.get(name);
    if (alias !== undefined) {
      // Resolved in its own file, so aliases of aliases work across files.
      const type = resolveAlias(target, alias.type);
      if (type !== null) (scope.aliases as Map<string, TypeAliasDecl>).set(local, { ...alias, name: local, type });
    } else if (b === undefined) {
      const exported = [...target.module.functions, ...target.module.constants].filter((d) => d.exported).map((d) => d.name);
      loader.diagnostics.push(diagnostic(module, imp.nameAt.get(local) ?? imp.at, `'${name}' is not an exported function, constant or type of '${imp.from}'${didYouMean(name, [...exported, ...target.aliases.keys()])}`,
        'Export it from that model file, or check the spelling.', 'unknownFunction'));
    } else bindings.set(local, b);
  }
}

function imported(module: ModuleAst, imp: ImportDecl, loader: Loader): ModuleScope | null {
  const relative = normalize(join(dirname(module.path), imp.from.endsWith('.ts') ? imp.from : `${imp.from}.ts`));
  const absolute = resolve(relative);
  const cached = loader.loaded.get(absolute);
  if (cached !== undefined) return cached;
  if (loader.loading.includes(absolute)) {
    loader.diagnostics.push(diagnostic(module, imp.at, `importing '${imp.from}' makes an import cycle`, 'Move the shared helpers into a model file that imports neither.'));
    return null;
  }
  if (!existsSync(absolute)) {
    loader.diagnostics.push(diagnostic(module, imp.at, `cannot find the model file '${imp.from}' (looked for ${relative})`, 'Check the path; it is relative to this file.'));
    return null;
  }
  const scope = loadScope(relative, readFileSync(absolute, 'utf8'), loader);
  loader.loaded.set(absolute, scope);
  return scope;
}
