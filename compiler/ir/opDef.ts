/**
 * What the op table says about each op: shape rule, reference evaluation,
 * derivative rules and syntax. Entries live in `ops/*.ts`; `opTable.ts`
 * assembles them into one table typed so that a missing op is a compile error.
 */
// build.ts imports the op table and the rules import build.ts: a cycle that
// is safe because rules call the builders only when they run, never at load.
import { add } from './build.ts';
import { throughMasks } from './masks.ts';
import type { ApplyNode, Attrs, DType, InputNode, Node } from './node.ts';
import type { Tensor } from './tensor.ts';
import { broadcastShapes } from './shape.ts';
import type { Dim, Shape } from './shape.ts';
import type { Syntax } from './syntax.ts';
import type { HelperName } from './helpers.ts';
import type { LoopEmission } from './loopEmission.ts';

/**
 * Forward mode, as the forward driver hands itself to JVP rules. A rule
 * that must differentiate a graph of its own (a loop body, the primal graph
 * of a custom rule) calls it, so the IR never imports the drivers in
 * autodiff/: the drivers depend on the op table, not the other way round.
 */
export interface ForwardDriver {
  /** Tangents of `outputs` given the tangent of each seeded input. */
  readonly jvp: (outputs: readonly Node[], tangents: ReadonlyMap<InputNode, Node>) => Node[];
}

/** Reverse mode, as the reverse driver hands itself to VJP rules (see ForwardDriver). */
export interface ReverseDriver {
  /** Gradient of the scalar `output` with respect to each of `wrt`. */
  readonly gradient: (output: Node, wrt: readonly InputNode[]) => Node[];
}

/**
 * Forward and reverse rules. `null` stands for an exact zero tangent or
 * cotangent, which the drivers never materialise.
 */
export interface Derivative {
  /** Tangent of the output given the operands' tangents. */
  readonly jvp: (node: ApplyNode, dots: readonly (Node | null)[], driver: ForwardDriver) => Node | null;
  /** Cotangent of each operand given the output's cotangent. */
  readonly vjp: (node: ApplyNode, bar: Node, driver: ReverseDriver) => readonly (Node | null)[];
}

export interface OpDef {
  readonly doc: string;
  readonly arity: number | 'variadic';
  /** Required element type of operand i. */
  readonly inputTypes: (i: number) => DType;
  readonly output: DType;
  readonly shape: (op: string, inputs: readonly Shape[], attrs: Attrs) => Shape;
  /**
   * Reference semantics of an elementwise op on scalars (booleans are 0 and
   * 1); the evaluator broadcasts it over tensors. Structural ops (matmul,
   * reductions, …) have no scalar meaning and give `evaluateTensor` instead.
   */
  readonly evaluate: (args: readonly number[]) => number;
  /** Reference semantics of a structural op, on concrete tensors. */
  readonly evaluateTensor?: (
    inputs: readonly Tensor[],
    attrs: Attrs,
    outShape: readonly number[],
    sizes: Readonly<Record<string, number>>,
  ) => Tensor;
  /** `'none'`: the output is boolean and has no tangent. */
  readonly derivative: Derivative | 'none';
  readonly syntax: Syntax;
  /** A helper function the emitted module must define to call this op. */
  readonly helper?: HelperName;
  /** For non-smooth ops: the derivative chosen where the op has a kink. */
  readonly kink?: string;
  /** For ops that read integer indices: which operand, and the range each index must lie in. */
  readonly indices?: IndexOperand;
  /** For ops whose nodes come in groups computed together (the results of one loop). */
  readonly group?: NodeGroup;
  /** For structural ops: how the loop emitter computes the op (see loopEmission.ts). */
  readonly emission?: LoopEmission;
}

/**
 * An operand of integer indices (rows of a table, classes of a one-hot):
 * each must be an integer in [0, bound), checked where the op runs (see
 * indexCheck.ts), so a bad label is an error and never a silently wrong loss.
 */
export interface IndexOperand {
  readonly operand: number;
  /** The exclusive upper bound: the table's rows, the one-hot depth. */
  readonly bound: (node: ApplyNode) => Dim;
  /** What one index is, in messages: 'a label', 'a row index'. */
  readonly what: string;
  /** The name messages give indices that are not read from a model argument. */
  readonly fallbackName: string;
}

/**
 * Nodes of one group share their operands and are computed at once: the
 * evaluator evaluates the group once, and reverse mode, which must see every
 * member's cotangent together, calls `vjp` once per group.
 */
export interface NodeGroup {
  readonly key: (node: ApplyNode) => string;
  /** Evaluates the whole group; the result gives each member's value by its attributes. */
  readonly evaluate: (
    inputs: readonly Tensor[],
    attrs: Attrs,
    sizes: Readonly<Record<string, number>>,
  ) => (member: Attrs) => Tensor;
  /** Cotangents of the shared operands given each member's cotangent (null: zero). */
  readonly vjp: (nodes: readonly ApplyNode[], bars: readonly (Node | null)[], driver: ReverseDriver) => readonly (Node | null)[];
}

/**
 * The linear map taking operand i's tangent `t` to its contribution to the
 * output's tangent. Elementwise maps are multiplications, hence self-adjoint:
 * the same map carries a cotangent back, so one partial serves both modes.
 */
export type Partial = (t: Node, node: ApplyNode, i: number) => Node | null;

export function elementwise(...partials: Partial[]): Derivative {
  const partial = (i: number): Partial => partials[Math.min(i, partials.length - 1)]!;
  return {
    jvp(node, dots) {
      let sum: Node | null = null;
      dots.forEach((dot, i) => {
        if (dot === null) return;
        // A masked tangent stays masked, so 0·∞ is never formed (see masks.ts).
        const term = throughMasks(dot, (inner) => partial(i)(inner, node, i));
        if (term !== null) sum = sum === null ? term : add(sum, term);
      });
      return sum;
    },
    vjp: (node, bar) => node.inputs.map((_, i) => partial(i)(bar, node, i)),
  };
}

export const f64 = (): DType => 'f64';
export const boolType = (): DType => 'bool';
export const broadcast = (op: string, inputs: readonly Shape[]): Shape => broadcastShapes(op, inputs);
