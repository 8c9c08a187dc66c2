/** A repeated parameter name is a located fence error (on main it wrote a module that failed to load), and nothing is written. */
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileModelFiles } from '../../../compiler/build/compileModelFiles.ts';
import { compileModelFileStep } from '../../../compiler/build/compileModelFileStep.ts';
import { SourceError } from '../../../compiler/errors.ts';

const H = "import type { Param } from 'gradc/prelude';\n";

describe('duplicate parameter names', () => {
  it('are reported at the second parameter, with no file written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-dup-'));
    writeFileSync(join(dir, 'dup.model.ts'), `${H}export function f(x: Param<number>, x: number): number {\n  return x * x;\n}\n`);
    const [report] = compileModelFiles({ files: ['dup.model.ts'], cwd: dir, check: false, options: {}, generate: compileModelFileStep });
    expect(report!.error).toBeInstanceOf(SourceError);
    const e = report!.error as SourceError;
    expect(e.message).toBe("the parameter name 'x' is used twice in f");
    expect(e.location).toEqual({ file: 'dup.model.ts', line: 2, column: 37 });
    expect(existsSync(join(dir, 'dup.grad.ts'))).toBe(false);
  });
});
