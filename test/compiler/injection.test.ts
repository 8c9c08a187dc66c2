/**
 * Injection attempts: user text (comments, names, named sizes, file names,
 * JSDoc, custom-rule lines, module sources) through every front end and out
 * of every door (compileExpression, `gradc diff --format ts`, compileModel,
 * compileModelFile, modules written by `gradc compile` and imported). For each
 * attempt, nothing of the attacker's runs (a global sentinel stays unset), and
 * either the module parses, loads, computes and type-checks, or the input is
 * refused with a located error — never a module that runs the text.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../compiler/cli.ts';
import { compileExpression, compileModel, compileModelFile, input, mul, SourceError } from '../../compiler/index.ts';
import { loadModule } from '../../compiler/load/loadModule.ts';
import { comment, docComment, identifier, identifierProblem, stringLiteral, UnsafeNameError } from '../../compiler/emit/safeText.ts';
import { typeErrors } from './typecheckSources.ts';

const SENTINEL = '__gradcPwned';
const pwned = (): unknown => (globalThis as Record<string, unknown>)[SENTINEL];
beforeEach(() => {
  delete (globalThis as Record<string, unknown>)[SENTINEL];
});

const RUN = `globalThis.${SENTINEL} = 'ran'`;

/** Text that would run if pasted into a `//` or `/* *\/` comment of generated code. */
const COMMENT_PAYLOADS: readonly [string, string][] = [
  ['a block-comment end', `*/ ${RUN}; /*`],
  ['a line separator (U+2028)', `\u2028${RUN}; //`],
  ['a paragraph separator (U+2029)', `\u2029${RUN}; //`],
  ['a carriage return', `\r${RUN}; //`],
  ['CR LF', `\r\n${RUN}; //`],
  ['a block end then U+2028', `*/\u2028${RUN}; /*`],
  ['a bidi override before the end', `\u202E */ ${RUN}; /*`],
];

const scratch = mkdtempSync(join(tmpdir(), 'gradc-injection-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Loads, runs and type-checks an emitted module; the sentinel must stay unset throughout. */
function expectSafeModule(source: string, call: (mod: Readonly<Record<string, unknown>>) => unknown): void {
  const mod = loadModule(source);
  expect(pwned()).toBeUndefined();
  expect(Number.isFinite(call(mod))).toBe(true);
  expect(pwned()).toBeUndefined();
  expect(typeErrors(new Map([['/virtual/m.ts', source]]))).toEqual([]);
}

const call1 = (name: string, ...args: number[]) => (mod: Readonly<Record<string, unknown>>) => (mod[name] as (...a: number[]) => number)(...args);

describe('comments in math expressions (mathjs # comments reach the header and JSDoc)', () => {
  // A newline ends a mathjs comment, so what follows is parsed as math: a located syntax error.
  const ONE_LINE = COMMENT_PAYLOADS.filter(([, p]) => !p.includes('\n'));
  const MULTI_LINE = COMMENT_PAYLOADS.filter(([, p]) => p.includes('\n'));

  it.each(MULTI_LINE)('compileExpression with %s: a located syntax error', (_, payload) => {
    expect(() => compileExpression(`x^2 # ${payload}`, { wrt: ['x'] })).toThrow(/^syntax error/);
    expect(pwned()).toBeUndefined();
  });

  it.each(ONE_LINE)('compileExpression with %s', (_, payload) => {
    const f = compileExpression(`x^2 + 3*y # ${payload}`, { wrt: ['x', 'y'] });
    expect(f.value({ x: 2, y: 1 })).toBe(7);
    expect(f.gradient({ x: 2, y: 1 })).toEqual([4, 3]);
    expectSafeModule(f.source, call1('f', 2, 1));
  });

  it.each(ONE_LINE)('gradc diff --format ts with %s', async (_, payload) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['diff', `x^2 # ${payload}`, '--wrt', 'x', '--format', 'ts'], { out: (s) => out.push(s), err: (s) => err.push(s) });
    expect(pwned()).toBeUndefined();
    expect(err.join('\n')).toBe('');
    expect(code).toBe(0);
    expectSafeModule(out.join('\n'), call1('f', 3));
  });
});

