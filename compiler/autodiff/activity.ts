/**
 * Activity analysis: which nodes depend on the differentiated inputs. Only
 * active nodes get tangents or adjoints, so no derivative is formed for
 * anything that does not need one.
 */
import type { Node } from '../ir/node.ts';
import { topoSort } from '../ir/program.ts';

export function activeNodes(roots: readonly Node[], seeds: ReadonlySet<Node>): Set<Node> {
  const active = new Set<Node>();
  for (const node of topoSort(roots)) {
    if (node.dtype !== 'f64') continue;
    if (seeds.has(node) || node.inputs.some((n) => active.has(n))) active.add(node);
  }
  return active;
}
