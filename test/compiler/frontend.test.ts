/** The mathjs front end: what it accepts, how it lowers, and how it rejects. */
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../compiler/errors.ts';
import { parseExpression } from '../../compiler/frontend/mathjs.ts';
import { evaluateNodes } from '../../compiler/ir/evaluate.ts';

const valueOf = (text: string, at: Record<string, number> = {}) => {
  const { output } = parseExpression(text);
  return evaluateNodes([output], at).get(output);
};

describe('mathjs front end', () => {
  it('parses x^y^z right-associatively, as mathjs does', () => {
    expect(valueOf('x^y^z', { x: 2, y: 3, z: 2 })).toBe(2 ** 9);
  });

  it('lists free variables in order of first appearance, constants excluded', () => {
    expect(parseExpression('b*sin(a) + pi*e + b').variables).toEqual(['b', 'a']);
  });

  it.each([
    ['2x + 3y', { x: 1, y: 2 }, 8],
    ['-x^2', { x: 3 }, -9],
    ['log(8, 2)', {}, 3],
    ['max(1, x, 3)', { x: 7 }, 7],
    ['x > 0 ? x : -x', { x: -2 }, 2],
    ['(x > 0) * x', { x: 3 }, 3],
    ['0 < x < 1 ? 1 : 0', { x: 0.5 }, 1],
    ['x > 0 and not (x > 2)', { x: 1 }, 1],
    ['square(x) + cube(x)', { x: 2 }, 12],
    ['logsumexp(x, x)', { x: 0 }, Math.LN2],
  ])('lowers %s', (text, at, expected) => {
    expect(valueOf(text, at)).toBeCloseTo(expected, 14);
  });

  function rejection(text: string, variables?: string[]): SourceError {
    try {
      parseExpression(text, variables !== undefined ? { variables } : {});
    } catch (e) {
      if (e instanceof SourceError) return e;
      throw e;
    }
    throw new Error(`expected '${text}' to be rejected`);
  }

  it.each([
    ['sin(x) + frob(x)', 10, "unknown function 'frob'"],
    ['x +', 4, 'syntax error'],
    ['[1, 2]', 1, 'a array expression'],
    ['a = 3', 1, 'a assignment expression'],
    ['f(x) = x^2', 1, 'a functionassignment expression'],
    ['x mod 2', 3, "the operator 'mod'"],
    ['"text"', 1, 'the constant "text"'],
    ['atan2(x)', 1, 'atan2 takes 2 argument(s), got 1'],
  ])('rejects %s at column %i: %s', (text, column, message) => {
    const e = rejection(text);
    expect(e.location).toEqual({ file: '<expr>', line: 1, column });
    expect(e.message).toContain(message);
    expect(e.format().split('\n')[2]).toBe(`  ${' '.repeat(column - 1)}^`);
  });

  it('rejects undefined variables at their first occurrence when variables are declared', () => {
    const e = rejection('x * sin(yy) + yy', ['x']);
    expect(e.message).toBe("undefined variable 'yy'");
    expect(e.location.column).toBe(9);
    expect(e.hint).toContain('Defined variables: x.');
  });

  it('names unknown functions and lists the supported ones', () => {
    expect(rejection('erf(x)').hint).toMatch(/^Supported functions: sqrt, cbrt, exp, log/);
  });
});
