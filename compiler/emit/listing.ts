/**
 * Turns the nodes a kernel computes into a listing of named temporaries and
 * final expressions. A node gets its own `const` when it is used more than
 * once (the CSE'd temporaries) or when inlining it would make a long line;
 * everything else is inlined into its single user.
 */
import type { Node } from '../ir/node.ts';
import { topoSort } from '../ir/program.ts';
import { renderNode } from './render.ts';
import type { Target } from './render.ts';
import { capitalize, NameManager } from './names.ts';
import { identifier } from './safeText.ts';

export interface Binding {
  readonly name: string;
  readonly node: Node;
  /** The defining expression, referring to earlier bindings by name. */
  readonly text: string;
}

export interface Listing {
  readonly bindings: readonly Binding[];
  /** Text of each root, in order. */
  readonly roots: readonly string[];
}

/** Inlined expressions longer than this get a name of their own. */
const MAX_INLINE_LENGTH = 72;

function countUses(roots: readonly Node[], order: readonly Node[]): Map<Node, number> {
  const uses = new Map<Node, number>();
  const bump = (n: Node) => uses.set(n, (uses.get(n) ?? 0) + 1);
  for (const node of order) node.inputs.forEach(bump);
  roots.forEach(bump);
  return uses;
}

/** `sinY` for sin(y), when the operand already has a short name. */
function descriptiveName(node: Node, names: ReadonlyMap<Node, string>): string | null {
  if (node.op === 'const' || node.op === 'input' || node.inputs.length !== 1) return null;
  const operand = node.inputs[0]!;
  const operandName = operand.op === 'input' ? operand.name : names.get(operand);
  if (operandName === undefined || operandName.length > 8 || /^t\d+$/.test(operandName)) return null;
  return `${node.op}${capitalize(operandName)}`;
}

/**
 * `preset` gives chosen names to nodes that need a binding (in math listings,
 * `f` for the function value, so the Hessian can say `-f`).
 */
export function buildListing(
  roots: readonly Node[],
  target: Target,
  names: NameManager,
  preset: ReadonlyMap<Node, string> = new Map(),
  /** Names of the kernel's parameters, where they differ from the inputs' own. */
  params: ReadonlyMap<Node, string> = new Map(),
  /** `bindAll`: every computed node gets its own `const` (a checkFinite build checks each). */
  options: { readonly bindAll?: boolean } = {},
): Listing {
  const order = topoSort(roots);
  const uses = countUses(roots, order);
  const bound = new Map<Node, string>();
  const bindings: Binding[] = [];
  // Inputs print by their claimed parameter name; one without (math listings) passes the gate for code.
  const lookup = (n: Node) => bound.get(n) ?? params.get(n) ?? (target === 'ts' && n.op === 'input' ? identifier(n.name) : undefined);
  for (const node of order) {
    if (node.op === 'const' || node.op === 'input') continue;
    const text = renderNode(node, target, (n) => (n === node ? undefined : lookup(n))).text;
    if (options.bindAll !== true && (uses.get(node) ?? 0) < 2 && text.length <= MAX_INLINE_LENGTH) continue;
    const preferred = preset.get(node) ?? descriptiveName(node, bound);
    const name = preferred !== undefined && preferred !== null && !names.isTaken(preferred) ? names.claim(preferred) : names.temporary();
    bound.set(node, name);
    bindings.push({ name, node, text });
  }
  return { bindings, roots: roots.map((r) => renderNode(r, target, lookup).text) };
}
