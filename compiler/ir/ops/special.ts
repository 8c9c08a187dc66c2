/**
 * Special functions: the log-gamma family (gammaFunctions.ts evaluates them).
 * Each one's derivative is the next, so every order of derivative is exact:
 * lgamma′ = digamma, digamma′ = trigamma, trigamma′ = polygamma(2, ·) and
 * polygamma(n, ·)′ = polygamma(n + 1, ·).
 */
import { add, apply, mul, num } from '../build.ts';
import type { ApplyNode, Node } from '../node.ts';
import { broadcast, elementwise, f64 } from '../opDef.ts';
import type { OpDef } from '../opDef.ts';
import { helperCall } from '../syntax.ts';
import { digamma, lgamma, polygamma, trigamma } from '../gammaFunctions.ts';

/** A unary member of the family, whose derivative is `next(x)`. */
function member(doc: string, name: 'lgamma' | 'digamma' | 'trigamma', evaluate: (x: number) => number, next: (x: Node) => Node, kink: string): OpDef {
  return {
    doc,
    arity: 1,
    inputTypes: f64,
    output: 'f64',
    shape: broadcast,
    evaluate: ([x]) => evaluate(x!),
    derivative: elementwise((t, node) => mul(next(node.inputs[0]!), t)),
    syntax: helperCall(name),
    helper: name,
    kink,
  };
}

/** ψ⁽ⁿ⁾(x) as a node; n is a whole number known when the graph is built. */
const polygammaOf = (n: Node, x: Node): Node => apply('polygamma', n, x);
/** The order n + 1 of the derivative of ψ⁽ⁿ⁾, a constant when n is (as the front ends make it). */
function nextOrder(node: ApplyNode): Node {
  const n = node.inputs[0]!;
  return n.op === 'const' && n.shape.length === 0 ? num(n.value + 1) : add(n, num(1));
}

export const specialOps = {
  lgamma: member(
    'log|Γ(x)|, the log-gamma function',
    'lgamma',
    lgamma,
    (x) => apply('digamma', x),
    'At the poles 0, −1, −2, … lgamma is +∞ and its derivative is digamma there: −∞ at 0, NaN at the negative integers (PyTorch, SciPy).',
  ),
  digamma: member(
    'ψ(x) = d/dx log|Γ(x)|, the digamma function',
    'digamma',
    digamma,
    (x) => apply('trigamma', x),
    'At the poles digamma is −∞ at +0, +∞ at −0 and NaN at the negative integers (PyTorch, SciPy); its derivative trigamma is +∞ there.',
  ),
  trigamma: member(
    "ψ′(x), the trigamma function",
    'trigamma',
    trigamma,
    (x) => polygammaOf(num(2), x),
    'At the poles 0, −1, −2, … trigamma is +∞ and its derivative polygamma(2, ·) is −∞ (PyTorch, SciPy).',
  ),
  polygamma: {
    doc: 'ψ⁽ⁿ⁾(x), the polygamma function of whole order n ≥ 1 (NaN for other n)',
    arity: 2,
    inputTypes: f64,
    output: 'f64',
    shape: broadcast,
    evaluate: ([n, x]) => polygamma(n!, x!),
    // d/dx ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁺¹⁾(x); the order is a whole number, not a variable: no derivative in n.
    derivative: elementwise(
      () => null,
      (t, node) => mul(polygammaOf(nextOrder(node), node.inputs[1]!), t),
    ),
    syntax: helperCall('polygamma'),
    helper: 'polygamma',
    kink: 'At the poles 0, −1, −2, … polygamma(n, ·) is (−1)ⁿ⁺¹∞ (PyTorch, SciPy), and so is each derivative of its own order.',
  },
} satisfies Record<string, OpDef>;
