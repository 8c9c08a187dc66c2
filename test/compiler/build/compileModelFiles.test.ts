/** The build mechanics with a stand-in compile step: globs, byte comparison, atomic writes of changed files only. */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { compileModelFiles } from '../../../compiler/build/compileModelFiles.ts';
import { findModelFiles } from '../../../compiler/build/findModelFiles.ts';
import { exitCode, reportLines } from '../../../compiler/build/report.ts';
import { UsageError } from '../../../compiler/errors.ts';
import type { Generate } from '../../../compiler/build/generate.ts';
import { echoGenerate } from './echoGenerate.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradc-build-'));
  mkdirSync(join(dir, 'src/nested'), { recursive: true });
  mkdirSync(join(dir, 'node_modules/pkg'), { recursive: true });
  writeFileSync(join(dir, 'src/a.model.ts'), 'alpha');
  writeFileSync(join(dir, 'src/nested/b.model.ts'), 'beta');
  writeFileSync(join(dir, 'node_modules/pkg/c.model.ts'), 'ignored');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const compile = (files: string[], check = false, options = {}) =>
  compileModelFiles({ files, cwd: dir, check, options, generate: echoGenerate(dir) });

describe('findModelFiles', () => {
  it('expands globs relative to the folder, sorted, without node_modules or repeats', () => {
    expect(findModelFiles(['**/*.model.ts', 'src/a.model.ts'], dir)).toEqual(['src/a.model.ts', 'src/nested/b.model.ts']);
    expect(findModelFiles(['./src/a.model.ts'], dir)).toEqual(['src/a.model.ts']);
  });

  it('makes a name that matches nothing a usage error, so CI never checks zero files', () => {
    expect(() => findModelFiles(['src/missing.model.ts'], dir)).toThrow(new UsageError('no such file: src/missing.model.ts'));
    expect(() => findModelFiles(['lib/**/*.model.ts'], dir)).toThrow(/no files match 'lib\/\*\*\/\*\.model\.ts'/);
    expect(() => findModelFiles([], dir)).toThrow(UsageError);
  });
});

