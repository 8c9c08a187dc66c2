/**
 * Second order by composition: a Hessian-vector product is forward mode over
 * reverse mode, and the dense Hessian is that product taken along each unit
 * vector, with the unit tangents as constants so the passes fold the zeros away.
 */
import { constant } from '../ir/build.ts';
import type { InputNode, Node } from '../ir/node.ts';
import { jvp } from './forward.ts';
import { gradient } from './reverse.ts';
import { elementCount, flattenAll, unitTensor } from './jacobian.ts';
import { concat, slice, stack } from '../ir/buildTensor.ts';

/** H·v where v's components are the nodes `directions` (one per wrt input). */
export function hessianVectorProduct(
  output: Node,
  wrt: readonly InputNode[],
  directions: readonly Node[],
): Node[] {
  const grad = gradient(output, wrt);
  return jvp(grad, new Map(wrt.map((x, i) => [x, directions[i]!])));
}

/**
 * Rows of the dense Hessian: row i = H·eᵢ. H is symmetric, so only entries
 * on and above the diagonal are derived; those below mirror them, which halves
 * the work and makes the result exactly symmetric.
 */
export function hessianRows(output: Node, wrt: readonly InputNode[]): Node[][] {
  const grad = gradient(output, wrt);
  const rows = wrt.map((x, i) => jvp(grad.slice(i), new Map([[x, constant(1)]])));
  return wrt.map((_, i) => wrt.map((__, j) => (j >= i ? rows[i]![j - i]! : rows[j]![i - j]!)));
}

/**
 * The dense Hessian of a tensor program, [n, n] over the wrt tensors
 * flattened in order: row i is H·eᵢ (forward over reverse with a unit
 * tangent). Entries below the diagonal are read from the rows above (H is
 * symmetric), so the matrix is exactly symmetric. For small programs: it
 * takes n HVPs and n² nodes of slicing.
 */
export function hessianMatrix(output: Node, wrt: readonly InputNode[]): Node {
  const grad = gradient(output, wrt);
  const units = wrt.flatMap((x) =>
    Array.from({ length: elementCount(x.shape, `'${x.name}'`) }, (_, k) => ({ x, unit: unitTensor(x, k) })),
  );
  const rows = units.map(({ x, unit }) => flattenAll(jvp(grad, new Map([[x, unit]]))));
  const n = units.length;
  const mirrored = rows.map((row, i) =>
    concat([...rows.slice(0, i).map((above) => slice(above, 0, i, i + 1)), slice(row, 0, i, n)], 0),
  );
  return stack(mirrored, 0);
}
