/**
 * Every example's generated module is checked in, up to date with its model
 * file, covered by the repo's strict tsconfig (so `npm run typecheck` in CI
 * checks it), and type-checks on its own under the generated-module contract's
 * flags: it imports nothing.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { globSync } from 'tinyglobby';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { main } from '../../compiler/cli.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const models = globSync('examples/**/*.model.ts', { cwd: ROOT }).sort();
const generated = models.map((m) => m.replace(/\.model\.ts$/, '.grad.ts'));

describe('generated example modules', () => {
  it('exist for the three examples of issue 4 at least', () => {
    for (const name of ['rosenbrock/rosenbrock', 'logistic-regression/logistic', 'mlp/mlp']) {
      expect(models).toContain(`examples/${name}.model.ts`);
    }
  });

  it('are up to date: gradc compile --check over every example model file exits 0', async () => {
    const err: string[] = [];
    const code = await main(['compile', '--check', 'examples/**/*.model.ts'], { out: () => {}, err: (s) => err.push(s) }, { cwd: ROOT });
    expect(err).toEqual([]);
    expect(code).toBe(0);
  });

  it('are in the repo tsconfig, whose strict flags apply to them', () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(`${ROOT}tsconfig.json`, {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    expect(parsed).toBeDefined();
    const { options, fileNames } = parsed!;
    expect([options.strict, options.noUnusedLocals, options.noUnusedParameters]).toEqual([true, true, true]);
    for (const file of generated) expect(fileNames).toContain(`${ROOT}${file}`);
  });

  it('pass tsc --strict --noUnusedLocals --noUnusedParameters --noEmit on their own, with no lib beyond ES2022', () => {
    const options: ts.CompilerOptions = {
      strict: true,
      noUnusedLocals: true,
      noUnusedParameters: true,
      noEmit: true,
      allowImportingTsExtensions: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
      lib: ['lib.es2022.d.ts'],
      types: [],
    };
    const program = ts.createProgram(generated.map((f) => `${ROOT}${f}`), options);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
    for (const file of generated) expect(readFileSync(`${ROOT}${file}`, 'utf8')).not.toMatch(/^import /m);
  });
});
