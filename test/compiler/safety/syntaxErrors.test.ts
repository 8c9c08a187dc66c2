/**
 * TypeScript syntax errors and files nested too deeply to walk are located
 * errors before lowering (on main they were "unknown variable ''", compiled,
 * an internal error with a stack, or a stack overflow), and nothing is written.
 */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileModelFiles } from '../../../compiler/build/compileModelFiles.ts';
import { compileModelFileStep } from '../../../compiler/build/compileModelFileStep.ts';
import { SourceError } from '../../../compiler/errors.ts';
import { MAX_SYNTAX_DEPTH } from '../../../compiler/frontend/typescript/adapter.ts';

const H = "import { add, sum } from 'gradc/prelude';\nimport type { Param, Tensor } from 'gradc/prelude';\n";
const body = (e: string) => `${H}export function f(x: Param<number>): number {\n  return ${e};\n}\n`;

const CASES: readonly { name: string; text: string; message: string; line: number; column: number }[] = [
  { name: 'a missing operand', text: body('x +'), message: 'syntax error: expression expected', line: 4, column: 13 },
  { name: 'a missing closing brace', text: `${H}export function f(x: Param<number>): number {\n  return x * 2;\n`, message: "syntax error: '}' expected", line: 5, column: 1 },
  { name: 'an import without a module', text: 'import { add } from;\nexport function f(x: number): number {\n  return x;\n}\n', message: 'syntax error: expression expected', line: 1, column: 20 },
  { name: 'a broken string in a shape', text: `${H}export function f(x: Param<Tensor<['a'b']>>): number {\n  return sum(x);\n}\n`, message: "syntax error: ',' expected", line: 3, column: 39 },
  { name: 'a 20 000-term sum', text: body(Array(20000).fill('x').join(' + ')), message: `expression too deeply nested (limit ${MAX_SYNTAX_DEPTH} levels)`, line: 4, column: 10 },
  // 9 columns before `return`'s operand; the function's `{` is one level, so the 500th `(` is the first too deep.
  { name: '20 000 nested parentheses', text: body(`${'('.repeat(20000)}x${')'.repeat(20000)}`), message: `expression too deeply nested (limit ${MAX_SYNTAX_DEPTH} levels)`, line: 4, column: 10 + MAX_SYNTAX_DEPTH - 1 },
];

describe('unreadable model files', () => {
  for (const c of CASES) {
    it(`${c.name}: a located error, no file written`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'gradc-syntax-'));
      writeFileSync(join(dir, 'bad.model.ts'), c.text);
      const [report] = compileModelFiles({ files: ['bad.model.ts'], cwd: dir, check: false, options: {}, generate: compileModelFileStep });
      const error = report!.error;
      expect(error).toBeInstanceOf(SourceError);
      const e = error as SourceError;
      expect(e.message).toBe(c.message);
      expect(e.location).toEqual({ file: 'bad.model.ts', line: c.line, column: c.column });
      expect(e.format()).not.toMatch(/Maximum call stack|at \w+ \(/);
      expect(existsSync(join(dir, 'bad.grad.ts'))).toBe(false);
    });
  }

  it('a sum just under the limit compiles', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-syntax-'));
    writeFileSync(join(dir, 'ok.model.ts'), body(Array(400).fill('x').join(' + ')));
    const [report] = compileModelFiles({ files: ['ok.model.ts'], cwd: dir, check: false, options: {}, generate: compileModelFileStep });
    expect(report!.error).toBeUndefined();
    expect(existsSync(join(dir, 'ok.grad.ts'))).toBe(true);
  });
});
