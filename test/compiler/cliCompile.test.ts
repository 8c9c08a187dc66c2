/** `gradc compile` through `main` with a stand-in compile step: flags, config, exit codes, messages. */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../compiler/cli.ts';
import { echoGenerate } from './build/echoGenerate.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradc-cli-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src/a.model.ts'), 'alpha');
  writeFileSync(join(dir, 'src/b.model.ts'), 'beta');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, { generate: echoGenerate(dir), cwd: dir });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('gradc compile', () => {
  it('compiles globbed model files, one progress line each, and exits 0', async () => {
    const r = await run('compile', 'src/*.model.ts');
    expect(r.code).toBe(0);
    expect(r.out.split('\n')).toEqual([
      expect.stringMatching(/^compiled src\/a\.model\.ts → src\/a\.grad\.ts \(1 function, \d+ B\)$/),
      expect.stringMatching(/^compiled src\/b\.model\.ts → src\/b\.grad\.ts \(1 function, \d+ B\)$/),
    ]);
    expect((await run('compile', 'src/*.model.ts')).out).toMatch(/^unchanged src\/a\.model\.ts/);
  });

  it('--check exits 1 naming the stale file after an edit, and 0 after recompiling', async () => {
    expect((await run('compile', 'src/*.model.ts')).code).toBe(0);
    expect((await run('compile', '--check', 'src/*.model.ts')).code).toBe(0);
    writeFileSync(join(dir, 'src/b.model.ts'), 'beta, edited');
    const stale = await run('compile', '--check', 'src/*.model.ts');
    expect(stale.code).toBe(1);
    expect(stale.err).toBe('stale: src/b.grad.ts is out of date with src/b.model.ts (run gradc compile src/b.model.ts)\ngradc compile --check: 1 of 2 generated files are stale; run gradc compile to update them');
    expect(readFileSync(join(dir, 'src/b.grad.ts'), 'utf8')).not.toContain('EDITED');
    await run('compile', 'src/*.model.ts');
    expect((await run('compile', '--check', 'src/*.model.ts')).code).toBe(0);
  });

  it('passes --wrt, --out-dir and --emit to the compile step', async () => {
    const r = await run('compile', 'src/a.model.ts', '--wrt', 'W1, b1', '--out-dir', 'gen', '--emit', 'js');
    expect(r.code).toBe(0);
    expect(readFileSync(join(dir, 'gen/a.grad.js'), 'utf8')).toMatch(/^\/\/ generated from src\/a\.model\.ts wrt W1,b1\n/);
    expect(existsSync(join(dir, 'gen/a.grad.d.ts'))).toBe(true);
  });

  it('takes inputs and options from gradc.config.ts; flags override it', async () => {
    writeFileSync(join(dir, 'gradc.config.ts'), "import { defineConfig } from 'gradc/config';\nexport default defineConfig({ inputs: ['src/a.model.ts'], outDir: 'generated', wrt: ['x'] });\n");
    expect((await run('compile')).code).toBe(0);
    expect(readFileSync(join(dir, 'generated/a.grad.ts'), 'utf8')).toContain('wrt x\n');
    expect(existsSync(join(dir, 'generated/b.grad.ts'))).toBe(false);
    expect((await run('compile', 'src/b.model.ts', '--wrt', 'y', '--out-dir', 'other')).code).toBe(0);
    expect(readFileSync(join(dir, 'other/b.grad.ts'), 'utf8')).toContain('wrt y\n');
  });

  it('exits 1 with the located message for a mistake in a model file, and no stack trace', async () => {
    writeFileSync(join(dir, 'src/a.model.ts'), 'fine\nfail');
    const r = await run('compile', 'src/*.model.ts');
    expect(r.code).toBe(1);
    expect(r.err).toBe("src/a.model.ts:2:1: error: this line says fail\n  fail\n  ^\nRemove the line 'fail'.");
    expect(r.out).toMatch(/^compiled src\/b\.model\.ts/);
  });

  it.each([
    [['compile', 'src/missing.model.ts'], 'gradc: error: no such file: src/missing.model.ts'],
    [['compile', 'lib/*.model.ts'], "gradc: error: no files match 'lib/*.model.ts'"],
    [['compile'], 'gradc: error: no model files given'],
    [['compile', 'src/a.model.ts', '--emit', 'wasm'], "--emit: 'wasm' is not a language (ts, js) or a function kind (value, gradient, jvp, vjp, hvp, ggnvp, hessian, jacobian, flat)"],
    [['compile', 'src/a.model.ts', '--emit', 'js,valeu'], "--emit: 'valeu' is not a language (ts, js) or a function kind (value, gradient, jvp, vjp, hvp, ggnvp, hessian, jacobian, flat); did you mean 'value'?"],
    [['compile', 'src/a.model.ts', '--wrt', ','], 'gradc: error: --wrt needs at least one parameter name'],
    [['compile', 'src/a.model.ts', '--watch', '--check'], 'gradc: error: --watch and --check do not go together'],
    [['compile', 'src/a.model.ts', '--config', 'nope.ts'], 'gradc: error: config file not found: nope.ts'],
    [['compile', 'src/a.model.ts', '--frobnicate'], "error: unknown option '--frobnicate'"],
  ])('exits 2 for a usage error: %j', async (argv, message) => {
    const r = await run(...argv);
    expect(r.code).toBe(2);
    expect(r.err).toContain(message);
    expect(r.err).not.toMatch(/\n\s+at .*\.ts:\d+/);
  });

  it('exits 2 naming the config file and the bad key', async () => {
    writeFileSync(join(dir, 'gradc.config.ts'), "export default { inputs: ['src/a.model.ts'], outdir: 'x' };\n");
    const r = await run('compile');
    expect(r.code).toBe(2);
    expect(r.err).toContain("gradc: error: gradc.config.ts:1:46: unknown config key 'outdir'; did you mean 'outDir'?");
  });
  it('gradc compile --watch prints rounds until stopped, then exits 0', async () => {
    const out: string[] = [];
    let stop!: () => void;
    const stopWatching = new Promise<void>((resolve) => (stop = resolve));
    const io = { out: (s: string) => {
      out.push(s);
      if (s.startsWith('watching')) writeFileSync(join(dir, 'src/a.model.ts'), 'edited');
      if (out.length === 3) stop();
    }, err: (s: string) => out.push(s) };
    const code = await main(['compile', '--watch', 'src/a.model.ts'], io, { generate: echoGenerate(dir), cwd: dir, stopWatching });
    expect(code).toBe(0);
    expect(out[0]).toMatch(/^compiled src\/a\.model\.ts → src\/a\.grad\.ts/);
    expect(out[1]).toBe('watching for changes (Ctrl-C to stop)');
    expect(out[2]).toMatch(/^compiled src\/a\.model\.ts → src\/a\.grad\.ts/);
    expect(readFileSync(join(dir, 'src/a.grad.ts'), 'utf8')).toContain('"EDITED"');
  });
});
