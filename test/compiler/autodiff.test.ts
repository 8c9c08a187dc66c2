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

describe('singular points behind a kink', () => {
  it('forward and reverse mode agree on cbrt(relu(x)) at 0 (a masked tangent stays masked)', () => {
    const f = compileExpression('cbrt(relu(x))', { wrt: ['x'] });
    expect(f.gradient({ x: 0 })).toEqual([0]);
    expect(f.jvp({ x: 0 }, { x: 1 })).toBe(0);
    expect(f.hessian({ x: 0 })).toEqual([[0]]);
  });
});

describe('variable names that clash with what kernels use', () => {
  it('renames parameters such as Math, gradOut and out in the emitted code', () => {
    const f = compileExpression('Math * sin(gradOut) + out + sigmoid(x)', { wrt: ['Math', 'gradOut', 'out'] });
    expect(f.gradient({ Math: 2, gradOut: 0.5, out: 1, x: 0 })).toEqual([Math.sin(0.5), 2 * Math.cos(0.5), 1]);
    const g = compileExpression('sum(Math .* gradOut)', { wrt: ['Math'], shapes: { Math: [2], gradOut: [2] } });
    expect(g.gradient({ Math: [1, 2], gradOut: [3, 4] })).toEqual([3, 4]);
  });
});
