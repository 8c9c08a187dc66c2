/** Masked derivatives: how a branch that was not taken stays exactly zero. */
import { apply, constantLike, select } from './build.ts';
import type { Node } from './node.ts';
import { originScope } from './origin.ts';

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

/**
 * Trees are a function of their node, so they are kept per node for the life
 * of the node: a chain of masked derivatives opens each select once, not once
 * per level (and a select shared by both branches of another once, not twice
 * per level, which was exponential in the depth of max(max(…), y)). Merging
 * builds nodes, which must get their source origin in every compilation, so
 * there is one cache per origin table (origin.ts).
 */
const treesByScope = new WeakMap<object, WeakMap<Node, MaskTree>>();

function treeCache(): WeakMap<Node, MaskTree> {
  const scope = originScope();
  let trees = treesByScope.get(scope);
  if (trees === undefined) treesByScope.set(scope, (trees = new WeakMap()));
  return trees;
}

/** A select with one exact-zero branch: `c ? t : 0` (zeroWhen false) or `c ? 0 : t` (zeroWhen true). */
interface OneSided {
  readonly condition: Node;
  readonly zeroWhen: boolean;
  readonly branch: MaskTree;
}

function oneSided(t: MaskTree): OneSided | null {
  if (t.kind !== 'select') return null;
  if (t.whenFalse.kind === 'zero') return { condition: t.condition, zeroWhen: false, branch: t.whenTrue };
  if (t.whenTrue.kind === 'zero') return { condition: t.condition, zeroWhen: true, branch: t.whenFalse };
  return null;
}

/**
 * Two nested one-sided masks as one, in the outer one's orientation:
 * `c ? (d ? u : 0) : 0` is `c && d ? u : 0`, `c ? 0 : (d ? 0 : u)` is
 * `c || d ? 0 : u`, and a negated inner condition where the two differ. The
 * same condition twice needs no connective (and `c ? (c ? 0 : u) : 0` is 0).
 */
function merged(outer: OneSided, inner: OneSided): MaskTree {
  const connective = outer.zeroWhen ? 'or' : 'and';
  let condition = outer.condition;
  if (inner.condition === outer.condition) {
    if (inner.zeroWhen !== outer.zeroWhen) return ZERO;
  } else {
    const innerTest = inner.zeroWhen === outer.zeroWhen ? inner.condition : apply('not', inner.condition);
    condition = apply(connective, outer.condition, innerTest);
  }
  return outer.zeroWhen
    ? { kind: 'select', condition, whenTrue: ZERO, whenFalse: inner.branch }
    : { kind: 'select', condition, whenTrue: inner.branch, whenFalse: ZERO };
}

/**
 * One select's tree from its branches' trees. Nested one-sided masks are
 * merged into one (see merged): the same
 * value element for element, and the mask of a derivative a thousand
 * selects deep is one condition built on the mask one level up, where a
 * nested tree had to be rebuilt from the top at every level (quadratic).
 */
function selectTree(condition: Node, whenTrue: MaskTree, whenFalse: MaskTree, node: Node): MaskTree {
  if (whenTrue.kind === 'zero' && whenFalse.kind === 'zero') return ZERO;
  if (!hasZero(whenTrue) && !hasZero(whenFalse)) return { kind: 'leaf', node };
  const tree: MaskTree = { kind: 'select', condition, whenTrue, whenFalse };
  const outer = oneSided(tree);
  const inner = outer === null ? null : oneSided(outer.branch);
  return outer !== null && inner !== null ? merged(outer, inner) : tree;
}

/** Trees of `root` and of the selects below it, operands first on an explicit stack (selects may nest thousands deep). */
function maskTree(root: Node): MaskTree {
  const trees = treeCache();
  const pending: Node[] = [root];
  while (pending.length > 0) {
    const n = pending[pending.length - 1]!;
    if (trees.has(n)) {
      pending.pop();
      continue;
    }
    if (isExactZero(n) || n.op !== 'select') {
      trees.set(n, isExactZero(n) ? ZERO : { kind: 'leaf', node: n });
      pending.pop();
      continue;
    }
    const [c, a, b] = n.inputs as [Node, Node, Node];
    const open = [a, b].filter((m) => !trees.has(m));
    if (open.length > 0) {
      pending.push(...open);
      continue;
    }
    pending.pop();
    trees.set(n, selectTree(c, trees.get(a)!, trees.get(b)!, n));
  }
  return trees.get(root)!;
}

// A select subtree is only kept open when it has a zero below it.
const hasZero = (t: MaskTree): boolean => t.kind === 'zero' || t.kind === 'select';

/** The tree with `f` applied to each leaf, null for an exact zero; iterative, each shared subtree once. */
function rebuild(root: MaskTree, f: (leaf: Node) => Node | null): Node | null {
  const built = new Map<MaskTree, Node | null>();
  const pending: MaskTree[] = [root];
  while (pending.length > 0) {
    const t = pending[pending.length - 1]!;
    if (built.has(t)) {
      pending.pop();
      continue;
    }
    if (t.kind !== 'select') {
      built.set(t, t.kind === 'zero' ? null : f(t.node));
      pending.pop();
      continue;
    }
    // Pushed false branch first, so `f` meets the leaves left to right, as people read them.
    const open = [t.whenFalse, t.whenTrue].filter((u) => !built.has(u));
    if (open.length > 0) {
      pending.push(...open);
      continue;
    }
    pending.pop();
    const a = built.get(t.whenTrue)!;
    const b = built.get(t.whenFalse)!;
    built.set(t, a === null && b === null ? null : select(t.condition, a ?? constantLike(0, b!), b ?? constantLike(0, a!)));
  }
  return built.get(root)!;
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
