/** Constant folding: an op whose operands are all constants becomes its value. */
import { internConst } from '../ir/node.ts';
import type { Program } from '../ir/program.ts';
import { OP_TABLE } from '../ir/opTable.ts';
import { isElementwise } from '../ir/ops.ts';
import { rewriteProgram } from './rewrite.ts';
import type { RewriteResult, RewriteRule } from './rewrite.ts';

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
  return rewriteProgram(prog, [foldRule]);
}
