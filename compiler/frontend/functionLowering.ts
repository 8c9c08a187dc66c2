/**
 * A function call lowered to IR, as both expression front ends (mathjs and
 * `Math.*` in model files) define them: how many arguments it takes and the
 * graph it builds. An op's own function is derived from the op table (its
 * arity, one application); composites are written out where they are named.
 */
import { apply, constant, div, log } from '../ir/build.ts';
import type { Node } from '../ir/node.ts';
import { OP_TABLE } from '../ir/opTable.ts';
import type { ApplyOp } from '../ir/ops.ts';

export interface FunctionLowering {
  /** Accepted argument counts: exact, or a minimum for variadic functions. */
  readonly arity: number | { readonly atLeast: number };
  readonly lower: (args: readonly Node[]) => Node;
}

/** The op applied to the arguments, with the op's arity. */
export function applyOp(op: ApplyOp): FunctionLowering {
  const { arity } = OP_TABLE[op];
  return { arity: arity === 'variadic' ? { atLeast: 1 } : arity, lower: (args) => apply(op, ...args) };
}

/** A binary op over any number of arguments, folded left: f(a, b, c) = op(op(a, b), c). */
export const foldLeft = (op: ApplyOp): FunctionLowering => ({
  arity: { atLeast: 1 },
  lower: (args) => args.reduce((acc, a) => apply(op, acc, a)),
});

/** log₂ x = ln x / ln 2, as mathjs and JavaScript both name it. */
export const log2: FunctionLowering = { arity: 1, lower: ([x]) => div(log(x!), constant(Math.LN2)) };
/** log₁₀ x = ln x / ln 10. */
export const log10: FunctionLowering = { arity: 1, lower: ([x]) => div(log(x!), constant(Math.LN10)) };

/** The table of `names`' functions: each op's own lowering (or `special`'s), then the composites. */
export function functionTable<Op extends ApplyOp>(
  named: readonly { readonly op: Op; readonly name: string }[],
  special: Partial<Record<Op, FunctionLowering>>,
  composed: Readonly<Record<string, FunctionLowering>>,
): Readonly<Record<string, FunctionLowering>> {
  return { ...Object.fromEntries(named.map(({ op, name }) => [name, special[op] ?? applyOp(op)])), ...composed };
}
