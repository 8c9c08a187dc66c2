/** Masked derivatives: how a branch that was not taken stays exactly zero. */
import { constantLike, select } from './build.ts';
import type { Node } from './node.ts';

/** A cotangent that is zero wherever `condition` is not `taken`. */
export interface Mask {
  readonly condition: Node;
  readonly taken: boolean;
}

/**
 * Peels `select(c, t, 0)` and `select(c, 0, t)` off a tangent or cotangent.
 * Rules then see `t` alone and their results are masked again, so a branch
 * that was not taken contributes exactly 0 even where its own derivative is
 * infinite or NaN (log x at x = 0 behind `x > 0 ? log(x) : 0`): 0·∞ is never
 * formed, in forward and in reverse mode alike.
 */
export function peelMasks(bar: Node): { inner: Node; masks: Mask[] } {
  const masks: Mask[] = [];
  let inner = bar;
  for (;;) {
    if (inner.op !== 'select') break;
    const [c, a, b] = inner.inputs as [Node, Node, Node];
    if (isExactZero(b)) {
      masks.push({ condition: c, taken: true });
      inner = a;
    } else if (isExactZero(a)) {
      masks.push({ condition: c, taken: false });
      inner = b;
    } else break;
  }
  return { inner, masks };
}

export function applyMasks(node: Node, masks: readonly Mask[]): Node {
  return masks.reduceRight(
    (acc, m) => (m.taken ? select(m.condition, acc, constantLike(0, acc)) : select(m.condition, constantLike(0, acc), acc)),
    node,
  );
}

const isExactZero = (n: Node): boolean => n.op === 'const' && n.value === 0;

