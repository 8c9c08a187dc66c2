/**
 * Forward mode: tangents pushed through the graph in topological order, one
 * tangent per differentiated input. A null tangent is an exact zero and is
 * never materialised.
 */
import { constantLike } from '../ir/build.ts';
import { broadcastTo } from '../ir/buildTensor.ts';
import type { InputNode, Node } from '../ir/node.ts';
import type { ForwardDriver } from '../ir/opDef.ts';
import { OP_TABLE } from '../ir/opTable.ts';
import { nameDerived, originOf, withOrigin } from '../ir/origin.ts';
import { topoSort } from '../ir/program.ts';
import { DifferentiationError } from './reverse.ts';

/**
 * Tangents of `outputs` given the tangent of each seeded input (a node: an
 * input such as `xDot`, or a constant, as when building Hessian columns).
 */
export function jvp(outputs: readonly Node[], tangents: ReadonlyMap<InputNode, Node>): Node[] {
  const dots = new Map<Node, Node>();
  for (const [x, dot] of tangents) dots.set(x, dot);
  for (const node of topoSort(outputs)) {
    if (node.op === 'const' || node.op === 'input') continue;
    const operandDots = node.inputs.map((n) => dots.get(n) ?? null);
    if (operandDots.every((d) => d === null)) continue;
    const rule = OP_TABLE[node.op].derivative;
    if (rule === 'none') continue; // boolean output: no tangent
    // The tangent code of a node is attributed to the source line of the node.
    const dot = withOrigin(originOf(node), () => {
      const d = rule.jvp(node, operandDots, FORWARD);
      // A tangent built from a smaller operand's tangent is broadcast to the output's shape.
      return d === null ? null : broadcastTo(d, node.shape);
    });
    if (dot === null) continue;
    dots.set(node, dot);
    nameDerived(node, dot, 'Dot');
  }
  return outputs.map((out) => dots.get(out) ?? constantLike(0, out));
}

/** This driver, as JVP rules that differentiate a sub-graph receive it. */
const FORWARD: ForwardDriver = { jvp };

export { DifferentiationError };
