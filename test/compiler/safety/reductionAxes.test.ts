/**
 * Reduction axes in a model file: an axis out of range, listed twice or not
 * an integer is a located error (file, line, column, a hint), never a
 * silently different shape. Before, [1, -1] on a matrix was quietly taken
 * as [1].
 */
import { describe, expect, it } from 'vitest';
import { ModelFileError, parseModelFile } from '../../../compiler/frontend/typescript/parseModelFile.ts';

const HEADER = "import { sum, max } from 'gradc/prelude';\nimport type { Param, Tensor } from 'gradc/prelude';\n";
const FILE = 'axes.model.ts';

function rejected(body: string): { error: ModelFileError; line: number; column: number } {
  const full = HEADER + `export function f(a: Param<Tensor<[3, 2]>>): number {\n  return sum(${body});\n}\n`;
  const index = full.indexOf('@@');
  const before = full.slice(0, index).split('\n');
  try {
    parseModelFile(FILE, { text: full.replace('@@', '') });
  } catch (e) {
    if (e instanceof ModelFileError) return { error: e, line: before.length, column: before[before.length - 1]!.length + 1 };
    throw e;
  }
  throw new Error(`expected ${body} to be rejected`);
}

describe('reduction axes in a model file', () => {
  it.each([
    ['@@sum(a, [1, -1])', /reduceSum: axis 1 is listed twice \(as 1 and -1\); list each axis once/],
    ['@@sum(a, [0, 0])', /reduceSum: axis 0 is listed twice; list each axis once/],
    ['@@max(a, [2])', /reduceMax: axis 2 is out of range for rank 2 \(axes run from 0 to 1, or -2 to -1 from the end\)/],
    ['@@sum(a, [0.5])', /reduceSum: axis 0.5 is not an integer/],
  ])('%s is refused where it is written', (body, message) => {
    const { error, line, column } = rejected(body);
    const d = error.diagnostics.find((x) => message.test(x.message));
    expect(d, error.format()).toBeDefined();
    expect(d!.location).toEqual({ file: FILE, line, column });
  });
});
