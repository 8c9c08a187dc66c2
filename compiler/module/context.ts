/**
 * Everything the generated code for one model function is written from: its
 * derivatives, its generated names, the flat layout, how named sizes are
 * found, and the kernels with the size arguments each takes.
 */
import type { KernelSpec } from '../emit/emitModule.ts';
import { NameManager } from '../emit/names.ts';
import { docComment } from '../emit/safeText.ts';
import type { LayoutBlock } from '../ir/parameterLayout.ts';
import type { Shape } from '../ir/shape.ts';
import { plusIndex, productOfTerms } from '../emit/loops/dims.ts';
import type { InputNode } from '../ir/node.ts';
import type { FunctionDerivatives } from '../autodiff/derive.ts';
import type { GeneratedNames, KernelKind } from './names.ts';
import type { SizePlan } from './sizes.ts';
import type { SupportName } from './support.ts';

export interface KernelInfo {
  readonly spec: KernelSpec;
  /** The named sizes it takes after its tensor arguments, sorted (as the tensor emitter orders them). */
  readonly sizes: readonly string[];
}

export interface FunctionContext {
  readonly d: FunctionDerivatives;
  readonly names: GeneratedNames;
  /** Empty without differentiated parameters. */
  readonly layout: readonly LayoutBlock[];
  /** The named sizes the layout depends on (`Param<Tensor<['n']>>`), in order of first appearance; empty when every size is a literal. */
  readonly layoutDims: readonly string[];
  /** How the named API finds each size: off any argument, differentiated or not. */
  readonly sizes: SizePlan;
  /** How the flat variants find each size: off the data only (the parameters are one flat vector), the rest passed as arguments. */
  readonly flatSizes: SizePlan;
  readonly kernels: ReadonlyMap<KernelKind, KernelInfo>;
  /** `file:line` of the function, for docs. */
  readonly where: string;
  /** Module-level names a local must not shadow. */
  readonly topLevel: ReadonlySet<string>;
  /** Marks support code as used and returns its name. */
  readonly use: (name: SupportName) => string;
  /** Whether the flat-vector variants are emitted. */
  readonly flat: boolean;
  /** A named dense Hessian of tensor parameters, from Hessian-vector products (no symbolic kernel). */
  readonly hessianFromHvp: boolean;
  /** The dense Jacobian of a tensor output (`fJacobian`, and `jacobian` among the flat variants). */
  readonly jacobian: boolean;
}

export const isScalar = (p: InputNode): boolean => p.shape.length === 0;
export const typeOf = (p: InputNode): string => (isScalar(p) ? 'number' : 'Float64Array');

/** A name manager for the locals of one generated function. */
export const localNames = (ctx: FunctionContext): NameManager => new NameManager(ctx.topLevel);

/** A JSDoc block, made by the comment gate (the model's own JSDoc is quoted in these). */
export const jsDoc = docComment;

export const isWrt = (ctx: FunctionContext, p: InputNode): boolean => ctx.d.fn.wrt.includes(p);

/** The local (or bound) expression of a named size, in one generated function. */
export type SizeName = (dim: string) => string;

/** Element count of `shape` with named sizes read through `size`, numbers folded. */
export const elementCount = (shape: Shape, size: SizeName): string =>
  productOfTerms(shape.map((d) => (typeof d === 'number' ? d : size(d))));

/**
 * Σ of the element counts of `shapes` as a polynomial in the named sizes:
 * like terms collected (24 hidden·hidden blocks are `24 * hidden * hidden`),
 * in order of first appearance, the literal part first. A numeral when
 * every size is a literal.
 */
export function totalCount(shapes: readonly Shape[], size: SizeName): string {
  let literal = 0;
  const terms = new Map<string, { dims: string[]; coefficient: number }>();
  for (const shape of shapes) {
    const numeric = shape.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1);
    const dims = shape.filter((d): d is string => typeof d === 'string').sort();
    if (dims.length === 0) {
      literal += numeric;
      continue;
    }
    const key = dims.join('*');
    const term = terms.get(key) ?? { dims, coefficient: 0 };
    term.coefficient += numeric;
    terms.set(key, term);
  }
  const parts = [...terms.values()].filter((t) => t.coefficient !== 0).map((t) => productOfTerms([t.coefficient, ...t.dims.map(size)]));
  return plusIndex(String(literal), ...parts);
}

/** Where a block starts in the flat vector: the element counts of the blocks before it, summed (a numeral when every size is a literal). */
export const blockOffset = (block: LayoutBlock, size: SizeName): string => totalCount(block.before, size);

/** Length of the flat vector (a numeral when every size is a literal). */
export const flatLength = (ctx: FunctionContext, size: SizeName): string => totalCount(ctx.layout.map((b) => b.shape), size);

/** An expression as a factor of a product: a sum is parenthesized. */
export const asFactor = (e: string): string => (/[+-]/.test(e) ? `(${e})` : e);

/** Whether the layout depends on named sizes. */
export const symbolicLayout = (ctx: FunctionContext): boolean => ctx.layoutDims.length > 0;

/** How docs name the layout: `fLayout`, or `fLayout(n)` when it depends on named sizes. */
export const layoutRef = (ctx: FunctionContext): string =>
  symbolicLayout(ctx) ? `${ctx.names.layout}(${ctx.layoutDims.join(', ')})` : ctx.names.layout;
