/**
 * What the names of a model file refer to: prelude ops, the `expr` tag,
 * functions and constants of this file or imported from other model files.
 * Built once per file (imports first), shared by the fence and the lowering.
 */
import { isPreludeOp, PRELUDE_OPS } from '../preludeOps.ts';
import type { PreludeOpName } from '../preludeOps.ts';
import type { ConstantDecl, FunctionDecl, ModuleAst, TypeAliasDecl } from './ast.ts';

export type Binding =
  | { readonly kind: 'op'; readonly op: PreludeOpName }
  | { readonly kind: 'expr' }
  /** The prelude's `tensor` factory and `Tensor` class (for scripts), and `customDerivative` (top level only): not for model function bodies. */
  | { readonly kind: 'runtime'; readonly name: string }
  | { readonly kind: 'function'; readonly fn: FunctionDecl; readonly scope: ModuleScope }
  | { readonly kind: 'constant'; readonly decl: ConstantDecl; readonly scope: ModuleScope };

export interface ModuleScope {
  readonly module: ModuleAst;
  readonly bindings: ReadonlyMap<string, Binding>;
  /** Names bound by `import * as p from 'gradc/prelude'`. */
  readonly preludeNamespaces: ReadonlySet<string>;
  readonly aliases: ReadonlyMap<string, TypeAliasDecl>;
}

export const PRELUDE_MODULE = 'gradc/prelude';
/** Prelude exports that are types only: fine to import, nothing to call. */
export const PRELUDE_TYPES = new Set(['Tensor', 'Param', 'Dim', 'Shape', 'Value', 'Axes', 'Condition']);

/** Prelude exports a model file may import that are not ops: the `expr` tag, the runtime helpers and the types. */
const PRELUDE_OTHER_EXPORTS = ['expr', 'tensor', 'customDerivative', ...PRELUDE_TYPES];

/** Every name `gradc/prelude` exports that a model file may import, for suggestions. */
export const PRELUDE_EXPORTS: readonly string[] = [...Object.keys(PRELUDE_OPS), ...PRELUDE_OTHER_EXPORTS];

/** What a name imported from the prelude is, or null if the prelude has no such export. */
export function preludeBinding(name: string): Binding | null {
  if (isPreludeOp(name)) return { kind: 'op', op: name };
  if (name === 'expr') return { kind: 'expr' };
  // customDerivative defines a top-level function (read by the adapter); it is no op to call in a body.
  if (name === 'tensor' || name === 'customDerivative' || PRELUDE_TYPES.has(name)) return { kind: 'runtime', name };
  return null;
}

/** Resolves `p.op` for a prelude namespace `p`. */
export function namespaceBinding(scope: ModuleScope, object: string, property: string): Binding | null {
  return scope.preludeNamespaces.has(object) ? preludeBinding(property) : null;
}