describe('names', () => {
  it.each([
    ['constructor'], ['__proto__'], ['valueOf'], ['toString'], ['hasOwnProperty'], ['isPrototypeOf'],
  ])('mathjs: the variable %s is a located error, the function %s(x) unknown', (name) => {
    expect(() => compileExpression(`x + ${name}`, { wrt: ['x'] })).toThrow(SourceError);
    expect(() => compileExpression(`${name}(x)`, { wrt: ['x'] })).toThrow(/unknown function/);
  });

  it.each([
    ['a statement', 'n) { globalThis.__gradcPwned = 1 } function q('],
    ['an inherited name', '__proto__'],
    ['a space', 'a b'],
    ['a line separator', 'n\u2028x'],
    ['a reserved word', 'default'],
  ])('compileExpression: a named size holding %s is a located error', (_, dim) => {
    let error: unknown;
    try {
      compileExpression('sum(A)', { wrt: ['A'], shapes: { A: [dim, 2] } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).format()).toMatch(/^<expr>:1:5: error: the named size in the shape of 'A' is not usable/);
    expect(pwned()).toBeUndefined();
  });

  it('the IR builders: an input name that is not an identifier never reaches a module', () => {
    const bad = input(`x; ${RUN}; //`);
    expect(() => compileModel({ inputs: [bad], loss: mul(bad, bad), wrt: [bad] })).toThrow(UnsafeNameError);
    const proto = input('__proto__');
    expect(() => compileModel({ inputs: [proto], loss: mul(proto, proto), wrt: [proto] })).toThrow(/inherits/);
    expect(pwned()).toBeUndefined();
  });

  it('the IR builders: the module source (header) is the user’s text and passes the comment gate', () => {
    for (const [, payload] of COMMENT_PAYLOADS) {
      const x = input('x');
      const m = compileModel({ inputs: [x], loss: mul(x, x), wrt: [x], source: payload });
      expectSafeModule(m.source, call1('loss', 3));
    }
  });

  it('the gate: identifiers are plain, not reserved, not inherited; Unicode letters are fine', () => {
    for (const ok of ['x', 'θ', 'σ2', '_w', '$scale', 'hidden1', 'Wₕ']) expect(identifierProblem(ok)).toBeUndefined();
    for (const bad of ['', '1x', 'a-b', 'a b', 'a\u2028b', '\\u0061', 'class', 'let', 'arguments', 'eval', 'undefined', 'NaN', 'constructor', '__proto__', 'x'.repeat(201)]) {
      expect(identifierProblem(bad)).toBeDefined();
      expect(() => identifier(bad)).toThrow(UnsafeNameError);
    }
  });

  it('the gate: comments fold every line terminator and break */, strings escape what ends them', () => {
    const text = `a\nb\rc\u2028d\u2029e */ f \u202E g \u0000`;
    const c = comment(text);
    expect(c).not.toMatch(/[\n\r\u2028\u2029\u202E\u0000]/);
    expect(c).not.toContain('*/');
    expect(docComment([text, 'second'])).not.toMatch(/[\r\u2028\u2029]|\*\/[^]/);
    const lit = stringLiteral(`it's "x"\n\u2028\\`);
    expect(new Function(`return ${lit};`)()).toBe(`it's "x"\n\u2028\\`);
    expect(new Function(`return ${stringLiteral(`a"b`, '"')};`)()).toBe('a"b');
  });
});

const MODEL_HEAD = "import type { Param, Tensor } from 'gradc/prelude';\n";

/** Compiles a model file given as text (under `path`), returning the module or the located error. */
function compileText(path: string, text: string): { source: string } | { error: SourceError } {
  try {
    return { source: compileModelFile(path, { text }).files[0]!.content };
  } catch (e) {
    if (e instanceof SourceError) return { error: e };
    throw e;
  }
}

describe('model files', () => {
  // Each is inert in the model (a block comment), and would run if copied into a `//` line.
  const LINE_PAYLOADS: readonly [string, string][] = [
    ['U+2028', `/* \u2028 ${RUN}; //*/`],
    ['U+2029', `/* \u2029 ${RUN}; //*/`],
    ['CR', `/* \r ${RUN}; //*/`],
    ['a block end inside a line comment', `// */ ${RUN}; /*`],
  ];

  it.each(LINE_PAYLOADS)('a source line holding %s stays a comment in `// file:line` comments', (_, payload) => {
    const text = `${MODEL_HEAD}export function f(x: Param<number>): number {\n  return x * x; ${payload}\n}\n`;
    const r = compileText('models/line.model.ts', text);
    if (!('source' in r)) throw r.error;
    expect(r.source).toContain('// models/line.model.ts:3  return x * x;');
    expectSafeModule(r.source, call1('f', 3));
  });

  it.each(COMMENT_PAYLOADS)('a JSDoc holding %s (what TypeScript allows of it) stays inside the generated JSDoc', (_, payload) => {
    const doc = payload.replace(/\*\//g, '* /');
    const text = `${MODEL_HEAD}/** Squares. ${doc} */\nexport function f(x: Param<number>): number {\n  return x * x;\n}\n`;
    const r = compileText('models/doc.model.ts', text);
    if (!('source' in r)) throw r.error;
    expectSafeModule(r.source, call1('f', 3));
  });

  it.each(COMMENT_PAYLOADS)('a file name holding %s', (_, payload) => {
    const path = `models/${payload.replace(/\//g, '∕')}.model.ts`;
    const text = `import { sum } from 'gradc/prelude';\n${MODEL_HEAD}export function f(x: Param<number>, v: Tensor<[2]>): number {\n  return x * x + sum(v);\n}\n`;
    const r = compileText(path, text);
    if (!('source' in r)) throw r.error;
    const mod = loadModule(r.source);
    expect((mod['f'] as (x: number, v: Float64Array) => number)(3, new Float64Array([1, 2]))).toBe(12);
    // A wrong length names the function by file:line, a string literal made by the gate.
    expect(() => (mod['f'] as (x: number, v: Float64Array) => number)(3, new Float64Array(3))).toThrow(/v/);
    expect(pwned()).toBeUndefined();
    expect(typeErrors(new Map([['/virtual/m.ts', r.source]]))).toEqual([]);
  });

  it.each([
    ['a parameter named __proto__', 'export function f(__proto__: Param<number>): number {\n  return __proto__ * 2;\n}\n', /:2:19: error: the parameter name cannot be used in generated code: '__proto__' is a name every JavaScript object inherits/],
    ['a parameter named constructor', 'export function f(constructor: Param<number>): number {\n  return constructor * 2;\n}\n', /:2:19: error: the parameter name cannot be used/],
    ['a function named valueOf', 'export function valueOf(x: Param<number>): number {\n  return x * 2;\n}\n', /:2:1: error: the function name cannot be used in generated code: 'valueOf'/],
    ['a named size holding a statement', `export function f(x: Tensor<['n; globalThis.${SENTINEL} = 1; //']>): number {\n  return 2;\n}\n`, /:2:19: error: the named size in the shape of 'x' name cannot be used/],
    ['a named size __proto__', "export function f(x: Tensor<['__proto__']>): number {\n  return 2;\n}\n", /:2:19: error: the named size in the shape of 'x' name cannot be used in generated code: '__proto__'/],
  ])('%s is a located error', (_, body, message) => {
    const r = compileText('models/names.model.ts', MODEL_HEAD + body);
    if (!('error' in r)) throw new Error('compiled a module from an unsafe name');
    expect(r.error.format()).toMatch(new RegExp(`^models/names\\.model\\.ts${message.source}`, 'm'));
    expect(pwned()).toBeUndefined();
  });

  it('an escaped identifier is read as the name it spells', () => {
    const r = compileText('models/escaped.model.ts', `${MODEL_HEAD}export function f(\\u0061: Param<number>): number {\n  return \\u0061 * 2;\n}\n`);
    if (!('source' in r)) throw r.error;
    expect(r.source).toContain('export function f(a: number): number');
    expectSafeModule(r.source, call1('f', 3));
  });

  it('named sizes that are also the kernel’s own locals (r, c, dst, src, ws, key, last) keep their meaning', () => {
    const text =
      "import { gather, oneHot, sum } from 'gradc/prelude';\nimport type { Param, Tensor } from 'gradc/prelude';\n" +
      "export function f(W: Param<Tensor<[5, 3]>>, rows: Tensor<['r']>, labels: Tensor<['c']>, a: Tensor<['ws']>, b: Tensor<['key']>, d: Tensor<['last']>, e: Tensor<['dst']>, g: Tensor<['src']>): number {\n" +
      '  return sum(gather(W, rows)) + sum(oneHot(labels, 3)) + sum(a) + sum(b) + sum(d) + sum(e) + sum(g);\n}\n';
    const r = compileText('models/locals.model.ts', text);
    if (!('source' in r)) throw r.error;
    const mod = loadModule(r.source);
    const W = Float64Array.from({ length: 15 }, (_, i) => i);
    const args = [W, [4, 0], [1, 2, 0, 1], [1, 2, 3], [4, 5], [0.5], [0.25, 0.25], [1]].map((v) => Float64Array.from(v));
    // rows 4 and 0 of W: (12+13+14) + (0+1+2); four one-hot rows; then the plain sums.
    expect((mod['f'] as (...a: Float64Array[]) => number)(...args)).toBe(42 + 4 + 6 + 9 + 0.5 + 0.5 + 1);
    const grad = (mod['fGradient'] as (...a: Float64Array[]) => Float64Array)(...args);
    expect(Array.from(grad)).toEqual([1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1]);
    expect(typeErrors(new Map([['/virtual/m.ts', r.source]]))).toEqual([]);
  });

  it('custom-rule lines carrying a payload stay comments', () => {
    const text =
      "import { customDerivative } from 'gradc/prelude';\nimport type { Param } from 'gradc/prelude';\n" +
      `const sq = customDerivative((x: number): number => x * x, { jvp: (x, xDot) => 2 * x * xDot /* \u2028 ${RUN}; //*/, vjp: (x, _y, yBar) => [2 * x * yBar] /* \u2029 ${RUN}; //*/ });\n` +
      'export function f(x: Param<number>): number {\n  return sq(x) + x;\n}\n';
    const r = compileText('models/custom.model.ts', text);
    if (!('source' in r)) throw r.error;
    expectSafeModule(r.source, call1('f', 3));
    const grad = loadModule(r.source)['fGradient'] as (x: number) => Float64Array;
    expect(Array.from(grad(3))).toEqual([7]);
  });

  it('numbers are printed from their values, never from the source text', () => {
    const text = `${MODEL_HEAD}export function f(x: Param<number>): number {\n  return 0x10 * x + 1_000 + 1e-20 + .5;\n}\n`;
    const r = compileText('models/numbers.model.ts', text);
    if (!('source' in r)) throw r.error;
    const code = r.source.split('\n').filter((l) => !/^\s*(\/\/|\/\*\*|\*)/.test(l));
    expect(code.join('\n')).not.toMatch(/0x10|1_000/);
    expect(code.join('\n')).toContain('1e-20');
    expectSafeModule(r.source, call1('f', 2));
    expect(call1('f', 2)(loadModule(r.source))).toBe(16 * 2 + 1000 + 1e-20 + 0.5);
  });
});

describe('modules written by gradc compile', () => {
  it.each(COMMENT_PAYLOADS)('a folder name holding %s: the written module imports without running it', async (label, payload) => {
    const folder = join(scratch, `m${COMMENT_PAYLOADS.findIndex(([l]) => l === label)}-${payload.replace(/\//g, '∕')}`);
    mkdirSync(folder, { recursive: true });
    const model = join(folder, 'sq.model.ts');
    writeFileSync(model, `${MODEL_HEAD}/** x² ${payload.replace(/\*\//g, '* /')} */\nexport function sq(x: Param<number>): number {\n  return x * x; /* \u2028 ${RUN}; //*/\n}\n`);
    const err: string[] = [];
    const code = await main(['compile', model], { out: () => {}, err: (s) => err.push(s) });
    expect(err.join('\n')).toBe('');
    expect(code).toBe(0);
    const written = join(folder, 'sq.grad.ts');
    const mod = (await import(pathToFileURL(written).href)) as { sq: (x: number) => number; sqGradient: (x: number) => Float64Array };
    expect(mod.sq(4)).toBe(16);
    expect(Array.from(mod.sqGradient(4))).toEqual([8]);
    expect(pwned()).toBeUndefined();
    expect(typeErrors(new Map([['/virtual/sq.grad.ts', readFileSync(written, 'utf8')]]))).toEqual([]);
  });
});
