/**
 * "Did you mean …?": a misspelt name gets the closest known one, in the
 * located message it already had (file:line:col, what is wrong, what is
 * supported). Model files, math expressions, the IR builders, the config file
 * and the CLI all ask one suggest(). `x ** 2` in a math expression is a
 * located error naming '^'. In model-file cases `@@` marks where the
 * diagnostic must point; it is removed before parsing.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateConfig } from '../../compiler/build/loadConfig.ts';
import { main } from '../../compiler/cli.ts';
import { compileExpression } from '../../compiler/api/compileExpression.ts';
import { didYouMean, ExpressionSyntaxError, SourceError, suggest, UnknownFunctionError, UnknownVariableError, UsageError } from '../../compiler/errors.ts';
import { parseExpression } from '../../compiler/frontend/mathjs.ts';
import { ModelFileError, parseModelFile } from '../../compiler/frontend/typescript/parseModelFile.ts';
import { apply, input } from '../../compiler/ir/build.ts';
import type { ApplyOp } from '../../compiler/ir/ops.ts';

describe('suggest', () => {
  it.each([
    ['sinn', ['sin', 'sinh', 'sign', 'cos'], ['sin']],
    ['mena', ['min', 'max', 'mean'], ['mean']],
    ['Sin', ['sinh', 'sin'], ['sin']],
    ['logsoftmax', ['softmax', 'logSoftmax', 'logsumexp'], ['logSoftmax']],
    ['outdir', ['inputs', 'outDir', 'wrt'], ['outDir']],
    ['--hesian', ['--hessian', '--explain'], ['--hessian']],
    ['sigmod', ['sigmoid', 'sign'], ['sigmoid']],
  ])('suggests for %s among %j: %j', (name, candidates, expected) => {
    expect(suggest(name, candidates)).toEqual(expected);
  });

  it.each([
    ['foo', ['log', 'cos', 'cot', 'exp']],
    ['x', ['y', 'z']],
    ['frobnicate', ['sin', 'cos']],
    ['sin', ['sin']],
  ])('suggests nothing for %s among %j', (name, candidates) => {
    expect(suggest(name, candidates)).toEqual([]);
  });

  it('offers equally close names together, at most three, in the candidates\' order', () => {
    expect(suggest('ab', ['ac', 'xb', 'ad', 'ae'])).toEqual(['ac', 'xb', 'ad']);
    expect(didYouMean('ab', ['ac', 'xb'])).toBe("; did you mean 'ac' or 'xb'?");
    expect(didYouMean('ab', ['ac', 'xb', 'ad'])).toBe("; did you mean 'ac', 'xb' or 'ad'?");
    expect(didYouMean('foo', ['sin'])).toBe('');
  });
});

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('math expressions', () => {
  it('names the closest function for a misspelt one, keeping the list of supported ones', () => {
    const e = thrown(() => compileExpression('x + sinn(x)', { wrt: ['x'] }));
    expect(e).toBeInstanceOf(UnknownFunctionError);
    const error = e as SourceError;
    expect(error.message).toBe("unknown function 'sinn'; did you mean 'sin'?");
    expect(error.location).toEqual({ file: '<expr>', line: 1, column: 5 });
    expect(error.hint).toMatch(/^Supported functions: .*\bsin\b/);
  });

  it.each([
    ['mena(v)', "unknown function 'mena'; did you mean 'mean'?"],
    ['Sin(x)', "unknown function 'Sin'; did you mean 'sin'?"],
    ['sum(sofmax(v))', "unknown function 'sofmax'; did you mean 'softmax'?"],
  ])('%s: %s', (text, message) => {
    expect(() => parseExpression(text)).toThrow(message);
  });

  it('names the closest variable for an undefined one when the variables are given', () => {
    const e = thrown(() => parseExpression('x + yy', { variables: ['x', 'y'] }));
    expect(e).toBeInstanceOf(UnknownVariableError);
    expect((e as SourceError).message).toBe("undefined variable 'yy'; did you mean 'y'?");
  });

  it("rejects x ** 2 at the '**', saying that mathjs writes powers with '^'", () => {
    const e = thrown(() => compileExpression('sin(x) ** 2', { wrt: ['x'] }));
    expect(e).toBeInstanceOf(ExpressionSyntaxError);
    const error = e as SourceError;
    expect(error.message).toBe("'**' is not an operator in mathjs syntax: powers are written with '^'");
    expect(error.location).toEqual({ file: '<expr>', line: 1, column: 8 });
    expect(error.format()).toBe([
      "<expr>:1:8: error: '**' is not an operator in mathjs syntax: powers are written with '^'",
      '  sin(x) ** 2',
      '         ^',
      'Write x^2 (or pow(x, 2)) for x ** 2; for matrices and vectors, .^ is the elementwise power.',
    ].join('\n'));
  });

  it('names the closest variable for a wrt variable the expression does not use', () => {
    expect(() => compileExpression('theta^2', { wrt: ['thetaa'], strictWrt: true })).toThrow(/without strictWrt its derivatives are 0; did you mean 'theta'\?$/);
  });

  it('reports a syntax error before the ** as itself', () => {
    expect(() => parseExpression('x + ) ** 2')).toThrow('syntax error: Value expected');
  });
});

const HEADER = "import { customDerivative, mean, mul, sum } from 'gradc/prelude';\nimport * as p from 'gradc/prelude';\nimport type { Param, Tensor } from 'gradc/prelude';\n";
const FILE = 'typo.model.ts';

function place(source: string, header = HEADER): { text: string; line: number; column: number } {
  const full = header + source;
  const index = full.indexOf('@@');
  const before = full.slice(0, index).split('\n');
  return { text: full.replace('@@', ''), line: before.length, column: before[before.length - 1]!.length + 1 };
}

function diagnosticsOf(text: string): readonly SourceError[] {
  const e = thrown(() => parseModelFile(FILE, { text }));
  if (!(e instanceof ModelFileError)) throw e;
  return e.diagnostics;
}

const fn = (body: string) => `export function f(x: Param<Tensor<[3]>>): number {\n${body}\n}\n`;

interface ModelCase {
  readonly name: string;
  readonly source: string;
  readonly message: string;
  readonly hint?: RegExp;
  readonly header?: string;
}

const MODEL_CASES: readonly ModelCase[] = [
  { name: 'a misspelt prelude op that is imported', source: fn('  return @@mena(x);'), message: "unknown function 'mena'; did you mean 'mean'?", hint: /gradc\/prelude/ },
  {
    name: 'a misspelt prelude op that is not imported',
    source: fn('  return sum(@@sofmax(x));'),
    message: "unknown function 'sofmax'; did you mean 'softmax'?",
    hint: /'softmax' is a prelude op this file does not import: import \{ softmax \} from 'gradc\/prelude';/,
  },
  {
    name: 'a prelude op used without its import',
    source: fn('  return sum(@@relu(x));'),
    message: "unknown function 'relu': it is a prelude op this file does not import",
    hint: /import \{ relu \} from 'gradc\/prelude'/,
  },
  { name: 'a misspelt function of this file', source: 'function sq(v: number): number {\n  return v * v;\n}\n' + fn('  return @@sqq(mean(x));'), message: "unknown function 'sqq'; did you mean 'sq'?" },
  { name: 'a misspelt Math function', source: fn('  return mean(x) + @@Math.sinn(1);'), message: "'Math.sinn' is not supported; did you mean 'Math.sin'?", hint: /Math\.sin\b/ },
  { name: 'a misspelt op of a prelude namespace', source: fn('  return @@p.sumn(x);'), message: "'p.sumn(…)' is not a function a model can call; did you mean 'p.sum'?" },
  {
    name: 'a misspelt prelude import, pointed at the name',
    source: fn('  return mean(x);'),
    header: "import { @@mena, mean } from 'gradc/prelude';\nimport type { Param, Tensor } from 'gradc/prelude';\n",
    message: "'mena' is not exported by gradc/prelude; did you mean 'mean'?",
  },
  { name: 'a misspelt variable', source: fn('  const scale = 2;\n  return mean(x) * @@scal;'), message: "unknown variable 'scal'; did you mean 'scale'?" },
  { name: 'a misspelt module constant', source: 'const SCALE = 2;\n' + fn('  return mean(x) * @@SCAL;'), message: "unknown variable 'SCAL'; did you mean 'SCALE'?" },
  { name: 'a misspelt @wrt parameter', source: '/** @wrt ww */\n@@export function g(w: Param<number>, v: number): number {\n  return w * v;\n}\n', message: "@wrt names 'ww', which is not a parameter of g; did you mean 'w'?" },
  {
    name: 'a misspelt parameter type',
    source: 'export function g(w: Param<number>, v: @@Tensr<[3]>): number {\n  return w * sum(v);\n}\n',
    message: "the parameter 'v' has the unsupported type 'Tensr<[3]>'; did you mean 'Tensor'?",
  },
  {
    name: 'a misspelt rule of customDerivative',
    source: 'const g = customDerivative((x: Tensor<[3]>): Tensor<[3]> => mul(x, x), { @@vjpp: (x, y, yBar) => mul(yBar, x) });\n' + fn('  return sum(g(x));'),
    message: "'vjpp' is not a rule of customDerivative; did you mean 'vjp'?",
  },
  {
    name: 'a misspelt op in a custom rule',
    source: 'const g = customDerivative((x: Tensor<[3]>): Tensor<[3]> => mul(x, x), { vjp: (x, y, yBar) => @@mull(yBar, x) });\n' + fn('  return sum(g(x));'),
    message: "unknown function 'mull'; did you mean 'mul'?",
  },
  {
    name: 'a misspelt loop directive',
    source: 'export function g(w: Param<number>): number {\n  let s = 0;\n  /** @@@checkpiont sqrt */\n  for (let i = 0; i < 4; i++) {\n    s = s + w;\n  }\n  return s;\n}\n',
    message: "unknown loop directive '@checkpiont'; did you mean '@checkpoint'?",
  },
  {
    name: "'**' inside an expr template",
    source: 'export function g(w: Param<number>): number {\n  return expr({ w })`w @@** 2`;\n}\n',
    header: "import { expr } from 'gradc/prelude';\nimport type { Param } from 'gradc/prelude';\n",
    message: "in expr: '**' is not an operator in mathjs syntax: powers are written with '^'",
  },
];

