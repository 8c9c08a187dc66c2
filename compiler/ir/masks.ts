/** Masked derivatives: how a branch that was not taken stays exactly zero. */
import { constantLike, select } from './build.ts';
import type { Node } from './node.ts';

/**
 * A tangent or cotangent seen as a tree of selects whose leaves are exact
 * zeros or other terms: `select(c, t, 0)` from relu, `select(w, t, select(e,
 * ½t, 0))` from max, `select(a ≠ 0, sign(a)·t, 0)` from abs. Only selects
 * with a zero somewhere below them are opened; any other node is one leaf.
 */
type MaskTree =
  | { readonly kind: 'zero' }
  | { readonly kind: 'leaf'; readonly node: Node }
  | { readonly kind: 'select'; readonly condition: Node; readonly whenTrue: MaskTree; readonly whenFalse: MaskTree };

const ZERO: MaskTree = { kind: 'zero' };

function maskTree(n: Node): MaskTree {
  if (isExactZero(n)) return ZERO;
  if (n.op !== 'select') return { kind: 'leaf', node: n };
  const [c, a, b] = n.inputs as [Node, Node, Node];
  const whenTrue = maskTree(a);
  const whenFalse = maskTree(b);
  if (whenTrue.kind === 'zero' && whenFalse.kind === 'zero') return ZERO;
  if (!hasZero(whenTrue) && !hasZero(whenFalse)) return { kind: 'leaf', node: n };
  return { kind: 'select', condition: c, whenTrue, whenFalse };
}

// A select subtree is only kept open when it has a zero below it.
const hasZero = (t: MaskTree): boolean => t.kind === 'zero' || t.kind === 'select';

function rebuild(t: MaskTree, f: (leaf: Node) => Node | null): Node | null {
  if (t.kind === 'zero') return null;
  if (t.kind === 'leaf') return f(t.node);
  const a = rebuild(t.whenTrue, f);
  const b = rebuild(t.whenFalse, f);
  if (a === null && b === null) return null;
  return select(t.condition, a ?? constantLike(0, b!), b ?? constantLike(0, a!));
}

/**
 * Applies a linear map (a rule's partial) to the terms of a masked tangent or
 * cotangent and masks the results again, so a branch that was not taken
 * contributes exactly 0 even where the rule's own derivative is infinite or
 * NaN (acosh' at 1 behind max(x, 1) for x < 1, log x at 0 behind
 * `x > 0 ? log(x) : 0`): 0·∞ is never formed, in forward and reverse mode
 * alike. The map is called once per distinct term; null is an exact zero.
 */
export function throughMasks(bar: Node, f: (term: Node) => Node | null): Node | null {
  const memo = new Map<Node, Node | null>();
  const once = (leaf: Node): Node | null => {
    if (!memo.has(leaf)) memo.set(leaf, f(leaf));
    return memo.get(leaf)!;
  };
  return rebuild(maskTree(bar), once);
}

const isExactZero = (n: Node): boolean => n.op === 'const' && n.value === 0;
