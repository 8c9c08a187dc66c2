/**
 * The bundler plugin in real builds: Vite 8 (programmatic build()) and
 * esbuild bundle a tiny app that imports a generated module next to a model
 * file that has never been compiled on disk; the bundle's gradient is checked
 * against the closed form and central differences of the model's eager run.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gradcPlugin, modelFileOf } from '../../../compiler/build/unplugin.ts';

const MODEL = [
  "import type { Param } from 'gradc/prelude';",
  '',
  '/** x² sin(y) */',
  'export function f(x: Param<number>, y: Param<number>): number {',
  '  return x * x * Math.sin(y);',
  '}',
  '',
].join('\n');

/** The app: evaluates the generated value-and-gradient at (1.5, 0.3). */
const APP = [
  "import { fValueAndGradient } from './bowl.grad.ts';",
  'const gradient = new Float64Array(2);',
  'export const value: number = fValueAndGradient(1.5, 0.3, gradient);',
  'export { gradient };',
  '',
].join('\n');

interface Bundle {
  readonly value: number;
  readonly gradient: Float64Array;
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradc-plugin-'));
  writeFileSync(join(dir, 'bowl.model.ts'), MODEL);
  writeFileSync(join(dir, 'main.ts'), APP);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectRightGradient(bundle: Bundle): void {
  const [x, y] = [1.5, 0.3];
  const f = (a: number, b: number) => a * a * Math.sin(b);
  const h = 1e-6;
  expect(bundle.value).toBeCloseTo(f(x, y), 14);
  expect(bundle.gradient[0]).toBeCloseTo(2 * x * Math.sin(y), 13);
  expect(bundle.gradient[1]).toBeCloseTo(x * x * Math.cos(y), 13);
  expect(bundle.gradient[0]).toBeCloseTo((f(x + h, y) - f(x - h, y)) / (2 * h), 8);
  expect(bundle.gradient[1]).toBeCloseTo((f(x, y + h) - f(x, y - h)) / (2 * h), 8);
}

describe('gradc/unplugin', () => {
  it('maps generated-module imports to the model file beside them', () => {
    const importer = join(dir, 'main.ts');
    for (const id of ['./bowl.grad.ts', './bowl.grad.js', './bowl.grad', './bowl.model.ts?grad']) {
      expect(modelFileOf(id, importer)).toBe(join(dir, 'bowl.model.ts'));
    }
    expect(modelFileOf('./absent.grad.ts', importer)).toBeUndefined();
  });

  it('a real Vite build compiles the model file and the bundle computes the right gradient', async () => {
    const outDir = join(dir, 'vite-dist');
    await viteBuild({
      root: dir,
      configFile: false,
      logLevel: 'silent',
      plugins: [gradcPlugin.vite()],
      build: { outDir, minify: false, lib: { entry: join(dir, 'main.ts'), formats: ['es'], fileName: 'bundle' } },
    });
    const [file] = readdirSync(outDir);
    expectRightGradient((await import(pathToFileURL(join(outDir, file!)).href)) as Bundle);
  });

  it('a real esbuild build does the same', async () => {
    const outfile = join(dir, 'esbuild-dist', 'bundle.mjs');
    await esbuild({ entryPoints: [join(dir, 'main.ts')], bundle: true, format: 'esm', outfile, logLevel: 'silent', plugins: [gradcPlugin.esbuild()] });
    expectRightGradient((await import(pathToFileURL(outfile).href)) as Bundle);
  });

  it('fails the build with the located message for a mistake in the model file', async () => {
    writeFileSync(join(dir, 'bad.model.ts'), 'export function g(x: number): number {\n  return x.foo;\n}\n');
    writeFileSync(join(dir, 'bad.ts'), "import { g } from './bad.grad.ts';\nexport const v: number = g(1);\n");
    const failure = viteBuild({ root: dir, configFile: false, logLevel: 'silent', plugins: [gradcPlugin.vite()], build: { write: false, lib: { entry: join(dir, 'bad.ts'), formats: ['es'], fileName: 'bad' } } });
    await expect(failure).rejects.toThrow(/bad\.model\.ts:2:\d+: error: /);
  });
});
