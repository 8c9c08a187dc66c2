/**
 * A local declared twice in one block, and a local with a parameter's name,
 * are located fence errors (main compiled both: TypeScript refuses the first
 * and a local named like a parameter at the top of the body, and the
 * generated module silently took the last value). A local may still shadow
 * another local in an inner block, as in TypeScript.
 */
import { describe, expect, it } from 'vitest';
import { SourceError } from '../../../compiler/errors.ts';
import { ModelFileError, parseModelFile } from '../../../compiler/frontend/typescript/parseModelFile.ts';

const H = "import type { Param } from 'gradc/prelude';\n";
const FILE = 'locals.model.ts';

function diagnosticsOf(body: string): readonly SourceError[] {
  try {
    parseModelFile(FILE, { text: H + body });
  } catch (e) {
    if (e instanceof ModelFileError) return e.diagnostics;
    throw e;
  }
  return [];
}

describe('local names', () => {
  it.each([
    ['const', 'export function f(x: Param<number>): number {\n  const y = x * 2;\n  const y = x * 3;\n  return y;\n}\n', 4, 9],
    ['let', 'export function f(x: Param<number>): number {\n  let y = x;\n  let y = x * 2;\n  return y;\n}\n', 4, 7],
    ['const in a branch', 'export function f(x: Param<number>): number {\n  let s = 0;\n  if (x > 0) {\n    const y = 2;\n    const y = 3;\n    s = y;\n  }\n  return s;\n}\n', 6, 11],
  ])('a %s declared twice in one block is an error at the second', (_, body, line, column) => {
    const [e, ...rest] = diagnosticsOf(body);
    expect(rest).toEqual([]);
    expect(e!.message).toBe("'y' is declared twice in the same block of f");
    expect(e!.location).toEqual({ file: FILE, line, column });
    expect(e!.format()).toMatch(/Give the new value its own name \(const y2 = …\), or declare 'y' once with let and assign it\./);
  });

  it.each([
    ['at the top of the body', 'export function f(x: Param<number>): number {\n  const x = 3;\n  return x * x;\n}\n', 3, 9],
    ['in an inner block', 'export function f(x: Param<number>, w: Param<number>): number {\n  let s = 0;\n  if (w > 0) {\n    const x = 3;\n    s = x * w;\n  }\n  return s + x;\n}\n', 5, 11],
    ['as a loop variable', 'export function f(x: Param<number>): number {\n  let s = 0;\n  for (let x = 0; x < 3; x++) {\n    s = s + x;\n  }\n  return s;\n}\n', 4, 3],
  ])('a local with a parameter’s name %s is an error there', (_, body, line, column) => {
    const [e, ...rest] = diagnosticsOf(body);
    expect(rest).toEqual([]);
    expect(e!.message).toBe("the local 'x' has the name of a parameter of f");
    expect(e!.location).toEqual({ file: FILE, line, column });
    expect(e!.format()).toMatch(/Rename the local \(say 'x2'\): in a model function a parameter's name always means the parameter\./);
  });

  it('a local may shadow another local in an inner block, and the same name may be declared in sibling blocks', () => {
    const body =
      'export function f(x: Param<number>): number {\n  const y = x * 2;\n  let s = y;\n  if (x > 0) {\n    const y = 3;\n    s = s + y;\n  } else {\n    const y = 4;\n    s = s * y;\n  }\n  return s;\n}\n';
    expect(diagnosticsOf(body)).toEqual([]);
  });
});
