/**
 * Emitted modules type-check under `tsc --strict --noUnusedLocals
 * --noUnusedParameters --noEmit`, for expressions that together use every op.
 * One in-memory TypeScript program checks them all.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../compiler/index.ts';
import { topoSort } from '../../compiler/ir/program.ts';
import { OPS, isElementwise } from '../../compiler/ir/ops.ts';
import { typeErrors } from './typecheckSources.ts';

const EXPRESSIONS: readonly [string, string[]][] = [
  ['x^2*sin(y) - cos(x)/tan(y) + -x', ['x', 'y']],
  ['sqrt(x) + cbrt(y) + exp(x) * log(y) + log1p(x) + expm1(y)', ['x', 'y']],
  ['asin(x) + acos(x) + atan(x) + atan2(y, x)', ['x', 'y']],
  ['sinh(x) + cosh(y) + tanh(x) + asinh(x) + acosh(y) + atanh(x)', ['x', 'y']],
  ['abs(x) + sign(y) + min(x, y) + max(x, y) + relu(x) + hypot(x, y)', ['x', 'y']],
  ['sigmoid(x) + softplus(y) + logsumexp(x, y, 2)', ['x', 'y']],
  // the gradient brings digamma and polygamma(2, y)
  ['lgamma(x) + trigamma(y)', ['x', 'y']],
  ['(x < y and x <= 1) or not (x > y) or x >= 2 or x == y or x != 3 ? x : y', ['x', 'y']],
  ['x * a', ['x']],
  ['a', ['a']],
  ['-exp(x)', ['x']],
];

describe('emitted TypeScript', () => {
  it('uses every elementwise op across these expressions', () => {
    const used = new Set<string>();
    for (const [text, wrt] of EXPRESSIONS) {
      const d = compileExpression(text, { wrt, stability: false }).derivatives;
      for (const node of topoSort([d.value, ...d.gradient])) used.add(node.op);
    }
    expect(OPS.filter(isElementwise).filter((op) => !used.has(op))).toEqual([]);
  });

  it('passes tsc --strict --noUnusedLocals --noUnusedParameters', () => {
    const files = new Map(
      EXPRESSIONS.map(([text, wrt], i) => [`/virtual/m${i}.ts`, compileExpression(text, { wrt, stability: false }).source]),
    );
    const diagnostics = typeErrors(files);
    expect(diagnostics).toEqual([]);
  });
});
