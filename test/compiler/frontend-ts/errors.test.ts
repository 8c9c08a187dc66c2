/**
 * Mistakes found while lowering (shapes, sizes that are not known at compile
 * time, names) are located like the fence's, and a file's diagnostics are
 * reported together in one message without a stack trace.
 */
import { describe, expect, it } from 'vitest';
import { SourceError, UnknownVariableError } from '../../../compiler/errors.ts';
import { ModelFileError, parseModelFile } from '../../../compiler/frontend/typescript/parseModelFile.ts';

const HEADER = "import { add, arange, linspace, lowerTriangular, mul, sum, expr, triangularSolve, zeros } from 'gradc/prelude';\nimport type { Param, Tensor } from 'gradc/prelude';\n";
const FILE = 'errors.model.ts';

function place(source: string): { text: string; line: number; column: number } {
  const full = HEADER + source;
  const index = full.indexOf('@@');
  const before = full.slice(0, index).split('\n');
  return { text: full.replace('@@', ''), line: before.length, column: before[before.length - 1]!.length + 1 };
}

function rejection(text: string): ModelFileError {
  try {
    parseModelFile(FILE, { text });
  } catch (e) {
    if (e instanceof ModelFileError) return e;
    throw e;
  }
  throw new Error('expected the model file to be rejected');
}

const CASES: readonly { name: string; source: string; message: RegExp }[] = [
  {
    name: 'shapes that do not broadcast',
    source: 'export function f(a: Param<Tensor<[3]>>, b: Tensor<[4]>): number {\n  return sum(@@add(a, b));\n}\n',
    message: /add: shapes \[3\] and \[4\] do not broadcast/,
  },
  {
    name: 'an axis that is not known at compile time',
    source: 'export function f(a: Param<Tensor<[3, 2]>>, k: number): number {\n  return sum(sum(a, @@k));\n}\n',
    message: /sum: this argument must be a number or a list of numbers known at compile time/,
  },
  {
    name: 'a loop over a named dimension that does not count up in steps of 1',
    source: "export function f(a: Param<Tensor<['batch']>>): number {\n  let s = 0;\n  for (let i = 0; i < @@a.shape[0]; i += 2) {\n    s = s + 1;\n  }\n  return s * sum(a);\n}\n",
    message: /a loop over the named dimension 'batch' must count up in steps of 1 from a whole number/,
  },
  {
    name: 'a loop bound that depends on data',
    source: 'export function f(n: Param<number>): number {\n  let s = 0;\n  for (let i = 0; i < @@n; i++) {\n    s = s + 1;\n  }\n  return s;\n}\n',
    message: /the loop bound must be known at compile time/,
  },
  {
    name: 'a syntax error inside expr, placed in the template',
    source: 'export function f(x: Param<number>): number {\n  return expr({ x })`x^2 + @@)`;\n}\n',
    message: /in expr: syntax error/,
  },
  {
    name: 'a syntax error after interpolated values, placed in the template',
    source: 'export function f(x: Param<number>): number {\n  return expr`${x}^2 + sin(${x}) * @@)`;\n}\n',
    message: /in expr: syntax error/,
  },
  {
    name: 'an unknown function inside expr on a later line of the template',
    source: 'export function f(x: Param<number>): number {\n  return expr({ x })`x^2 +\n    @@frob(x)`;\n}\n',
    message: /in expr: unknown function 'frob'/,
  },
  {
    name: 'a variable assigned on one path only',
    source: 'export function f(x: Param<number>): number {\n  let y: number;\n  if (x > 0) {\n    y = x;\n  }\n  return @@y;\n}\n',
    message: /'y' is used before it is assigned on every path/,
  },
  {
    name: 'an unknown variable',
    source: 'export function f(x: Param<number>): number {\n  return x * @@scale;\n}\n',
    message: /unknown variable 'scale'/,
  },
  {
    name: 'reassigning a const',
    source: 'export function f(x: Param<number>): number {\n  const y = x;\n  @@y = 2;\n  return y;\n}\n',
    message: /'y' is a const \(or a loop variable\) and cannot be reassigned/,
  },
  {
    name: 'an if on a tensor',
    source: 'export function f(a: Param<Tensor<[3]>>): number {\n  if (@@a) {\n    return 1;\n  }\n  return sum(a);\n}\n',
    message: /the condition is a \[3\] tensor, not one boolean/,
  },
  {
    name: 'an operator applied to a tensor',
    source: 'export function f(a: Param<Tensor<[3]>>): number {\n  return sum(@@a * 2);\n}\n',
    message: /the operator '\*' applies to numbers, and this is a \[3\] tensor/,
  },
  {
    name: 'a return type that does not match',
    source: 'export function f(a: Param<Tensor<[3]>>): @@number {\n  return add(a, 1);\n}\n',
    message: /'f' is declared to return a number but returns a \[3\] tensor/,
  },
  {
    name: 'an import of a missing model file',
    source: "@@import { g } from './missing.model.ts';\nexport function f(x: Param<number>): number {\n  return g(x);\n}\n",
    message: /cannot find the model file '\.\/missing\.model\.ts'/,
  },
  {
    name: 'a path that does not return',
    source: '@@export function f(x: Param<number>): number {\n  const y = x * 2;\n}\n',
    message: /'f' does not return a value on every path/,
  },
  {
    name: 'a linspace of fewer than two points',
    source: 'export function f(a: Param<number>): number {\n  return sum(@@linspace(a, 1, 1));\n}\n',
    message: /linspace: the length must be a whole number of at least 2, got 1/,
  },
  {
    name: 'an arange whose length is data',
    source: 'export function f(a: Param<Tensor<[3]>>, k: number): number {\n  return sum(mul(a, arange(@@k)));\n}\n',
    message: /arange: the length must be a whole number known at compile time or a size read from a tensor/,
  },
  {
    name: 'a packed triangle of the wrong length',
    source: 'export function f(v: Param<Tensor<[5]>>): number {\n  return sum(@@lowerTriangular(v, 3));\n}\n',
    message: /lowerTriangular: a 3×3 triangle packs 6 entries on the last axis, got \[5\]/,
  },
  {
    name: 'a triangular solve with a right-hand side of the wrong size',
    source: 'export function f(L: Param<Tensor<[3, 3]>>, b: Tensor<[4]>): number {\n  return sum(@@triangularSolve(L, b, true));\n}\n',
    message: /triangularSolve: the right-hand side must be \[\.\.\., 3, k\] or \[\.\.\., 3\]/,
  },
  {
    name: 'a helper called with the wrong number of arguments',
    source: 'function g(a: number, b: number): number {\n  return a * b;\n}\nexport function f(x: Param<number>): number {\n  return @@g(x);\n}\n',
    message: /g takes 2 argument\(s\), got 1/,
  },
];

