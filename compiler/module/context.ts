/**
 * Everything the generated code for one model function is written from: its
 * derivatives, its generated names, the flat layout, how named sizes are
 * found, and the kernels with the size arguments each takes.
 */
import type { KernelSpec } from '../emit/emitModule.ts';
import { NameManager } from '../emit/names.ts';
import { docComment } from '../emit/safeText.ts';
import type { LayoutEntry } from '../ir/parameterLayout.ts';
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
  readonly layout: readonly LayoutEntry[];
  /** Length of the flat vector. */
  readonly size: number;
  readonly sizes: SizePlan;
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
