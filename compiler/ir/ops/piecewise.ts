/**
 * Non-smooth ops, comparisons, logic and the piecewise select. Each non-smooth
 * op states the derivative it picks at its kink, matching PyTorch where
 * PyTorch has a choice.
 */
import { apply, constantLike, eq, gt, lt, mul, num, select, sign } from '../build.ts';
import type { ApplyNode, Node } from '../node.ts';
import { topoSort } from '../program.ts';
import { boolType, broadcast, elementwise, f64 } from '../opDef.ts';
import type { OpDef } from '../opDef.ts';
import { PREC, infixSyntax, mathCall, prefixSyntax, ternarySyntax } from '../syntax.ts';

const zeroLike = (t: Node): Node => constantLike(0, t);

const constantMemo = new WeakMap<Node, boolean>();

/** True when `n` reads no input, folded or not (`-1` is neg(1) until folding runs). */
function isConstantExpression(n: Node): boolean {
  if (n.op === 'const') return true;
  // Only what is not known yet is walked: a chain of max(…, c) asks at every level.
  for (const m of topoSort([n], (k) => constantMemo.has(k))) {
    const leaf = m.op === 'const' || (m.inputs.length === 0 ? false : null);
    constantMemo.set(m, leaf ?? m.inputs.every((k) => constantMemo.get(k) === true));
  }
  return constantMemo.get(n)!;
}

/**
 * Cotangent share of operand i of max/min: all of it where i strictly wins,
 * half where the operands tie (PyTorch's maximum/minimum), none otherwise.
 * Against a constant there is nothing to split with: x ↦ max(x, c) has the
 * subgradients [0, 1] at the tie and the minimum-norm one, 0, is taken — so
 * max(x, 0) has relu's derivative at 0 with or without the simplifier, and
 * clamp with constant bounds has F.hardtanh's.
 */
function tieSplit(wins: (a: Node, b: Node) => Node) {
  return (t: Node, node: ApplyNode, i: number): Node => {
    const [a, b] = i === 0 ? node.inputs : [node.inputs[1]!, node.inputs[0]!];
    // Against a constant the losing side is one exact zero, which masks.ts sees.
    if (isConstantExpression(b!)) return select(wins(a!, b!), t, zeroLike(t));
    return select(wins(a!, b!), t, select(eq(a!, b!), mul(num(0.5), t), zeroLike(t)));
  };
}

function comparison(doc: string, ts: string, math: string, prec: number, test: (a: number, b: number) => boolean): OpDef {
  return {
    doc,
    arity: 2,
    inputTypes: f64,
    output: 'bool',
    shape: broadcast,
    evaluate: ([a, b]) => (test(a!, b!) ? 1 : 0),
    derivative: 'none',
    syntax: infixSyntax(ts, math, prec),
  };
}

const binary = { arity: 2, inputTypes: f64, output: 'f64', shape: broadcast } as const;

