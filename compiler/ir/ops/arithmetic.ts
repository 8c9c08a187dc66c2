/** Arithmetic: + - * / negation and power. */
import { constantLike, div, eq, log, mul, neg, num, pow, select, sub } from '../build.ts';
import { broadcast, elementwise, f64 } from '../opDef.ts';
import type { OpDef } from '../opDef.ts';
import { PREC, powerSyntax, prefixSyntax, sameInfix } from '../syntax.ts';

const binary = { arity: 2, inputTypes: f64, output: 'f64', shape: broadcast } as const;

export const arithmeticOps = {
  add: {
    ...binary,
    doc: 'a + b',
    evaluate: ([a, b]) => a! + b!,
    derivative: elementwise((t) => t),
    syntax: sameInfix('+', PREC.additive),
  },
  sub: {
    ...binary,
    doc: 'a - b',
    evaluate: ([a, b]) => a! - b!,
    derivative: elementwise(
      (t) => t,
      (t) => neg(t),
    ),
    syntax: sameInfix('-', PREC.additive),
  },
  mul: {
    ...binary,
    doc: 'a * b',
    evaluate: ([a, b]) => a! * b!,
    // d(ab) = b da + a db
    derivative: elementwise(
      (t, { inputs: [, b] }) => mul(b!, t),
      (t, { inputs: [a] }) => mul(a!, t),
    ),
    syntax: sameInfix('*', PREC.multiplicative),
  },
  div: {
    ...binary,
    doc: 'a / b',
    evaluate: ([a, b]) => a! / b!,
    // d(a/b) = da / b - (a/b) db / b
    derivative: elementwise(
      (t, { inputs: [, b] }) => div(t, b!),
      (t, node) => neg(div(mul(node, t), node.inputs[1]!)),
    ),
    syntax: sameInfix('/', PREC.multiplicative),
  },
  neg: {
    arity: 1,
    inputTypes: f64,
    output: 'f64',
    shape: broadcast,
    doc: '-a',
    evaluate: ([a]) => -a!,
    derivative: elementwise((t) => neg(t)),
    syntax: prefixSyntax('-', '-'),
  },
  pow: {
    ...binary,
    doc: 'a ^ b (right-associative in math text: x^y^z = x^(y^z))',
    evaluate: ([a, b]) => Math.pow(a!, b!),
    // ∂/∂a aᵇ = b a^(b-1); ∂/∂b aᵇ = aᵇ log a, taken as 0 at a = 0 (PyTorch's
    // choice), where aᵇ log a has limit 0 for b > 0 instead of 0·(-∞) = NaN.
    derivative: elementwise(
      (t, { inputs: [a, b] }) => mul(mul(b!, pow(a!, sub(b!, num(1)))), t),
      (t, node) => {
        const a = node.inputs[0]!;
        return select(eq(a, constantLike(0, a)), constantLike(0, t), mul(mul(node, log(a)), t));
      },
    ),
    syntax: powerSyntax,
    kink: 'The partial in the exponent at base 0 is 0, as in PyTorch.',
  },
} satisfies Record<string, OpDef>;
