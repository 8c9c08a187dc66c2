/**
 * Sizes in model-file shapes must be positive whole numbers or names: a
 * negative, zero or fractional size is a located error. `Tensor<[-3]>` used to
 * make the function a helper (not compiled) and the module silently empty.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression, compileModelFile, constant, input, SourceError } from '../../../compiler/index.ts';
import { ShapeError } from '../../../compiler/ir/shape.ts';

const model = (size: string) => `import { sum } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';
export function f(x: Param<Tensor<[${size}]>>): number {
  return sum(x);
}
`;

function refusal(text: string): SourceError {
  try {
    compileModelFile('bad.model.ts', { text });
  } catch (e) {
    if (e instanceof SourceError) return e;
    throw e;
  }
  throw new Error('compiled');
}

describe('bad sizes in model-file shapes', () => {
  it.each(['-3', '0', '2.5', '-0.5'])('Tensor<[%s]> is a located error', (size) => {
    const e = refusal(model(size));
    expect(e.message).toBe(`the size ${Number(size)} in the shape of 'x' is not a positive whole number`);
    expect(e.location).toMatchObject({ file: 'bad.model.ts', line: 3, column: 19 });
  });

  it('Tensor<[3]> compiles, with one exported value function', () => {
    const { files } = compileModelFile('good.model.ts', { text: model('3') });
    expect(files[0]!.content).toMatch(/^export function f\(x: Float64Array\): number/m);
  });
});

describe('bad sizes in the shapes of math-expression variables and IR leaves', () => {
  it.each([[-2], [2.5], [Number.NaN], [Number.POSITIVE_INFINITY]])('shapes: { v: [%s] } is a located error at v', (size) => {
    let error: unknown;
    try {
      compileExpression('1 + sum(v)', { wrt: ['v'], shapes: { v: [size] } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toBe(`the size in the shape of 'v' is not usable: ${size} is not a whole number ≥ 0`);
    expect((error as SourceError).location).toMatchObject({ line: 1, column: 9 });
  });

  it('input() and constant() refuse negative, fractional and non-finite sizes; zero is a size', () => {
    expect(() => input('a', [-1])).toThrow(new ShapeError("the size -1 in the shape of 'a' is not a whole number ≥ 0"));
    expect(() => constant(1, [1.5])).toThrow(/the size 1\.5 in the shape of a constant/);
    expect(() => input('b', [2, Number.NaN])).toThrow(ShapeError);
    expect(input('empty', [0]).shape).toEqual([0]);
  });
});
