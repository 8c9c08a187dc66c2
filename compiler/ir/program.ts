/**
 * A program: named inputs and named outputs over one node DAG. The schedule
 * (what runs, in what order) is the post-order of the nodes reachable from
 * the outputs, so unreachable nodes are dead by construction.
 */
import type { InputNode, Node } from './node.ts';

export interface Output {
  readonly name: string;
  readonly node: Node;
}

export interface Program {
  readonly inputs: readonly InputNode[];
  readonly outputs: readonly Output[];
}

export function program(inputs: readonly InputNode[], outputs: readonly Output[]): Program {
  return { inputs, outputs };
}

/**
 * Operands before users, in a deterministic order (depth-first, operands left
 * to right). Iterative, so graphs thousands of nodes deep do not overflow the stack:
 * it is the one traversal IR walks share — a walk that computes something per
 * node from its operands' results runs over this order instead of recursing.
 * Nodes for which `known` is true (already handled by an incremental walk) are
 * neither listed nor entered.
 */
export function topoSort(roots: readonly Node[], known?: (node: Node) => boolean): Node[] {
  const order: Node[] = [];
  const done = new Set<Node>();
  const stack: { node: Node; next: number }[] = [];
  const skip = (node: Node) => done.has(node) || (known !== undefined && known(node));
  for (const root of roots) {
    if (skip(root)) continue;
    stack.push({ node: root, next: 0 });
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const child = top.node.inputs[top.next];
      if (child !== undefined) {
        top.next++;
        if (!skip(child)) stack.push({ node: child, next: 0 });
        continue;
      }
      stack.pop();
      if (!done.has(top.node)) {
        done.add(top.node);
        order.push(top.node);
      }
    }
  }
  return order;
}

/** The live nodes of a program, operands first. */
export function schedule(prog: Program): Node[] {
  return topoSort(prog.outputs.map((o) => o.node));
}

export function mapOutputs(prog: Program, f: (node: Node, name: string) => Node): Program {
  return { inputs: prog.inputs, outputs: prog.outputs.map((o) => ({ name: o.name, node: f(o.node, o.name) })) };
}