describe('compileModelFiles', () => {
  it('writes each generated module beside its model file and reports it', () => {
    const reports = compile(['src/a.model.ts', 'src/nested/b.model.ts']);
    expect(reports.map((r) => r.outputs.map((o) => [o.path, o.status]))).toEqual([[['src/a.grad.ts', 'written']], [['src/nested/b.grad.ts', 'written']]]);
    expect(readFileSync(join(dir, 'src/a.grad.ts'), 'utf8')).toContain('"ALPHA"');
    const bytes = statSync(join(dir, 'src/a.grad.ts')).size;
    expect(reportLines(reports[0]!, false)).toEqual([{ stream: 'out', text: `compiled src/a.model.ts → src/a.grad.ts (1 function, ${bytes} B)` }]);
    expect(exitCode(reports)).toBe(0);
  });

  it('leaves an unchanged module untouched (same inode, same mtime) and replaces a changed one by rename', () => {
    compile(['src/a.model.ts']);
    const before = statSync(join(dir, 'src/a.grad.ts'));
    const again = compile(['src/a.model.ts']);
    expect(again[0]!.outputs[0]!.status).toBe('unchanged');
    expect(reportLines(again[0]!, false)[0]!.text).toMatch(/^unchanged src\/a\.model\.ts → src\/a\.grad\.ts/);
    const same = statSync(join(dir, 'src/a.grad.ts'));
    expect([same.ino, same.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
    writeFileSync(join(dir, 'src/a.model.ts'), 'alpha 2');
    compile(['src/a.model.ts']);
    // write-file-atomic writes a temporary file and renames it over the old one: a new inode, never a half-written file.
    expect(statSync(join(dir, 'src/a.grad.ts')).ino).not.toBe(before.ino);
    expect(readdirSync(join(dir, 'src')).sort()).toEqual(['a.grad.ts', 'a.model.ts', 'nested']);
  });

  it('--check writes nothing, names stale and missing outputs and fails; passes once they are regenerated', () => {
    const missing = compile(['src/a.model.ts'], true);
    expect(missing[0]!.outputs[0]!.status).toBe('stale');
    expect(readdirSync(join(dir, 'src'))).not.toContain('a.grad.ts');
    compile(['src/a.model.ts']);
    expect(exitCode(compile(['src/a.model.ts'], true))).toBe(0);
    writeFileSync(join(dir, 'src/a.model.ts'), 'alpha edited');
    const stale = compile(['src/a.model.ts'], true);
    expect(exitCode(stale)).toBe(1);
    expect(reportLines(stale[0]!, true)).toEqual([{ stream: 'err', text: 'stale: src/a.grad.ts is out of date with src/a.model.ts (run gradc compile src/a.model.ts)' }]);
  });

  it('reports a mistake in one model file with its location and still compiles the others', () => {
    writeFileSync(join(dir, 'src/a.model.ts'), 'ok\nfail\n');
    const reports = compile(['src/a.model.ts', 'src/nested/b.model.ts']);
    expect(exitCode(reports)).toBe(1);
    expect(reportLines(reports[0]!, false)[0]!.text).toBe("src/a.model.ts:2:1: error: this line says fail\n  fail\n  ^\nRemove the line 'fail'.");
    expect(reports[1]!.outputs[0]!.status).toBe('written');
  });

  it('maps outputs into --out-dir and writes .js with .d.ts for --emit js', () => {
    const reports = compile(['src/a.model.ts'], false, { outDir: 'gen', emit: 'js' });
    expect(reports[0]!.outputs.map((o) => o.path)).toEqual(['gen/a.grad.js', 'gen/a.grad.d.ts']);
    expect(readdirSync(join(dir, 'gen')).sort()).toEqual(['a.grad.d.ts', 'a.grad.js']);
    expect(reportLines(reports[0]!, false)[0]!.text).toMatch(/→ gen\/a\.grad\.js, gen\/a\.grad\.d\.ts \(1 function, /);
  });

  it('never writes a generated module that does not load: an internal error naming the model, and no file', () => {
    const broken: Generate = (path) => ({ files: [{ path: path.replace(/\.model\.ts$/, '.grad.ts'), content: 'export function f(a, a) { return a; }\nexport const x = ;\n' }] });
    const reports = compileModelFiles({ files: ['src/a.model.ts'], cwd: dir, check: false, options: {}, generate: broken });
    expect(reports[0]!.outputs).toEqual([]);
    expect(existsSync(join(dir, 'src/a.grad.ts'))).toBe(false);
    const [line] = reportLines(reports[0]!, false);
    expect(line!.stream).toBe('err');
    expect(line!.text).toMatch(/^gradc: internal error while compiling src\/a\.model\.ts \(please report\): .*the generated module src\/a\.grad\.ts does not load, so it was not written/);
    expect(exitCode(reports)).toBe(1);
  });

  it('under --check, a generated module that loads but does not type-check is an internal error too', () => {
    writeFileSync(join(dir, 'src/a.grad.ts'), 'stale');
    const mistyped: Generate = (path) => ({ files: [{ path: path.replace(/\.model\.ts$/, '.grad.ts'), content: "export const x: number = 'a';\n" }] });
    const reports = compileModelFiles({ files: ['src/a.model.ts'], cwd: dir, check: true, options: {}, generate: mistyped });
    expect(reports[0]!.outputs).toEqual([]);
    expect(String(reports[0]!.error)).toMatch(/the generated module src\/a\.grad\.ts does not type-check: 1:14: Type 'string' is not assignable to type 'number'/);
    expect(readFileSync(join(dir, 'src/a.grad.ts'), 'utf8')).toBe('stale');
  });

  it('under --check, an unused declaration in a generated module is an internal error (noUnusedLocals, as promised)', () => {
    const unused: Generate = (path) => ({
      files: [{ path: path.replace(/\.model\.ts$/, '.grad.ts'), content: 'export function f(x: number): number {\n  const t5 = x * 2;\n  return x;\n}\n' }],
    });
    const reports = compileModelFiles({ files: ['src/a.model.ts'], cwd: dir, check: true, options: {}, generate: unused });
    expect(String(reports[0]!.error)).toMatch(/the generated module src\/a\.grad\.ts does not type-check: 2:9: 't5' is declared but its value is never read/);
  });
});
