/** Constant folding: an op whose operands are all constants becomes its value. */
import { internConst } from '../ir/node.ts';
import type { Node } from '../ir/node.ts';
import { withInputs } from '../ir/build.ts';
import type { Program } from '../ir/program.ts';
import { OP_TABLE } from '../ir/opTable.ts';
import { isElementwise } from '../ir/ops.ts';
import { rewriteProgram } from './rewrite.ts';
import type { RewriteResult, RewriteRule } from './rewrite.ts';

/** Ops that only move, repeat or select elements: of a uniform constant, a uniform constant of the result's shape. */
const SHAPE_ONLY: ReadonlySet<string> = new Set(['broadcastTo', 'reshape', 'transpose', 'slice', 'stopGradient']);

/** The value of a uniform constant seen through shape-only ops (`broadcastTo(reshape(1, [1]), [15])` is 1), or null. */
function uniformValue(node: Node): number | null {
  let n = node;
  while (SHAPE_ONLY.has(n.op)) n = n.inputs[0]!;
  return n.op === 'const' && n !== node ? n.value : null;
}

/**
 * An elementwise op reads a broadcast constant as the constant itself: reverse mode seeds
 * `sum`'s cotangent as `broadcastTo(1)`, and read element by element that is the literal 1, which
 * the simplifier then removes (`100 * 1`). Structural ops keep their broadcast operands (they read
 * arrays), so tensor constants appear only where elementwise code reads them as literals.
 */
export const uniformOperandRule: RewriteRule = {
  name: 'elementwise(broadcast constant) → elementwise(constant)',
  exactness: 'exact',
  apply(node) {
    if (!isElementwise(node.op)) return null;
    const values = node.inputs.map(uniformValue);
    if (values.every((v) => v === null)) return null;
    const inputs = node.inputs.map((x, i) => (values[i] === null ? x : internConst(values[i]!, x.dtype, x.shape)));
    return withInputs(node, inputs);
  },
};

/** Folding evaluates the op exactly as the kernel would, so it is exact. */
export const foldRule: RewriteRule = {
  name: 'op(constants) → constant',
  exactness: 'exact',
  apply(node) {
    // Tensor constants are uniform only through elementwise ops; structural ops are left to the kernels.
    if (node.shape.length !== 0 || !isElementwise(node.op)) return null;
    const values: number[] = [];
    for (const operand of node.inputs) {
      if (operand.op !== 'const') return null;
      values.push(operand.value);
    }
    return internConst(OP_TABLE[node.op].evaluate(values), node.dtype, node.shape);
  },
};

export function foldConstants(prog: Program): RewriteResult {
  return rewriteProgram(prog, [foldRule, uniformOperandRule]);
}
