/**
 * The names a generated module exports for one model function `f`, in one
 * scheme: lower-case `f…` for functions and values, `F…` for types, verbs
 * first for the layout helpers (`packF`, `unpackF`). Internal names (kernels,
 * caches) carry the function's name too, so two functions never share one.
 */
import { capitalize } from '../emit/names.ts';
import { identifier } from '../emit/safeText.ts';
import type { Identifier } from '../emit/safeText.ts';

export interface GeneratedNames {
  /** f(params…) → value (or writes a tensor output). */
  readonly value: Identifier;
  /** fValueAndGradient(params…, gradOut?) → value, gradient written flat. */
  readonly valueAndGradient: Identifier;
  /** fGradient(params…, gradOut?) → the gradient, flat (allocated when omitted). */
  readonly gradient: Identifier;
  /** fJvp(params…, v) → directional derivative along the flat tangent v. */
  readonly jvp: Identifier;
  /** fHvp(params…, v, out?) → H·v, flat. */
  readonly hvp: Identifier;
  /** fGgnvp(params…, v, out?) → G·v (generalized Gauss-Newton, Jᵀ H_L J), flat; for convex losses of the outputs. */
  readonly ggnvp: Identifier;
  /** fVjp(params…, u, out?) → uᵀ·J for a cotangent u of a tensor output, flat in the layout. */
  readonly vjp: Identifier;
  /** fHessian(params…, out?) → the dense Hessian, n×n row-major. */
  readonly hessian: Identifier;
  /** fJacobian(params…, out?) → the dense Jacobian of a tensor output, m×n row-major. */
  readonly jacobian: Identifier;
  /** fLayout: every differentiated parameter with shape, offset and size. */
  readonly layout: Identifier;
  /** FParams: the differentiated parameters by name, as views of a flat vector. */
  readonly params: Identifier;
  readonly pack: Identifier;
  readonly unpack: Identifier;
  /** fFlat(data…) → the flat-vector variants optimizers call. */
  readonly flat: Identifier;
  /** Internal: unpackF cached per flat array. */
  readonly views: Identifier;
  readonly viewCache: Identifier;
  /** Internal: the kernel behind each public function. */
  readonly kernel: (kind: KernelKind) => Identifier;
}

export type KernelKind = 'value' | 'valueAndGradient' | 'jvp' | 'vjp' | 'hvp' | 'ggnvp' | 'hessian';

/** Every name is derived from the model function's and checked again (a derived name can be too long, say). */
export function generatedNames(f: string): GeneratedNames {
  const F = capitalize(identifier(f));
  const id = identifier;
  return {
    value: id(f),
    valueAndGradient: id(`${f}ValueAndGradient`),
    gradient: id(`${f}Gradient`),
    jvp: id(`${f}Jvp`),
    hvp: id(`${f}Hvp`),
    ggnvp: id(`${f}Ggnvp`),
    vjp: id(`${f}Vjp`),
    hessian: id(`${f}Hessian`),
    jacobian: id(`${f}Jacobian`),
    layout: id(`${f}Layout`),
    params: id(`${F}Params`),
    pack: id(`pack${F}`),
    unpack: id(`unpack${F}`),
    flat: id(`${f}Flat`),
    views: id(`${f}Views`),
    viewCache: id(`${f}ViewCache`),
    kernel: (kind) => id(`${f}${capitalize(kind)}Kernel`),
  };
}

/** Top-level names a tensor kernel's workspace claims (see emit/loops/tensorKernel.ts). */
export function workspaceNames(kernel: string): string[] {
  return [`${capitalize(kernel)}Workspace`, `${kernel}Workspace`, `${kernel}Workspaces`, `${kernel}WorkspaceLast`];
}
