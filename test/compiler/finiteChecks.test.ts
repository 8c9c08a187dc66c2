// The checkFinite build: kernels that throw at the first NaN or ±Infinity naming the
// model line (file, line, column, source text) and whether it is the function's value
// or derivative code of that line; the same numbers as the plain build otherwise; user
// text only through string literals; and nothing of it in the default output.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { main } from '../../compiler/cli.ts';
import { compileModelFile, loadModelFile } from '../../compiler/index.ts';
import { typeCheckModule } from '../../compiler/load/typeCheckModule.ts';
import { modelOriginOf, type ModelOrigin } from '../../runtime/index.ts';

const PATH = 'models/finite.model.ts';
// Line numbers below are 1-based lines of TEXT; columns point at the call (log, sqrt).
const TEXT = [
  "import { add, div, log, matmul, mean, square, sub, sum } from 'gradc/prelude';", // 1
  "import type { Param, Tensor } from 'gradc/prelude';", // 2
  '', // 3
  "export function loss(w: Param<Tensor<[2]>>, b: Param<number>, X: Tensor<['batch', 2]>, y: Tensor<['batch']>): number {", // 4
  '  const r = sub(add(matmul(X, w), b), y);', // 5
  "  const l = sum(log(w)); // it's \\ \"quoted\" */ ${w} `tick`", // 6
  '  return mean(square(r)) + l;', // 7
  '}', // 8
  '', // 9
  'export function root(w: Param<Tensor<[2]>>): number {', // 10
  '  const q = sum(div(1e-10, w));', // 11
  '  return q + sum(w);', // 12
  '}', // 13
  '', // 14
  'export function scalar(a: Param<number>, c: number): number {', // 15
  '  const s = Math.sqrt(a);', // 16
  '  return s * c + 1e-10 / a;', // 17
  '}', // 18
  '',
].join('\n');

type Fn = (...args: unknown[]) => unknown;
const build = (checkFinite: boolean) => loadModelFile(PATH, { text: TEXT, checkFinite }) as Readonly<Record<string, Fn>>;
const checked = build(true);
const plain = build(false);

const X = Float64Array.from([0.5, -1, 2, 0.25, -0.75, 1.5]);
const y = Float64Array.from([1, -0.5, 0.25]);

