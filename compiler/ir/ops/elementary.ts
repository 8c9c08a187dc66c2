/** Elementary functions: roots, exponentials, logarithms, trigonometric and hyperbolic. */
import {
  add, apply, constantLike, cos, cosh, div, eq, exp, mul, neg, num, select, sigmoid, sin, sinh, sqrt, sub,
} from '../build.ts';
import type { ApplyNode, Node } from '../node.ts';
import { broadcast, elementwise, f64 } from '../opDef.ts';
import { throughMasks } from '../masks.ts';
import type { Derivative, OpDef } from '../opDef.ts';
import { helperCall, mathCall } from '../syntax.ts';
import type { Syntax } from '../syntax.ts';
import { logsumexp as logsumexpRef, sigmoid as sigmoidRef, softplus as softplusRef } from '../helpers.ts';
import type { HelperName } from '../helpers.ts';

/** A unary op whose derivative is `d(x, out)`: the output tangent is `d · t`. */
export function unary(
  doc: string,
  evaluate: (x: number) => number,
  syntax: Syntax,
  derivative: Derivative,
  extra: { helper?: HelperName; kink?: string } = {},
): OpDef {
  return {
    doc,
    arity: 1,
    inputTypes: f64,
    output: 'f64',
    shape: broadcast,
    evaluate: ([x]) => evaluate(x!),
    derivative,
    syntax,
    ...extra,
  };
}

const x = (node: ApplyNode): Node => node.inputs[0]!;
/** Derivative `d(x, out) · t`. */
export const scaled = (d: (x: Node, out: ApplyNode) => Node) =>
  elementwise((t, node) => mul(d(x(node), node), t));
/** Derivative `t / d(x, out)`: division keeps 1/(…) out of the emitted code. */
const divided = (d: (x: Node, out: ApplyNode) => Node) =>
  elementwise((t, node) => div(t, d(x(node), node)));
// A function, not a constant: builders must not run while modules load.
const oneOf = (): Node => num(1);

/** 1 - x² */
const oneMinusSquare = (v: Node): Node => sub(oneOf(), mul(v, v));
/** 1 + x² */
const onePlusSquare = (v: Node): Node => add(oneOf(), mul(v, v));

/**
 * ∂/∂aᵢ logsumexp = e^(aᵢ - m) / Σⱼ e^(aⱼ - m) with m = max aⱼ: the softmax
 * shifted by the maximum. The textbook e^(aᵢ - lse) subtracts two rounded
 * large numbers (at a = b = 1e15, lse rounds by 0.06 and the gradient comes
 * out 0.47, not 0.5); aᵢ - m is exact where it matters. m is a constant to
 * differentiation (the softmax does not depend on it), so second derivatives
 * carry no max terms to cancel and no kink of max.
 */
function softmaxParts(node: ApplyNode): { shifted: Node[]; total: Node } {
  const m = apply('stopGradient', node.inputs.reduce((acc, a) => apply('max', acc, a)));
  const shifted = node.inputs.map((a) => exp(sub(a, m)));
  return { shifted, total: shifted.reduce((acc, e) => add(acc, e)) };
}

/**
 * d tanh x = (1 - tanh² x) dx. Past |x| = 1 the slope is (1 - |tanh x|)(1 + |tanh x|)
 * with 1 - |tanh x| = 2σ(-2|x|) computed, not subtracted: 1 - tanh² x rounds to 0
 * from |x| ≈ 19 although the slope is 7e-35 at 40. Below 1, 1 - tanh² x has
 * no cancellation, and its own derivative, -2 tanh x · tanh' x, keeps digits
 * near 0 where a product of two σ would cancel. Each branch reads its
 * transcendental once, so the emitted ternary evaluates only the one taken.
 */
function tanhSlope(v: Node, out: ApplyNode): Node {
  const a = apply('abs', v);
  const large = mul(mul(num(2), sigmoid(mul(num(-2), a))), add(oneOf(), apply('abs', out)));
  return select(apply('lt', a, oneOf()), oneMinusSquare(out), large);
}

/** 0 where hypot is 0 (the origin), `d` elsewhere. */
const atOrigin = (node: ApplyNode, like: Node, d: Node): Node =>
  select(eq(node, constantLike(0, node)), constantLike(0, like), d);

