/**
 * A scalar node as a sum of terms with constant coefficients, Σ cᵢ tᵢ, read
 * through +, −, unary −, and products and quotients by constants: how the
 * Gauss-Newton product finds a convex loss inside `loss + regularizer`.
 */
import { add, constant, mul } from './build.ts';
import type { Node } from './node.ts';

export interface Term {
  readonly node: Node;
  readonly coefficient: number;
}

const scalarConstant = (n: Node): number | null => (n.op === 'const' && n.shape.length === 0 ? n.value : null);

/** The terms of `node`, each with the product of the constants it is scaled by. */
export function additiveTerms(node: Node, coefficient = 1): Term[] {
  if (node.op === 'add') return node.inputs.flatMap((x) => additiveTerms(x, coefficient));
  if (node.op === 'sub') return [...additiveTerms(node.inputs[0]!, coefficient), ...additiveTerms(node.inputs[1]!, -coefficient)];
  if (node.op === 'neg') return additiveTerms(node.inputs[0]!, -coefficient);
  if (node.op === 'mul') {
    const [a, b] = node.inputs as readonly [Node, Node];
    const ca = scalarConstant(a);
    if (ca !== null && b.shape.length === 0) return additiveTerms(b, coefficient * ca);
    const cb = scalarConstant(b);
    if (cb !== null && a.shape.length === 0) return additiveTerms(a, coefficient * cb);
  }
  if (node.op === 'div') {
    const c = scalarConstant(node.inputs[1]!);
    if (c !== null && c !== 0 && node.inputs[0]!.shape.length === 0) return additiveTerms(node.inputs[0]!, coefficient / c);
  }
  return [{ node, coefficient }];
}

/** Σ cᵢ tᵢ as a node (null for no terms). */
export function sumOfTerms(terms: readonly Term[]): Node | null {
  const scaled = terms.map((t) => (t.coefficient === 1 ? t.node : mul(constant(t.coefficient), t.node)));
  return scaled.length === 0 ? null : scaled.reduce((acc, t) => add(acc, t));
}
