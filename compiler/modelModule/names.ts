/**
 * The names a generated module exports for one model function `f`, in one
 * scheme: lower-case `f…` for functions and values, `F…` for types, verbs
 * first for the layout helpers (`packF`, `unpackF`). Internal names (kernels,
 * caches) carry the function's name too, so two functions never share one.
 */
import { capitalize } from '../emit/names.ts';

export interface GeneratedNames {
  /** f(params…) → value (or writes a tensor output). */
  readonly value: string;
  /** fValueAndGradient(params…, gradOut?) → value, gradient written flat. */
  readonly valueAndGradient: string;
  /** fGradient(params…, gradOut?) → the gradient, flat (allocated when omitted). */
  readonly gradient: string;
  /** fJvp(params…, v) → directional derivative along the flat tangent v. */
  readonly jvp: string;
  /** fHvp(params…, v, out?) → H·v, flat. */
  readonly hvp: string;
  /** fGgnvp(params…, v, out?) → G·v (generalized Gauss-Newton, Jᵀ H_L J), flat; for convex losses of the outputs. */
  readonly ggnvp: string;
  /** fLayout: every differentiated parameter with shape, offset and size. */
  readonly layout: string;
  /** FParams: the differentiated parameters by name, as views of a flat vector. */
  readonly params: string;
  readonly pack: string;
  readonly unpack: string;
  /** fFlat(data…) → the flat-vector variants optimizers call. */
  readonly flat: string;
  /** Internal: unpackF cached per flat array. */
  readonly views: string;
  readonly viewCache: string;
  /** Internal: the kernel behind each public function. */
  readonly kernel: (kind: KernelKind) => string;
}

export type KernelKind = 'value' | 'valueAndGradient' | 'jvp' | 'hvp' | 'ggnvp';

export function generatedNames(f: string): GeneratedNames {
  const F = capitalize(f);
  return {
    value: f,
    valueAndGradient: `${f}ValueAndGradient`,
    gradient: `${f}Gradient`,
    jvp: `${f}Jvp`,
    hvp: `${f}Hvp`,
    ggnvp: `${f}Ggnvp`,
    layout: `${f}Layout`,
    params: `${F}Params`,
    pack: `pack${F}`,
    unpack: `unpack${F}`,
    flat: `${f}Flat`,
    views: `${f}Views`,
    viewCache: `${f}ViewCache`,
    kernel: (kind) => `${f}${capitalize(kind)}Kernel`,
  };
}

/** Top-level names a tensor kernel's workspace claims (see emit/loops/tensorKernel.ts). */
export function workspaceNames(kernel: string): string[] {
  return [`${capitalize(kernel)}Workspace`, `${kernel}Workspace`, `${kernel}Workspaces`, `${kernel}WorkspaceLast`];
}
