/**
 * Reverse mode. Adjoint contributions are collected per node and summed once,
 * when the sweep in reverse topological order reaches the node: every path
 * merges there, so the cost is linear in the size of the graph.
 */
import { constant, constantLike, sumNodes } from '../ir/build.ts';
import { throughMasks } from '../ir/masks.ts';
import { unbroadcast } from '../ir/buildTensor.ts';
import type { ApplyNode, InputNode, Node } from '../ir/node.ts';
import type { ReverseDriver } from '../ir/opDef.ts';
import { OP_TABLE } from '../ir/opTable.ts';
import { nameDerived, originOf, withOrigin } from '../ir/origin.ts';
import { isElementwise } from '../ir/ops.ts';
import { topoSort } from '../ir/program.ts';
import { activeNodes } from './activity.ts';

/** Members of each node group (the results of one loop), earliest in `order` first. */
function groupsOf(order: readonly Node[]): Map<string, ApplyNode[]> {
  const groups = new Map<string, ApplyNode[]>();
  for (const node of order) {
    if (node.op === 'const' || node.op === 'input') continue;
    const def = OP_TABLE[node.op];
    if (def.group === undefined) continue;
    const key = `${node.op}|${def.group.key(node)}`;
    const members = groups.get(key);
    if (members === undefined) groups.set(key, [node]);
    else members.push(node);
  }
  return groups;
}

export class DifferentiationError extends Error {
  override readonly name = 'DifferentiationError';
}

/**
 * Gradient of the scalar `output` with respect to each of `wrt`, in order.
 * Inputs the output does not depend on get an exact zero.
 */
export function gradient(output: Node, wrt: readonly InputNode[]): Node[] {
  if (output.shape.length !== 0) {
    throw new DifferentiationError('reverse mode needs a scalar output');
  }
  const active = activeNodes([output], new Set(wrt));
  const contributions = new Map<Node, Node[]>();
  const contribute = (node: Node, bar: Node) => {
    const list = contributions.get(node);
    if (list === undefined) contributions.set(node, [bar]);
    else list.push(bar);
  };
  const adjoints = new Map<Node, Node>();
  if (active.has(output)) contribute(output, constant(1));

  const order = topoSort([output]);
  const groups = groupsOf(order);
  for (let k = order.length - 1; k >= 0; k--) {
    const node = order[k]!;
    const bar = sumNodes(contributions.get(node) ?? []);
    contributions.delete(node);
    if (bar !== null) {
      adjoints.set(node, bar);
      nameDerived(node, bar, 'Bar');
    }
    if (node.op === 'const' || node.op === 'input') continue;
    const def = OP_TABLE[node.op];
    const group = def.group === undefined ? undefined : groups.get(`${node.op}|${def.group.key(node)}`);
    // A group (the results of one loop) is differentiated at once, when the
    // sweep reaches its earliest member: by then every member's adjoint is complete.
    if (group !== undefined && node !== group[0]) continue;
    const bars = group?.map((m) => adjoints.get(m) ?? null) ?? [bar];
    if (bars.every((b) => b === null)) continue;
    const rule = def.derivative;
    if (rule === 'none') throw new DifferentiationError(`${node.op} has no derivative`);
    // Masks line up element for element only through elementwise ops.
    // The adjoint code of a node is attributed to the source line of the node.
    withOrigin(originOf(node), () => {
      const masked = group === undefined && isElementwise(node.op);
      const operandBars = group !== undefined ? def.group!.vjp(group, bars, REVERSE) : masked ? [] : rule.vjp(node, bar!, REVERSE);
      node.inputs.forEach((operand, i) => {
        if (!active.has(operand)) return;
        // A masked cotangent stays masked, so 0·∞ is never formed (see masks.ts).
        const operandBar = masked ? throughMasks(bar!, (inner) => rule.vjp(node, inner, REVERSE)[i] ?? null) : operandBars[i];
        if (operandBar == null) return;
        // Un-broadcasting happens here, once, never in the rules.
        contribute(operand, unbroadcast(operandBar, operand.shape));
      });
    });
  }
  return wrt.map((x) => adjoints.get(x) ?? constantLike(0, x));
}

/** This driver, as VJP rules that differentiate a sub-graph receive it. */
const REVERSE: ReverseDriver = { gradient };
