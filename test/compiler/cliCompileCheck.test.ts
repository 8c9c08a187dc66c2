/**
 * `gradc compile --check` with the real compiler, as CI uses it: exits 1
 * naming the stale module after a model edit and 0 after recompiling, and
 * the generated module is byte-identical across runs.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../compiler/cli.ts';
import { sourceBinArgs } from './sourceBin.ts';

const SOURCE = fileURLToPath(new URL('../../examples/rosenbrock/rosenbrock.model.ts', import.meta.url));

let dir: string;
let model: string;
let generated: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'gradc-check-'));
  model = join(dir, 'rosenbrock.model.ts');
  generated = join(dir, 'rosenbrock.grad.ts');
  copyFileSync(SOURCE, model);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function gradc(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (s) => out.push(s), err: (s) => err.push(s) }, { cwd: dir });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('gradc compile --check', () => {
  it('exits 1 naming the stale module after a model edit, and 0 after recompiling', async () => {
    const first = await gradc('compile', model);
    expect(first.code).toBe(0);
    expect(first.out).toMatch(/^compiled .*rosenbrock\.model\.ts → .*rosenbrock\.grad\.ts \(\d+ functions, [\d.]+ kB\)$/);
    expect((await gradc('compile', '--check', model)).code).toBe(0);

    writeFileSync(model, readFileSync(model, 'utf8').replace('100 * (y - x ** 2) ** 2', '90 * (y - x ** 2) ** 2'));
    const stale = await gradc('compile', '--check', model);
    expect(stale.code).toBe(1);
    expect(stale.err).toContain(`stale: ${generated} is out of date with ${model}`);
    expect(readFileSync(generated, 'utf8')).toContain('100');

    expect((await gradc('compile', model)).code).toBe(0);
    expect((await gradc('compile', '--check', model)).code).toBe(0);
  });

  it('writes byte-identical output on every run', async () => {
    await gradc('compile', model);
    const before = readFileSync(generated);
    unlinkSync(generated);
    await gradc('compile', model);
    expect(readFileSync(generated).equals(before)).toBe(true);
    expect((await gradc('compile', model)).out).toMatch(/^unchanged /);
  });

  it('runs as an installed command: exit 1 and a located message for a mistake, no stack trace', () => {
    const bad = join(dir, 'bad.model.ts');
    writeFileSync(bad, 'export function g(x: number): number {\n  return x.foo;\n}\n');
    const r = spawnSync(process.execPath, sourceBinArgs('compile', 'bad.model.ts'), { cwd: dir, encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^bad\.model\.ts:2:\d+: error: /);
    expect(r.stderr).not.toMatch(/\n\s+at .*\.ts:\d+/);
  });
});
