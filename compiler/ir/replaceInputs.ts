/**
 * The graph of `roots` with some leaves replaced by other nodes: the one
 * rebuild that substitution (higher-order transforms), custom-rule
 * instantiation and loop-body renaming all need. Nodes are rebuilt bottom-up
 * through `withInputs`, so hash-consing merges the result with what already
 * exists and an untouched subgraph comes back as the very same nodes; each
 * rebuilt node keeps the source line of the node it replaces.
 */
import { withInputs } from './build.ts';
import type { Node } from './node.ts';
import { carryName, originOf, withOrigin } from './origin.ts';
import { topoSort } from './program.ts';

export function replaceInputs(roots: readonly Node[], replacements: ReadonlyMap<Node, Node>): Node[] {
  const done = new Map<Node, Node>(replacements);
  for (const node of topoSort(roots)) {
    if (done.has(node)) continue;
    if (node.op === 'const' || node.op === 'input') {
      done.set(node, node);
      continue;
    }
    const inputs = node.inputs.map((n) => done.get(n)!);
    const rebuilt = withOrigin(originOf(node), () => withInputs(node, inputs));
    carryName(node, rebuilt);
    done.set(node, rebuilt);
  }
  return roots.map((n) => done.get(n)!);
}