describe('model files', () => {
  it.each(MODEL_CASES.map((c) => [c.name, c] as const))('%s', (_, c) => {
    const { text, line, column } = place(c.source, c.header);
    const diagnostics = diagnosticsOf(text);
    const d = diagnostics.find((x) => x.message === c.message);
    expect(d, `got: ${diagnostics.map((x) => x.format()).join('\n\n')}`).toBeDefined();
    expect(d!.location).toEqual({ file: FILE, line, column });
    if (c.hint !== undefined) expect(d!.hint).toMatch(c.hint);
  });
});

describe('IR builders', () => {
  it('name an op that is not in the op table, with the closest one', () => {
    expect(() => apply('sinn' as ApplyOp, input('x'))).toThrow("unknown op 'sinn' (not in the op table); did you mean 'sin'?");
    // Not an op, though every object has it.
    expect(() => apply('constructor' as ApplyOp, input('x'))).toThrow("unknown op 'constructor' (not in the op table)");
  });
});

describe('gradc.config.ts', () => {
  it('names the closest key for an unknown one, located in the file', () => {
    const text = "import { defineConfig } from 'gradc/config';\nexport default defineConfig({\n  inputs: ['a.model.ts'],\n  outdir: 'gen',\n  'wrtt': ['W'],\n});\n";
    const e = thrown(() => validateConfig({ inputs: ['a.model.ts'], outdir: 'gen', wrtt: ['W'] }, 'gradc.config.ts', text));
    expect(e).toBeInstanceOf(UsageError);
    expect((e as Error).message).toBe([
      "gradc.config.ts:4:3: unknown config key 'outdir'; did you mean 'outDir'?",
      "gradc.config.ts:5:3: unknown config key 'wrtt'; did you mean 'wrt'?",
      "See defineConfig in 'gradc/config' for the keys: inputs, outDir, wrt, emit, checkFinite, health.",
    ].join('\n'));
  });

  it('names the file alone when the key is not written as a property', () => {
    expect(() => validateConfig({ emitt: 'js' }, 'gradc.config.ts', 'export default config;')).toThrow("gradc.config.ts: unknown config key 'emitt'; did you mean 'emit'?");
  });
});

