/**
 * Special functions composed from the log-gamma family's ops (ir/ops/special.ts):
 * polygamma of any whole order, and the multivariate log-gamma function.
 */
import { add, apply, constant } from '../../ir/build.ts';
import type { Node } from '../../ir/node.ts';
import { ShapeError } from '../../ir/shape.ts';

function wholeNumber(what: string, value: number, least: number, instead: string): number {
  if (!Number.isInteger(value) || value < least) throw new ShapeError(`${what} must be a whole number ≥ ${least} known at compile time, got ${value}; ${instead}`);
  return value;
}

/** ψ⁽ⁿ⁾(x) (torch.polygamma): digamma for n = 0, trigamma for n = 1, so each value has one node. */
export function polygamma(n: number, x: Node): Node {
  const order = wholeNumber('the order n of polygamma(n, x)', n, 0, 'write polygamma(0, x) for digamma(x), polygamma(1, x) for trigamma(x)');
  if (order === 0) return apply('digamma', x);
  if (order === 1) return apply('trigamma', x);
  return apply('polygamma', constant(order), x);
}

/**
 * log Γ_d(a) = d(d − 1)/4 · log π + Σ_{j=1..d} lgamma(a + (1 − j)/2), elementwise
 * (scipy.special.multigammaln), the normaliser of the Wishart density. Finite for
 * a > (d − 1)/2, where SciPy refuses smaller a; here smaller a give the same sum,
 * +∞ at the poles.
 */
export function multigammaln(a: Node, d: number): Node {
  const dims = wholeNumber('the dimension d of multigammaln(a, d)', d, 1, 'pass the dimension as a literal or a module constant');
  // Term j = 1…d reads a − (j − 1)/2.
  const terms = Array.from({ length: dims }, (_, k) => apply('lgamma', k === 0 ? a : add(a, constant(-k / 2))));
  const sum = terms.reduce((acc, t) => add(acc, t));
  return dims === 1 ? sum : add(constant(((dims * (dims - 1)) / 4) * Math.log(Math.PI)), sum);
}