describe('lowering errors', () => {
  for (const c of CASES) {
    it(`locates ${c.name}`, () => {
      const { text, line, column } = place(c.source);
      const d = rejection(text).diagnostics.find((x) => c.message.test(x.message));
      expect(d, rejection(text).format()).toBeDefined();
      expect(d!.location).toEqual({ file: FILE, line, column });
      expect(d!.hint ?? '').not.toBe('');
    });
  }

  it('names an unknown variable with its own error class', () => {
    const { text } = place('export function f(x: Param<number>): number {\n  return x * @@scale;\n}\n');
    expect(rejection(text).diagnostics[0]).toBeInstanceOf(UnknownVariableError);
  });
});

describe('imports', () => {
  it('rejects an import cycle between model files, at the import that closes it', () => {
    const path = 'test/compiler/frontend-ts/fixtures/cycleA.model.ts';
    let error: unknown;
    try {
      parseModelFile(path);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ModelFileError);
    const d = (error as ModelFileError).diagnostics.find((x) => /import cycle/.test(x.message))!;
    expect(d.message).toBe("importing './cycleA.model.ts' makes an import cycle");
    expect(d.location).toEqual({ file: 'test/compiler/frontend-ts/fixtures/cycleB.model.ts', line: 2, column: 1 });
  });
});

describe('error reports', () => {
  const source = [
    'export function f(x: Param<number>): number {',
    '  let y = x;',
    '  while (y > 1) {',
    '    y = y / 2;',
    '  }',
    '  return y + Math.random();',
    '}',
    'export class Model {}',
  ].join('\n');
  const text = HEADER + source;

  it('collects every diagnostic of a file, in source order', () => {
    const e = rejection(text);
    expect(e).toBeInstanceOf(SourceError);
    expect(e.diagnostics.map((d) => [d.location.line, d.location.column])).toEqual([[5, 3], [8, 14], [10, 1]]);
  });

  it('formats each as file:line:col, the source line with a caret, and the advice; never a stack trace', () => {
    const report = rejection(text).format();
    expect(report).toContain([
      'errors.model.ts:5:3: error: `while` loops are not supported',
      '    while (y > 1) {',
      '    ^',
      'Use `for (let i = 0; i < N; i++)` with N known at compile time; for a data-dependent stop, bound it: `for (let i = 0; i < 100 && err > tol; i++)`.',
    ].join('\n'));
    expect(report).toContain([
      'errors.model.ts:8:14: error: `Math.random` is not supported',
      '    return y + Math.random();',
      '               ^',
    ].join('\n'));
    expect(report).toMatch(/3 errors in errors\.model\.ts$/);
    expect(report).not.toMatch(/^\s+at /m);
  });
});
