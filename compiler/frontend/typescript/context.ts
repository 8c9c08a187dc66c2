/**
 * What the lowering carries: the module being lowered (for names, origins
 * and diagnostics), the variables in scope, and compile-time values.
 */
import { IRError } from '../../ir/build.ts';
import type { Node } from '../../ir/node.ts';
import { withOrigin } from '../../ir/origin.ts';
import type { SourceOrigin } from '../../ir/origin.ts';
import { ShapeError } from '../../ir/shape.ts';
import { EvaluationError } from '../../ir/evaluate.ts';
import type { Pos } from './ast.ts';
import { LoweringAbort, diagnostic } from './diagnostics.ts';
import type { ErrorCategory } from './diagnostics.ts';
import type { ModuleScope } from './scope.ts';
import type { ConvexOuterLoss } from '../../ir/function.ts';

/**
 * A value in the lowering: a node (number, boolean or tensor), a list (an
 * array literal, or a tensor's shape) or a string (a dimension name).
 */
export type Value = Node | string | readonly Value[];

/** The value of `let y;` before an assignment: reading it is an error. */
export const UNASSIGNED: readonly Value[] = Object.freeze([]);

export const isList = (v: Value): v is readonly Value[] => Array.isArray(v);
export const isNode = (v: Value): v is Node => typeof v === 'object' && !Array.isArray(v);

/**
 * The values a loop node's body pushed into a list (`ys.push(y)`, once per
 * step), stacked along a new leading axis: after the loop the list variable
 * holds a frozen empty list standing for them, and `stack(ys)` reads the
 * [T, …] tensor from here. Any other use of the list is refused.
 */
const STACKED = new WeakMap<readonly Value[], Node>();

export function stackedList(stacked: Node): readonly Value[] {
  const list: readonly Value[] = Object.freeze([]);
  STACKED.set(list, stacked);
  return list;
}

/** The stacked per-step values a list stands for, if it is such a list. */
export const stackedOf = (v: Value): Node | undefined => (isList(v) ? STACKED.get(v) : undefined);

export interface Variable {
  readonly value: Value;
  readonly mutable: boolean;
}

/** Variables by name. Copied at branches and loop bodies; never shared mutably across them. */
export type Env = Map<string, Variable>;

export interface Context {
  readonly scope: ModuleScope;
  /** Names of the functions being inlined, outermost first (a guard; the fence rejects recursion). */
  readonly inlining: readonly string[];
  /** Lowered module constants, shared by every function of a run. */
  readonly constants: Map<object, Value>;
  /** Calls of convex losses (softmaxCrossEntropy, mse) by the node they built, for the Gauss-Newton product. */
  readonly convexLosses: Map<Node, ConvexOuterLoss>;
}

export function origin(ctx: Context, at: Pos): SourceOrigin {
  const { path, lines } = ctx.scope.module;
  return { file: path, line: at.line, column: at.column, text: (lines[at.line - 1] ?? '').trim() };
}

/** Stops lowering the current function with a located diagnostic. */
export function fail(ctx: Context, at: Pos, message: string, hint?: string, category: ErrorCategory = 'semantic'): never {
  throw new LoweringAbort(diagnostic(ctx.scope.module, at, message, hint, category));
}

/**
 * Builds IR for the construct at `at`: the nodes get its origin, and a shape
 * or type error from a builder becomes a diagnostic there.
 */
export function build<T>(ctx: Context, at: Pos, make: () => T): T {
  try {
    return withOrigin(origin(ctx, at), make);
  } catch (e) {
    if (e instanceof ShapeError || e instanceof IRError || e instanceof EvaluationError) {
      fail(ctx, at, e.message, 'Check the shapes of the operands (broadcasting aligns trailing axes; a literal 1 stretches).');
    }
    throw e;
  }
}
