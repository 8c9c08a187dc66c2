/** Mechanics of the differentiation drivers that no single op rule owns. */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../compiler/index.ts';

describe('branches not taken', () => {
  it.each([
    ['x > 0 ? log(x) : 0', { x: 0 }],
    ['x > 0 ? sqrt(x) * log(x) : x', { x: -1 }],
    ['x < 700 ? exp(x) : 0', { x: 800 }],
    ['x != 0 ? sin(x) / x : 1', { x: 0 }],
  ])('%s at %j has a finite gradient, JVP and Hessian', (text, at) => {
    const f = compileExpression(text, { wrt: ['x'] });
    const [g] = f.gradient(at);
    expect(Number.isFinite(g)).toBe(true);
    expect(Number.isFinite(f.jvp(at, { x: 1 }))).toBe(true);
    expect(Number.isFinite(f.hessian(at)[0]![0]!)).toBe(true);
    expect(f.jvp(at, { x: 1 })).toBe(g);
  });

  it('still propagates NaN from the branch that is taken', () => {
    const f = compileExpression('x > -1 ? sqrt(x) : 0', { wrt: ['x'] });
    expect(f.gradient({ x: -0.5 })).toEqual([NaN]);
  });
});
