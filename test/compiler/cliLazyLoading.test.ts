/**
 * Each command loads only what it needs: `gradc --version` loads none of the
 * heavy packages, `gradc compile` of a model file without an `expr` template
 * loads ts-morph but neither mathjs nor TypeScript's own compiler (that one is for
 * --check and --emit js), and `gradc diff` loads mathjs but not ts-morph. Checked
 * in a fresh process, by the CommonJS modules it has loaded (all three packages are
 * CommonJS); how long start-up takes is measured by `npm run bench -- startup`.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const CLI = pathToFileURL(fileURLToPath(new URL('../../compiler/cli.ts', import.meta.url))).href;
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const MODEL = fileURLToPath(new URL('../package/project/line.model.ts', import.meta.url));
const HEAVY = ['mathjs', 'ts-morph', 'typescript'] as const;

const dir = mkdtempSync(join(tmpdir(), 'gradc-lazy-'));
copyFileSync(MODEL, join(dir, 'line.model.ts'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The heavy packages loaded by running `gradc <argv…>` from the sources in a fresh process. */
function heavyPackagesLoaded(...argv: string[]): string[] {
  const script = [
    "import { createRequire } from 'node:module';",
    `const { main } = await import(${JSON.stringify(CLI)});`,
    `const code = await main(${JSON.stringify(argv)}, { out: () => {}, err: (s) => process.stderr.write(s + '\\n') });`,
    'if (code !== 0) process.exit(code);',
    'console.log(JSON.stringify(Object.keys(createRequire(import.meta.url).cache)));',
  ].join('\n');
  const out = execFileSync(process.execPath, ['--import', TSX_LOADER, '--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
  const files = JSON.parse(out) as string[];
  return HEAVY.filter((name) => files.some((f) => f.includes(`${sep}node_modules${sep}${name}${sep}`)));
}

describe('the CLI loads heavy packages only for the commands that need them', () => {
  it('gradc --version loads none of mathjs, ts-morph and typescript', () => {
    expect(heavyPackagesLoaded('--version')).toEqual([]);
  });

  it('gradc compile loads ts-morph only', () => {
    expect(heavyPackagesLoaded('compile', 'line.model.ts')).toEqual(['ts-morph']);
  });

  it('gradc compile --emit js also loads typescript (its transpiler keeps comments)', () => {
    expect(heavyPackagesLoaded('compile', 'line.model.ts', '--emit', 'js')).toEqual(['ts-morph', 'typescript']);
  });

  it('gradc diff loads mathjs only', () => {
    expect(heavyPackagesLoaded('diff', 'x^2', '--wrt', 'x')).toEqual(['mathjs']);
  });
});
