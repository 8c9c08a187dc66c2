/**
 * The package's entry points are named in three places that must agree:
 * package.json `exports` (the build an installed package runs), tsconfig.json
 * `paths` (tsc and tsx in the checkout) and vitest.config.ts's aliases (tests).
 * Each export's `types` and `import` are the build of the source the other two name.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { SOURCE_ENTRIES } from '../../vitest.config.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface PackageJson {
  readonly name: string;
  readonly bin: Readonly<Record<string, string>>;
  readonly files: readonly string[];
  readonly exports: Readonly<Record<string, string | { readonly types: string; readonly import: string }>>;
  readonly dependencies: Readonly<Record<string, string>>;
}

const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as PackageJson;
const tsconfig = ts.readConfigFile(join(ROOT, 'tsconfig.json'), ts.sys.readFile).config as { compilerOptions: { paths: Record<string, string[]> } };

/** `./compiler/index.ts` → `./dist/compiler/index` (what tsc emits it as, without extension). */
const builtOf = (source: string): string => `./dist/${source.replace(/^\.\//, '').replace(/\.ts$/, '')}`;

const entryExports = Object.entries(pkg.exports).filter(([key]) => key !== './package.json');

describe('package entry points', () => {
  it('are the same names in exports, tsconfig paths and the vitest aliases', () => {
    const names = entryExports.map(([key]) => (key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`)).sort();
    expect(Object.keys(SOURCE_ENTRIES).sort()).toEqual(names);
    expect(Object.keys(tsconfig.compilerOptions.paths).sort()).toEqual(names);
  });

  it.each(entryExports)('%s: types and import are the build of the source tsconfig and vitest name', (key, target) => {
    const name = key === '.' ? pkg.name : `${pkg.name}/${key.slice(2)}`;
    const source = SOURCE_ENTRIES[name]!;
    expect(existsSync(join(ROOT, source))).toBe(true);
    expect(tsconfig.compilerOptions.paths[name]).toEqual([source]);
    expect(target).toEqual({ types: `${builtOf(source)}.d.ts`, import: `${builtOf(source)}.js` });
  });

  it('ship the build: the bin is built JavaScript inside a listed folder', () => {
    expect(pkg.bin.gradc).toBe('dist/compiler/bin/gradc.js');
    expect(existsSync(join(ROOT, 'compiler', 'bin', 'gradc.ts'))).toBe(true);
    expect(pkg.files).toContain('dist');
  });

  it('list every package the compiler and runtime import at run time as a dependency', () => {
    const imported = new Set<string>();
    const walk = (dir: string): void => {
      for (const entry of ts.sys.readDirectory(join(ROOT, dir), ['.ts'], ['**/*.test.ts'])) {
        const text = readFileSync(entry, 'utf8');
        // Static imports and re-exports (not `import type`), dynamic import(), require() and createRequire(…)(…).
        for (const m of text.matchAll(/^(?!import type)(?:import|export)[^'"]*from '([^'.][^']*)'|\bimport\('([^'.][^']*)'\)|require\('([^'.][^']*)'\)|createRequire\([^)]*\)\('([^'.][^']*)'\)/gm)) {
          const spec = m[1] ?? m[2] ?? m[3] ?? m[4]!;
          if (spec.startsWith('node:') || spec.startsWith(`${pkg.name}/`)) continue;
          imported.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!);
        }
      }
    };
    walk('compiler');
    walk('runtime');
    const missing = [...imported].filter((name) => pkg.dependencies[name] === undefined);
    expect(missing).toEqual([]);
    for (const name of ['typescript', 'mathjs', 'ts-morph', 'vega', '@resvg/resvg-js']) expect(imported.has(name)).toBe(true);
  });
});