export const elementaryOps = {
  sqrt: unary(
    'square root',
    Math.sqrt,
    mathCall('sqrt'),
    // d√x = dx / (2√x); at x = 0 the derivative is taken as 0 (a finite
    // subgradient, the same policy as norm and hypot at the origin).
    elementwise((t, node) =>
      select(eq(node, constantLike(0, node)), constantLike(0, t), div(t, mul(num(2), node))),
    ),
    { kink: 'At 0 the derivative is taken as 0 instead of +∞, so sqrt(x²) and norms stay finite.' },
  ),
  cbrt: unary('cube root', Math.cbrt, mathCall('cbrt'), divided((_, out) => mul(num(3), mul(out, out)))),
  exp: unary('e^x', Math.exp, mathCall('exp'), scaled((_, out) => out)),
  log: unary('natural logarithm', Math.log, mathCall('log'), divided((v) => v)),
  log1p: unary('log(1 + x), accurate near 0', Math.log1p, mathCall('log1p'), divided((v) => add(oneOf(), v))),
  expm1: unary('e^x - 1, accurate near 0', Math.expm1, mathCall('expm1'), scaled((_, out) => add(out, oneOf()))),
  sin: unary('sine', Math.sin, mathCall('sin'), scaled((v) => cos(v))),
  cos: unary('cosine', Math.cos, mathCall('cos'), scaled((v) => neg(sin(v)))),
  // d tan x = (1 + tan² x) dx
  tan: unary('tangent', Math.tan, mathCall('tan'), scaled((_, out) => onePlusSquare(out))),
  asin: unary('arcsine', Math.asin, mathCall('asin'), divided((v) => sqrt(oneMinusSquare(v)))),
  acos: unary('arccosine', Math.acos, mathCall('acos'), elementwise((t, node) => neg(div(t, sqrt(oneMinusSquare(x(node))))))),
  atan: unary('arctangent', Math.atan, mathCall('atan'), divided((v) => onePlusSquare(v))),
  sinh: unary('hyperbolic sine', Math.sinh, mathCall('sinh'), scaled((v) => cosh(v))),
  cosh: unary('hyperbolic cosine', Math.cosh, mathCall('cosh'), scaled((v) => sinh(v))),
  tanh: unary('hyperbolic tangent', Math.tanh, mathCall('tanh'), scaled(tanhSlope)),
  asinh: unary('inverse hyperbolic sine', Math.asinh, mathCall('asinh'), divided((v) => sqrt(add(mul(v, v), oneOf())))),
  acosh: unary('inverse hyperbolic cosine', Math.acosh, mathCall('acosh'), divided((v) => sqrt(sub(mul(v, v), oneOf())))),
  atanh: unary('inverse hyperbolic tangent', Math.atanh, mathCall('atanh'), divided((v) => oneMinusSquare(v))),
  // d σ(x) = σ(x)σ(-x) dx: the same as σ(1 - σ), but 1 - σ(40) rounds to 0
  // where σ(-40) = 4.2e-18 keeps every digit (and so does the derivative of σ(-x)).
  sigmoid: unary('logistic sigmoid 1/(1+e^-x), stable for all x', sigmoidRef, helperCall('sigmoid'),
    scaled((v, out) => mul(out, sigmoid(neg(v)))), { helper: 'sigmoid' }),
  // d softplus(x) = σ(x) dx
  softplus: unary('log(1 + e^x), stable for all x', softplusRef, helperCall('softplus'),
    scaled((v) => sigmoid(v)), { helper: 'softplus' }),
  atan2: {
    doc: 'atan2(y, x), the angle of (x, y)',
    arity: 2,
    inputTypes: f64,
    output: 'f64',
    shape: broadcast,
    evaluate: ([y, xv]) => Math.atan2(y!, xv!),
    // ∂/∂y = x / (x² + y²), ∂/∂x = -y / (x² + y²)
    derivative: elementwise(
      (t, { inputs: [y, xv] }) => div(mul(xv!, t), add(mul(xv!, xv!), mul(y!, y!))),
      (t, { inputs: [y, xv] }) => neg(div(mul(y!, t), add(mul(xv!, xv!), mul(y!, y!)))),
    ),
    syntax: mathCall('atan2'),
    kink: 'Undefined at the origin (0, 0): the derivative there is NaN, as in PyTorch.',
  },
  hypot: {
    doc: 'sqrt(a² + b²) without overflow or underflow',
    arity: 2,
    inputTypes: f64,
    output: 'f64',
    shape: broadcast,
    evaluate: ([a, b]) => Math.hypot(a!, b!),
    // ∂/∂a = a / hypot(a, b); at the origin taken as 0 (finite subgradient).
    derivative: {
      ...elementwise((t, node, i) => atOrigin(node, t, div(mul(node.inputs[i]!, t), node))),
      // One mask around (a ȧ + b ḃ) / hypot, not a sum of two: the tangent
      // stays a mask that an outer op with an infinite derivative sees (masks.ts).
      jvp(node, dots) {
        const terms = dots.flatMap((d, i) => {
          const term = d === null ? null : throughMasks(d, (t) => mul(node.inputs[i]!, t));
          return term === null ? [] : [term];
        });
        if (terms.length === 0) return null;
        return atOrigin(node, terms[0]!, div(terms.reduce((acc, t) => add(acc, t)), node));
      },
    },
    syntax: mathCall('hypot'),
    kink: 'At the origin the gradient is taken as 0, a subgradient of the norm.',
  },
  logsumexp: {
    doc: 'log(e^a + e^b + …), stable for all arguments',
    arity: 'variadic',
    inputTypes: f64,
    output: 'f64',
    shape: broadcast,
    evaluate: (args) => logsumexpRef(...args),
    derivative: elementwise((t, node, i) => {
      const { shifted, total } = softmaxParts(node);
      return div(mul(shifted[i]!, t), total);
    }),
    syntax: helperCall('logsumexp'),
    helper: 'logsumexp',
  },
} satisfies Record<string, OpDef>;
