/**
 * The reference evaluator: the IR's meaning, op by op from the op table. Used
 * by constant folding and as the oracle compiled kernels are tested against;
 * never on the path that computes users' values.
 */
import type { Node } from './node.ts';
import { OP_TABLE } from './opTable.ts';
import type { Program } from './program.ts';
import { topoSort } from './program.ts';

export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';
}

/** Values of `roots` (and everything below them), with input values by name. */
export function evaluateNodes(
  roots: readonly Node[],
  inputs: Readonly<Record<string, number>>,
): Map<Node, number> {
  const values = new Map<Node, number>();
  for (const node of topoSort(roots)) {
    if (node.shape.length !== 0) {
      throw new EvaluationError('the reference evaluator handles scalars only');
    }
    if (node.op === 'const') values.set(node, node.value);
    else if (node.op === 'input') {
      const value = inputs[node.name];
      if (value === undefined) throw new EvaluationError(`no value for input '${node.name}'`);
      values.set(node, value);
    } else {
      values.set(node, OP_TABLE[node.op].evaluate(node.inputs.map((n) => values.get(n)!)));
    }
  }
  return values;
}

/** Output values by output name. */
export function evaluateProgram(
  prog: Program,
  inputs: Readonly<Record<string, number>>,
): Record<string, number> {
  const values = evaluateNodes(prog.outputs.map((o) => o.node), inputs);
  return Object.fromEntries(prog.outputs.map((o) => [o.name, values.get(o.node)!]));
}
