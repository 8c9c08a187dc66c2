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
import { scaled, unary } from './elementary.ts';
import { digamma, lgamma, polygamma, trigamma } from '../gammaFunctions.ts';

/**
 * A unary member of the family, whose derivative is `next(x)`. Poles are no
 * kinks (no derivative is chosen there): values and derivatives are the
 * functions' own infinities, as PyTorch and SciPy give them (see the docs).
 */
function member(doc: string, name: 'lgamma' | 'digamma' | 'trigamma', evaluate: (x: number) => number, next: (x: Node) => Node): OpDef {
  return unary(doc, evaluate, helperCall(name), scaled((x) => next(x)), { helper: name });
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
    'log|Γ(x)|, the log-gamma function; +∞ at the poles 0, −1, −2, … (PyTorch, SciPy)',
    'lgamma',
    lgamma,
    (x) => apply('digamma', x),
  ),
  digamma: member(
    'ψ(x) = d/dx log|Γ(x)|, the digamma function; −∞ at +0, +∞ at −0, NaN at the negative integers (PyTorch, SciPy)',
    'digamma',
    digamma,
    (x) => apply('trigamma', x),
  ),
  trigamma: member(
    'ψ′(x), the trigamma function; +∞ at the poles',
    'trigamma',
    trigamma,
    (x) => polygammaOf(num(2), x),
  ),
  polygamma: {
    doc: 'ψ⁽ⁿ⁾(x), the polygamma function of whole order n ≥ 1 (NaN for other n); (−1)ⁿ⁺¹∞ at the poles',
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
  },
} satisfies Record<string, OpDef>;