async function run(argv: readonly string[], cwd?: string) {
  const lines: string[] = [];
  const code = await main(argv, { out: (s) => lines.push(s), err: (s) => lines.push(s) }, cwd === undefined ? {} : { cwd, generate: () => { throw new Error('not reached'); } });
  return { code, text: lines.join('\n') };
}

describe('the CLI', () => {
  it.each([
    [['dif', 'x^2', '--wrt', 'x'], "error: unknown command 'dif'\n(Did you mean diff?)"],
    [['diff', 'x^2', '--wrt', 'x', '--hesian'], "error: unknown option '--hesian'\n(Did you mean --hessian?)"],
    // A misspelt required option is named as misspelt, not reported as the required one missing.
    [['diff', 'x^2', '--wrtt', 'x'], "error: unknown option '--wrtt'\n(Did you mean --wrt?)"],
    [['compile', '--chek'], "error: unknown option '--chek'\n(Did you mean --check?)"],
  ])('%j exits 2 with a suggestion', async (argv, message) => {
    const r = await run(argv);
    expect(r.code).toBe(2);
    expect(r.text).toBe(message);
  });

  it('still says that --wrt is required when it is left out', async () => {
    const r = await run(['diff', 'x^2']);
    expect(r.code).toBe(2);
    expect(r.text).toBe('gradc: error: the option --wrt <vars> is required: the variables to differentiate with respect to, e.g. --wrt x,y');
  });

  it('gradc diff names the closest function and points at ** with the ^ hint', async () => {
    const typo = await run(['diff', 'sinn(x)', '--wrt', 'x']);
    expect(typo.code).toBe(2);
    expect(typo.text.split('\n')[0]).toBe("<expr>:1:1: error: unknown function 'sinn'; did you mean 'sin'?");
    const power = await run(['diff', 'x ** 2', '--wrt', 'x']);
    expect(power.code).toBe(2);
    expect(power.text.split('\n').slice(0, 3)).toEqual(["<expr>:1:3: error: '**' is not an operator in mathjs syntax: powers are written with '^'", '  x ** 2', '    ^']);
  });

  it('gradc diff notes the closest variable for a --wrt name the expression does not use', async () => {
    const r = await run(['diff', 'theta^2', '--wrt', 'thetaa']);
    expect(r.code).toBe(0);
    expect(r.text.split('\n')[0]).toBe("note: thetaa does not appear in the expression; its derivatives are 0 (--strict-wrt makes this an error); did you mean 'theta'?");
  });

  it('gradc compile names the closest config key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gradc-suggest-'));
    try {
      writeFileSync(join(dir, 'gradc.config.ts'), "export default {\n  inputs: ['a.model.ts'],\n  checkfinite: true,\n};\n");
      const r = await run(['compile'], dir);
      expect(r.code).toBe(2);
      expect(r.text).toContain("gradc: error: gradc.config.ts:3:3: unknown config key 'checkfinite'; did you mean 'checkFinite'?");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
