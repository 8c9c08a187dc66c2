/**
 * `npm run test:package`: gradc used the way a user uses it, from its tarball.
 *
 * Packs this checkout (`npm pack` runs `prepare`, which builds dist/), installs the
 * tarball into a fresh temporary project (from the local npm cache where it can),
 * and there: runs the installed `gradc` bin (`--version`, `diff`, `compile --emit js`
 * twice: compiled, then unchanged), trains the generated module to its optimum from
 * a plain `.mjs` run by `node` (no TypeScript loader anywhere), bundles an app with
 * `gradc/unplugin` under esbuild and runs it, and type-checks a `.ts` consumer and
 * the model file with that project's own `tsc`. Slow (about a minute, most of it
 * npm), so `.ci/run` calls it as its own step rather than as part of `npm test`.
 *
 * GRADC_PACKAGE_KEEP=1 keeps the temporary project and prints where it is.
 */
import { strict as assert } from 'node:assert';
import { execFileSync, type ExecFileSyncOptions } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./project/', import.meta.url));
const NPM_INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund'];

interface PackResult {
  readonly filename: string;
  readonly entryCount: number;
  readonly size: number;
  readonly unpackedSize: number;
  readonly files: readonly { readonly path: string }[];
}

const log = (text: string): void => void process.stdout.write(`${text}\n`);

function run(command: string, args: readonly string[], cwd: string, options: ExecFileSyncOptions = {}): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], ...options }).toString();
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: unknown; stderr?: unknown };
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${String(stdout ?? '')}${String(stderr ?? '')}`, { cause: e });
  }
}

function step<T>(title: string, body: () => T): T {
  const started = performance.now();
  const value = body();
  log(`ok  ${title} (${((performance.now() - started) / 1000).toFixed(1)} s)`);
  return value;
}

/** The tarball, packed into `dir`: what `npm publish` would upload. */
function pack(dir: string): PackResult {
  const [result] = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', dir], ROOT)) as PackResult[];
  assert.ok(result !== undefined, 'npm pack printed no result');
  const paths = result.files.map((f) => f.path);
  for (const needed of ['dist/compiler/bin/gradc.js', 'dist/compiler/index.d.ts', 'dist/runtime/index.js', 'dist/compiler/prelude/index.d.ts', 'README.md']) {
    assert.ok(paths.includes(needed), `the tarball lacks ${needed}`);
  }
  const unwanted = paths.filter((p) => /^(test|examples)\/|\.test\.|(?<!\.d)\.ts$/.test(p));
  assert.deepEqual(unwanted, [], 'the tarball holds tests, examples or TypeScript sources');
  log(`    tarball ${result.filename}: ${result.entryCount} files, ${(result.size / 1024).toFixed(0)} kB packed, ${(result.unpackedSize / 1024).toFixed(0)} kB unpacked`);
  return result;
}

function newProject(dir: string, tarball: string): void {
  cpSync(FIXTURE, dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: 'gradc-user', private: true, type: 'module' }, null, 2)}\n`);
  const esbuild = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies.esbuild;
  // The user's own tools, as `tsc --init` and a Node project have them: TypeScript 5
  // and Node's types for their tsc (skipLibCheck, as tsc --init writes it: unplugin's
  // declarations name every bundler's types), esbuild for their bundle.
  run('npm', [...NPM_INSTALL, tarball, 'typescript@5', '@types/node@20', `esbuild@${esbuild}`], dir);
}

function checkCli(dir: string): void {
  const gradc = join(dir, 'node_modules', '.bin', 'gradc');
  const version = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  assert.equal(run(gradc, ['--version'], dir).trim(), version);
  const diff = JSON.parse(run(gradc, ['diff', 'x^3', '--wrt', 'x', '--at', 'x=2', '--format', 'json'], dir)) as unknown;
  assert.deepEqual(diff, { value: 8, gradient: [12] });
  const first = run(gradc, ['compile', 'line.model.ts', '--emit', 'js'], dir);
  assert.match(first, /^compiled line\.model\.ts → line\.grad\.js/m);
  assert.ok(existsSync(join(dir, 'line.grad.js')) && existsSync(join(dir, 'line.grad.d.ts')), 'compile --emit js wrote no .js and .d.ts');
  assert.match(run(gradc, ['compile', 'line.model.ts', '--emit', 'js'], dir), /^unchanged line\.model\.ts → line\.grad\.js/m);
}

function checkTraining(dir: string): void {
  const out = run(process.execPath, ['train.mjs'], dir);
  log(out.trimEnd().replace(/^/gm, '    '));
}

function checkPlugin(dir: string): void {
  const bundled = join(dir, 'bundled');
  cpSync(join(dir, 'line.model.ts'), join(bundled, 'line.model.ts'));
  run(process.execPath, ['build.mjs'], bundled);
  const result = JSON.parse(run(process.execPath, [join('out', 'app.mjs')], bundled)) as { params: string[]; value: number; gradient: number[] };
  // At (w, b) = (3, −1) the line misses (0, −1) by 0 and (1, 2) by 0: loss and gradient are 0.
  assert.deepEqual(result, { params: ['w', 'b'], value: 0, gradient: [0, 0] });
}

function checkTypes(dir: string): void {
  run(join(dir, 'node_modules', '.bin', 'tsc'), ['-p', 'tsconfig.json'], dir);
}

function main(): void {
  const dir = mkdtempSync(join(tmpdir(), 'gradc-package-'));
  const project = join(dir, 'project');
  mkdirSync(project);
  try {
    const tarball = step('npm pack (builds dist/ through prepare)', () => pack(dir));
    step('npm install of the tarball into a fresh project', () => newProject(project, join(dir, tarball.filename)));
    step('the installed gradc bin: --version, diff, compile --emit js (compiled, then unchanged)', () => checkCli(project));
    step('node train.mjs: the generated module trained to its optimum with gradc/runtime', () => checkTraining(project));
    step('esbuild with gradc/unplugin: an app importing ./line.grad.js, bundled and run', () => checkPlugin(project));
    step("the project's own tsc: consumer.ts and the model file against the installed declarations", () => checkTypes(project));
  } finally {
    if (process.env.GRADC_PACKAGE_KEEP === '1') log(`kept ${dir}`);
    else rmSync(dir, { recursive: true, force: true });
  }
}

main();
