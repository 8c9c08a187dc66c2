/** gradc.config.ts: loaded with jiti (TypeScript, no build step), validated with zod, errors naming file and key. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { findConfig, loadConfig, validateConfig } from '../../../compiler/build/loadConfig.ts';
import { defineConfig } from '../../../compiler/config.ts';
import { UsageError } from '../../../compiler/errors.ts';

let dir: string;
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'gradc-config-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('gradc.config.ts', () => {
  it('loads a TypeScript config that imports defineConfig from gradc/config', async () => {
    writeFileSync(join(dir, 'gradc.config.ts'), [
      "import { defineConfig } from 'gradc/config';",
      'const outDir: string = "generated";',
      "export default defineConfig({ inputs: ['src/**/*.model.ts'], outDir, wrt: ['W1', 'b1'], emit: 'js' });",
    ].join('\n'));
    expect(findConfig(dir)).toBe(join(dir, 'gradc.config.ts'));
    const loaded = await loadConfig('gradc.config.ts', dir);
    expect(loaded.config).toEqual({ inputs: ['src/**/*.model.ts'], outDir: 'generated', wrt: ['W1', 'b1'], emit: 'js' });
  });

  it('finds no config where there is none', () => {
    expect(findConfig(dir)).toBeUndefined();
  });

  it.each([
    [{ inputs: 'src/*.model.ts' }, "gradc.config.ts: invalid config key 'inputs': Invalid input: expected array, received string"],
    [{ emit: 'wasm' }, `gradc.config.ts: invalid config key 'emit': 'wasm' is not a language (ts, js) or a function kind`],
    [{ emit: ['js', 'gradeint'] }, `gradc.config.ts: invalid config key 'emit': 'gradeint' is not a language (ts, js) or a function kind (value, gradient, jvp, vjp, hvp, ggnvp, hessian, jacobian, flat); did you mean 'gradient'?`],
    [{ emit: 3 }, `gradc.config.ts: invalid config key 'emit': must be 'ts', 'js' or a list`],
    [{ outdir: 'gen' }, "gradc.config.ts: unknown config key 'outdir'; did you mean 'outDir'?"],
    [{ wrt: ['W1', '2b'] }, "gradc.config.ts: invalid config key 'wrt.1': must be a parameter name"],
    [{ wrt: [] }, "gradc.config.ts: invalid config key 'wrt'"],
    ['src', 'gradc.config.ts: invalid config: Invalid input: expected object, received string'],
  ])('rejects %j naming the file and the key', (value, message) => {
    expect(() => validateConfig(value, 'gradc.config.ts')).toThrow(UsageError);
    expect(() => validateConfig(value, 'gradc.config.ts')).toThrow(message);
  });

  it('reports a config that does not load as a usage error naming the file', async () => {
    writeFileSync(join(dir, 'gradc.config.ts'), 'export default {{;');
    await expect(loadConfig('gradc.config.ts', dir)).rejects.toThrow(/^gradc\.config\.ts: could not load the config: /);
    await expect(loadConfig('other.config.ts', dir)).rejects.toThrow('config file not found: other.config.ts');
  });

  it('defineConfig returns its argument, for editor checking only', () => {
    const config = { inputs: ['a.model.ts'] };
    expect(defineConfig(config)).toBe(config);
  });
});