/** The origin the checked kernel attached to what `call` threw. */
function thrownOrigin(call: () => unknown): ModelOrigin {
  let thrown: unknown = null;
  try {
    call();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(RangeError);
  const origin = modelOriginOf(thrown);
  expect(origin).not.toBeNull();
  expect((thrown as Error).message).toContain(`${origin!.file}:${origin!.line}:${origin!.column}  ${origin!.text}`);
  return origin!;
}

describe('checkFinite kernels', () => {
  it('a forward value: NaN (and −Infinity) from log of the weights names line 6, part value', () => {
    const o = thrownOrigin(() => checked['loss']!(Float64Array.from([0.5, -2]), 0.1, X, y));
    expect(o).toMatchObject({ file: PATH, line: 6, column: 17, part: 'value', value: NaN, kernel: 'lossValueKernel' });
    expect(o.text).toBe(TEXT.split('\n')[5]!.trim());
    expect(thrownOrigin(() => checked['loss']!(Float64Array.from([0.5, 0]), 0.1, X, y))).toMatchObject({ line: 6, value: -Infinity });
    // The gradient kernel names the same line.
    expect(thrownOrigin(() => checked['lossValueAndGradient']!(Float64Array.from([0.5, -2]), 0.1, X, y, new Float64Array(3)))).toMatchObject({ line: 6, column: 17 });
  });

  it('an adjoint: at w₁ = 1e-310 the value 1e-10/w₁ is finite but its derivative −1e-10/w₁² is not, which names line 11, part derivative', () => {
    const w = Float64Array.from([0.5, 1e-310]);
    expect(Number.isFinite(plain['root']!(w))).toBe(true);
    expect(checked['root']!(w)).toBe(plain['root']!(w));
    const o = thrownOrigin(() => checked['rootValueAndGradient']!(w, new Float64Array(2)));
    expect(o).toMatchObject({ line: 11, column: 17, text: 'const q = sum(div(1e-10, w));', part: 'derivative', kernel: 'rootValueAndGradientKernel' });
    expect(Number.isFinite(o.value)).toBe(false);
    // The plain build computes the same step without a word: the non-finite gradient comes back.
    const grad = new Float64Array(2);
    plain['rootValueAndGradient']!(w, grad);
    expect(grad[1]).toBe(-Infinity);
  });

  it('an untaken branch is not a finding: sqrt at 0 has derivative 0 by its kink policy, though the other branch is ∞', () => {
    const text = TEXT.replace('sum(div(1e-10, w))', 'sum(sqrt(w))').replace('div, ', 'sqrt, ');
    const m = loadModelFile(PATH, { text, checkFinite: true }) as Readonly<Record<string, Fn>>;
    const grad = new Float64Array(2);
    m['rootValueAndGradient']!(Float64Array.from([0.25, 0]), grad);
    expect(Array.from(grad)).toEqual([2, 1]);
  });

  it('scalar kernels: NaN from Math.sqrt names line 16 (value), the overflowing derivative of 1e-10 / a line 17', () => {
    expect(thrownOrigin(() => checked['scalar']!(-1, 2))).toMatchObject({ line: 16, part: 'value', text: 'const s = Math.sqrt(a);' });
    expect(checked['scalar']!(1e-310, 2)).toBe(plain['scalar']!(1e-310, 2));
    expect(thrownOrigin(() => checked['scalarValueAndGradient']!(1e-310, 2, new Float64Array(1)))).toMatchObject({ line: 17, part: 'derivative', text: 'return s * c + 1e-10 / a;' });
  });

  it('computes exactly what the plain build computes where everything is finite', () => {
    const w = Float64Array.from([0.75, 1.25]);
    const v = Float64Array.from([0.3, -0.2, 0.5]);
    expect(checked['loss']!(w, 0.1, X, y)).toBe(plain['loss']!(w, 0.1, X, y));
    const [g1, g2] = [new Float64Array(3), new Float64Array(3)];
    expect(checked['lossValueAndGradient']!(w, 0.1, X, y, g1)).toBe(plain['lossValueAndGradient']!(w, 0.1, X, y, g2));
    expect(Array.from(g1)).toEqual(Array.from(g2));
    const x = Float64Array.from([0.75, 1.25, 0.1]);
    const flatChecked = checked['lossFlat']!(X, y) as { jvp: Fn; hvp: Fn };
    const flatPlain = plain['lossFlat']!(X, y) as { jvp: Fn; hvp: Fn };
    expect(flatChecked.jvp(x, v)).toBe(flatPlain.jvp(x, v));
    const [h1, h2] = [new Float64Array(3), new Float64Array(3)];
    flatChecked.hvp(x, v, h1);
    flatPlain.hvp(x, v, h2);
    expect(Array.from(h1)).toEqual(Array.from(h2));
    const [s1, s2] = [new Float64Array(1), new Float64Array(1)];
    expect(checked['scalarValueAndGradient']!(2, 3, s1)).toBe(plain['scalarValueAndGradient']!(2, 3, s2));
    expect(s1[0]).toBe(s2[0]);
    const [r1, r2] = [new Float64Array(2), new Float64Array(2)];
    expect(checked['rootValueAndGradient']!(w, r1)).toBe(plain['rootValueAndGradient']!(w, r2));
    expect(Array.from(r1)).toEqual(Array.from(r2));
  });

  it('off by default: the default module has no checks and equals checkFinite: false byte for byte', () => {
    const byDefault = compileModelFile(PATH, { text: TEXT }).files[0]!.content;
    expect(compileModelFile(PATH, { text: TEXT, checkFinite: false }).files[0]!.content).toBe(byDefault);
    expect(byDefault).not.toMatch(/gradcNonFinite|gradcFirstNonFinite|^\/\/ A checkFinite build|gradcKernels/m);
    // What it has instead: each kernel's hook to its checkFinite twin, for the trainer's diagnosis.
    expect(byDefault).toContain(`gradcDiagnosis.session!.twin(${JSON.stringify(PATH).replace(/"/g, "'")}, kernel)`);
  });

  it('the checked module type-checks strictly, and the source line reaches it only as an escaped string literal', () => {
    const source = compileModelFile(PATH, { text: TEXT, checkFinite: true }).files[0]!.content;
    expect(typeCheckModule(source)).toEqual([]);
    expect(source.split('\n')[1]).toMatch(/^\/\/ A checkFinite build/);
    // The comment's quote, backslash, double quotes, */, ${…} and backtick stay inside one single-quoted literal.
    expect(source).toContain("'const l = sum(log(w)); // it\\'s \\\\ \"quoted\" */ ${w} `tick`'");
  });

  it('a user name equal to a check helper is renamed in the kernels, not shadowed', () => {
    const text = TEXT.replace(/\bc\b/g, 'gradcNonFinite');
    const m = loadModelFile(PATH, { text, checkFinite: true }) as Readonly<Record<string, Fn>>;
    expect(m['scalar']!(4, 3)).toBe(2 * 3 + 1e-10 / 4);
    expect(thrownOrigin(() => m['scalar']!(-4, 3))).toMatchObject({ line: 16, part: 'value' });
  });
});

describe('gradc compile --check-finite and the config key', () => {
  let dir = '';
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  async function compile(...argv: string[]): Promise<string> {
    const err: string[] = [];
    const code = await main(['compile', ...argv], { out: () => {}, err: (s) => err.push(s) }, { cwd: dir });
    expect(err).toEqual([]);
    expect(code).toBe(0);
    return readFileSync(join(dir, 'finite.grad.ts'), 'utf8');
  }

  it('writes the checked build with the flag or checkFinite: true in gradc.config.ts, the plain one otherwise', async () => {
    dir = mkdtempSync(join(tmpdir(), 'gradc-finite-'));
    writeFileSync(join(dir, 'finite.model.ts'), TEXT);
    expect(await compile('finite.model.ts')).not.toContain('gradcNonFinite');
    expect(await compile('finite.model.ts', '--check-finite')).toContain('throw gradcNonFinite(');
    writeFileSync(join(dir, 'gradc.config.ts'), "export default { inputs: ['finite.model.ts'], checkFinite: true };\n");
    expect(await compile()).toContain('throw gradcNonFinite(');
  });
});
