/**
 * Long and deeply nested math expressions: within the depth limit they compile
 * and differentiate correctly; beyond it (a 20 000-term chain, 5 000 nested
 * parentheses) they are a located error, never "Maximum call stack size exceeded".
 */
import { describe, expect, it } from 'vitest';
import { compileExpression, SourceError } from '../../../compiler/index.ts';
import { MAX_EXPRESSION_DEPTH } from '../../../compiler/frontend/mathjs.ts';

function refusal(text: string): SourceError {
  try {
    compileExpression(text, { wrt: ['x'] });
  } catch (e) {
    if (e instanceof SourceError) return e;
    throw e;
  }
  throw new Error('compiled');
}

describe('deep expressions in the mathjs front end', () => {
  it('a 20 000-term sum is a located error naming the limit', () => {
    const e = refusal(Array.from({ length: 20_000 }, (_, i) => `${i % 7} * x`).join(' + '));
    expect(e.message).toBe(`the expression is nested too deeply (limit ${MAX_EXPRESSION_DEPTH} levels of operators and calls)`);
    expect(e.location).toEqual({ file: '<expr>', line: 1, column: 1 });
    expect(e.hint).toMatch(/sum\(…\)/);
  });

  it('5 000 nested parentheses (deep enough to overflow mathjs itself) are a located error too', () => {
    const e = refusal(`${'('.repeat(5000)}x${')'.repeat(5000)}`);
    expect(e.message).toBe('the expression is nested too deeply for the math parser');
    expect(e.location.column).toBe(1);
  });

  it('a 400-term sum within the limit compiles, and its gradient is exact', () => {
    const terms = Array.from({ length: 400 }, (_, i) => `${(i % 5) + 1} * x^2`);
    const c = compileExpression(terms.join(' + '), { wrt: ['x'] });
    const k = terms.reduce((s, _, i) => s + (i % 5) + 1, 0);
    expect(c.value({ x: 1.5 })).toBeCloseTo(k * 2.25, 9);
    expect(c.gradient({ x: 1.5 })[0]).toBeCloseTo(2 * k * 1.5, 9);
  });
});
