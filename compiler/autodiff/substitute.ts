/**
 * Substitution: the graph of `roots` with some inputs replaced by other nodes.
 * Higher-order transforms build a piece on a stand-in input (the loss on a
 * fresh `z`, a cotangent that must not be differentiated through) and then
 * plug the real node in. Nodes are rebuilt bottom-up through `withInputs`, so
 * hash-consing merges the result with what already exists, and each rebuilt
 * node keeps the source line of the node it replaces.
 */
import { input } from '../ir/build.ts';
import type { InputNode, Node } from '../ir/node.ts';
import { topoSort } from '../ir/program.ts';
import { replaceInputs } from '../ir/replaceInputs.ts';
import { shapeToString, shapesEqual } from '../ir/shape.ts';
import { DifferentiationError } from './reverse.ts';

export function substitute(roots: readonly Node[], replacements: ReadonlyMap<InputNode, Node>): Node[] {
  for (const [from, to] of replacements) {
    if (!shapesEqual(from.shape, to.shape)) {
      throw new DifferentiationError(`cannot substitute ${shapeToString(to.shape)} for '${from.name}' ${shapeToString(from.shape)}`);
    }
  }
  return replaceInputs(roots, replacements);
}

/**
 * An input that appears nowhere in `nodes`: a stand-in for substitution. The
 * name is not an identifier, so no front end can produce it, and it never
 * reaches emitted code (it is substituted away first).
 */
export function freshInput(stem: string, like: Node, nodes: readonly Node[]): InputNode {
  const taken = new Set(topoSort(nodes).flatMap((n) => (n.op === 'input' ? [n.name] : [])));
  let name = `#${stem}`;
  for (let k = 2; taken.has(name); k++) name = `#${stem}${k}`;
  return input(name, like.shape);
}