export const piecewiseOps = {
  abs: {
    ...binary,
    arity: 1,
    doc: '|a|',
    evaluate: ([a]) => Math.abs(a!),
    // sign(a)·t behind a ≠ 0, so that at 0 the cotangent is an exact, masked
    // zero: sign(0)·∞ would be NaN where an infinite derivative meets the kink.
    derivative: elementwise((t, { inputs: [a] }) =>
      select(apply('ne', a!, constantLike(0, a!)), mul(sign(a!), t), zeroLike(t)),
    ),
    syntax: mathCall('abs'),
    kink: "d|x|/dx at 0 is 0 (sign(0)), as in PyTorch.",
  },
  sign: {
    ...binary,
    arity: 1,
    doc: 'sign(a) in {-1, 0, 1}',
    evaluate: ([a]) => Math.sign(a!),
    // Piecewise constant: the derivative is 0 everywhere, including the jump at 0.
    derivative: elementwise(() => null),
    syntax: mathCall('sign'),
    kink: 'The derivative is 0 everywhere, including at the jump.',
  },
  relu: {
    ...binary,
    arity: 1,
    doc: 'max(a, 0); NaN propagates',
    evaluate: ([a]) => Math.max(a!, 0),
    derivative: elementwise((t, { inputs: [a] }) => select(gt(a!, constantLike(0, a!)), t, zeroLike(t))),
    syntax: { ts: { kind: 'call', name: 'Math.max', trailing: ['0'] }, math: { kind: 'call', name: 'relu' } },
    kink: "relu'(0) = 0, as in PyTorch; max(x, 0) and x > 0 ? x : 0 are rewritten or reduce to the same.",
  },
  max: {
    ...binary,
    doc: 'the larger of a and b; NaN if either is NaN',
    evaluate: ([a, b]) => Math.max(a!, b!),
    derivative: elementwise(tieSplit((a, b) => gt(a, b))),
    syntax: mathCall('max'),
    kink: "At a tie the cotangent is split evenly between a and b (torch.maximum); against a constant, x gets 0 (the minimum-norm subgradient, relu's choice).",
  },
  min: {
    ...binary,
    doc: 'the smaller of a and b; NaN if either is NaN',
    evaluate: ([a, b]) => Math.min(a!, b!),
    derivative: elementwise(tieSplit((a, b) => lt(a, b))),
    syntax: mathCall('min'),
    kink: 'At a tie the cotangent is split evenly between a and b (torch.minimum); against a constant, x gets 0 (the minimum-norm subgradient).',
  },
  select: {
    doc: 'c ? a : b (piecewise); only the taken branch is evaluated',
    arity: 3,
    inputTypes: (i) => (i === 0 ? 'bool' : 'f64'),
    output: 'f64',
    shape: broadcast,
    evaluate: ([c, a, b]) => (c !== 0 ? a! : b!),
    // The condition has no tangent; each branch receives the cotangent where it
    // is taken. Forward mode builds one select of the branches' tangents, not
    // the sum of two masked ones, so the result is still a mask (masks.ts).
    derivative: {
      jvp(node, [, da, db]) {
        const c = node.inputs[0]!;
        if (da === null && db === null) return null;
        return select(c, da ?? constantLike(0, db!), db ?? constantLike(0, da!));
      },
      vjp: (node, bar) => {
        const c = node.inputs[0]!;
        return [null, select(c, bar, zeroLike(bar)), select(c, zeroLike(bar), bar)];
      },
    },
    syntax: ternarySyntax,
    kink: 'At the switching point the derivative is that of the branch taken.',
  },
  lt: comparison('a < b', '<', '<', PREC.relational, (a, b) => a < b),
  le: comparison('a <= b', '<=', '<=', PREC.relational, (a, b) => a <= b),
  gt: comparison('a > b', '>', '>', PREC.relational, (a, b) => a > b),
  ge: comparison('a >= b', '>=', '>=', PREC.relational, (a, b) => a >= b),
  eq: comparison('a == b', '===', '==', PREC.equality, (a, b) => a === b),
  ne: comparison('a != b', '!==', '!=', PREC.equality, (a, b) => a !== b),
  and: {
    doc: 'logical and',
    arity: 2,
    inputTypes: boolType,
    output: 'bool',
    shape: broadcast,
    evaluate: ([a, b]) => (a !== 0 && b !== 0 ? 1 : 0),
    derivative: 'none',
    syntax: infixSyntax('&&', 'and', PREC.and),
  },
  or: {
    doc: 'logical or',
    arity: 2,
    inputTypes: boolType,
    output: 'bool',
    shape: broadcast,
    evaluate: ([a, b]) => (a !== 0 || b !== 0 ? 1 : 0),
    derivative: 'none',
    syntax: infixSyntax('||', 'or', PREC.or),
  },
  not: {
    doc: 'logical not',
    arity: 1,
    inputTypes: boolType,
    output: 'bool',
    shape: broadcast,
    evaluate: ([a]) => (a !== 0 ? 0 : 1),
    derivative: 'none',
    syntax: prefixSyntax('!', 'not '),
  },
} satisfies Record<string, OpDef>;


