/**
 * A bounded fuzz test (fast-check, fixed seeds, part of `npm test`): a few
 * thousand random and mutated math expressions through compileExpression,
 * and a few hundred mutated model files through compileModelFile. Every
 * input must end in a compiled module that loads and whose gradient matches
 * central differences where the function is smooth and finite, or in a
 * located error. An internal error (any other exception), an unloadable
 * module or a wrong derivative is a failure, reported with its input. The
 * counts per outcome are printed.
 */
import fc from 'fast-check';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { compileExpression, compileModelFile } from '../../../compiler/index.ts';
import { loadModule } from '../../../compiler/load/loadModule.ts';
import { parseExpression } from '../../../compiler/frontend/mathjs.ts';
import { input } from '../../../compiler/ir/build.ts';
import { evaluateTensors } from '../../../compiler/ir/evaluate.ts';
import { referenceEvaluator } from '../gradcheck.ts';
import type { LoadedModule } from '../../../compiler/load/loadModule.ts';
import { checkGradient, classifyError, Tally } from './fuzzOutcome.ts';
import { fuzzedExpression, point } from './fuzzExpressions.ts';
import { BASE_MODELS, fuzzedModel } from './fuzzModels.ts';

const EXPRESSIONS = 4000;
const MODELS = 300;

function record(tally: Tally, input: string, run: () => void): void {
  try {
    run();
  } catch (e) {
    const outcome = classifyError(e);
    if (typeof outcome === 'string') tally.count(outcome);
    else tally.fail(input, outcome.problem);
  }
}

const VARIABLES = ['x', 'y', 'z'];

function checkExpression(tally: Tally, text: string, at: readonly number[]): void {
  record(tally, JSON.stringify(text), () => {
    const c = compileExpression(text, { wrt: ['x', 'y', 'z'] });
    // Variables other than x, y, z (a mistyped function name used as a value) are held at 0.7.
    const others = Object.fromEntries(c.inputs.filter((name) => !c.wrt.includes(name)).map((name) => [name, 0.7]));
    const pointOf = (x: Float64Array) => ({ ...others, x: x[0]!, y: x[1]!, z: x[2]! });
    const f = (x: Float64Array) => c.value(pointOf(x));
    const x = Float64Array.from(at);
    // An intermediate that overflows or leaves its domain (cosh(1e308·y), Infinity·y) makes the
    // chain rule meaningless there, in gradc as in JAX or PyTorch: count it, do not compare.
    const parsed = parseExpression(text);
    const steps = [...evaluateTensors([parsed.output], pointOf(x)).values()].flatMap((t) => [...t.data]);
    if (steps.some((v) => !Number.isFinite(v))) return tally.count('not finite at the point');
    const grad = Float64Array.from(c.gradient(pointOf(x)));
    const check = checkGradient(f, grad, x);
    if (check.problem !== undefined) {
      // The derivative rules as the IR states them, before any pass, by the reference evaluator.
      // Inputs are interned by name, so input('x') is the parsed expression's own x.
      const vars = [...VARIABLES, ...parsed.variables.filter((name) => !VARIABLES.includes(name))].map((name) => input(name));
      const reference = referenceEvaluator(parsed.output, vars).gradient(vars.map((_, i) => (i < 3 ? x[i]! : 0.7))).slice(0, 3);
      const asRules = reference.every((r, i) => Object.is(r, grad[i]) || Math.abs(r - grad[i]!) <= 1e-6 * Math.max(1, Math.abs(r)));
      const illConditioned = steps.some((v) => Math.abs(v) > 1e12 || (v !== 0 && Math.abs(v) < 1e-12));
      if (asRules && illConditioned) return tally.count('ill-conditioned at the point');
      return tally.fail(JSON.stringify(text), `${check.problem}; before optimization the rules give [${reference.join(', ')}]`);
    }
    if (check.outcome === 'matches finite differences') {
      // Forward mode must agree with reverse mode wherever the gradient was checked.
      const v = { x: 0.3, y: -0.7, z: 1.1 };
      const jvp = c.jvp(pointOf(x), v);
      const expected = grad[0]! * v.x + grad[1]! * v.y + grad[2]! * v.z;
      if (!(Math.abs(jvp - expected) <= 1e-8 * Math.max(1, Math.abs(expected)))) {
        return tally.fail(JSON.stringify(text), `jvp ${jvp} but gradient·v ${expected}`);
      }
    }
    tally.count(check.outcome);
  });
}

interface Flat {
  readonly size: number;
  value(x: Float64Array): number;
  objective(x: Float64Array, gradOut: Float64Array): number;
  jvp(x: Float64Array, v: Float64Array): number;
  hvp(x: Float64Array, v: Float64Array, out: Float64Array): void;
}

/** Forward mode against the gradient, and H·v against central differences of the gradient along v. */
function checkCurvature(flat: Flat, x: Float64Array, grad: Float64Array): string | undefined {
  const v = Float64Array.from({ length: flat.size }, (_, i) => ((i * 7) % 5) / 4 - 0.4);
  const jvp = flat.jvp(x, v);
  const expected = grad.reduce((s, g, i) => s + g * v[i]!, 0);
  if (!(Math.abs(jvp - expected) <= 1e-8 * Math.max(1, Math.abs(expected)))) return `jvp ${jvp} but gradient·v ${expected}`;
  const hv = new Float64Array(flat.size);
  flat.hvp(x, v, hv);
  const h = 1e-5;
  const gUp = new Float64Array(flat.size);
  const gDown = new Float64Array(flat.size);
  flat.objective(x.map((xi, i) => xi + h * v[i]!), gUp);
  flat.objective(x.map((xi, i) => xi - h * v[i]!), gDown);
  for (let i = 0; i < flat.size; i++) {
    const fd = (gUp[i]! - gDown[i]!) / (2 * h);
    if (!(Math.abs(hv[i]! - fd) <= 1e-3 * Math.max(1, Math.abs(fd)))) return `(H·v)[${i}] = ${hv[i]}, differences of the gradient ${fd}`;
  }
  return undefined;
}

/** Random points for every flat objective without data in a loaded module; the module must load. */
function checkModule(tally: Tally, input: string, mod: LoadedModule, seed: number): void {
  const flats = Object.entries(mod).filter(([name, f]) => name.endsWith('Flat') && typeof f === 'function' && f.length === 0);
  if (flats.length === 0) return tally.count('loads (no parameters)');
  const rng = fc.sample(fc.double({ min: -2, max: 2, noNaN: true }), { seed, numRuns: 64 });
  for (const [name, make] of flats) {
    const flat = (make as () => Flat)();
    const x = Float64Array.from({ length: flat.size }, (_, i) => rng[i % rng.length]! + 0.01 * i);
    const grad = new Float64Array(flat.size);
    const value = flat.objective(x, grad);
    if (!Object.is(value, flat.value(x))) return tally.fail(input, `${name}: objective returned ${value} but value ${flat.value(x)}`);
    const check = checkGradient(flat.value, grad, x);
    if (check.problem !== undefined) return tally.fail(input, `${name}: ${check.problem}`);
    if (check.outcome === 'matches finite differences') {
      const problem = checkCurvature(flat, x, grad);
      if (problem !== undefined) return tally.fail(input, `${name}: ${problem}`);
    }
    tally.count(check.outcome);
  }
}

/** TypeScript's own syntax errors for a text, as the classic compiler reports them. */
function syntaxErrors(text: string): string[] {
  const { diagnostics = [] } = ts.transpileModule(text, { reportDiagnostics: true, compilerOptions: { target: ts.ScriptTarget.ES2022 } });
  return diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
}

function checkModel(tally: Tally, text: string, seed: number): void {
  record(tally, text, () => {
    const { files } = compileModelFile('fuzz/model.model.ts', { text });
    // A file TypeScript cannot parse must be refused, not compiled from whatever the parser recovered.
    const broken = syntaxErrors(text);
    if (broken.length > 0) return tally.fail(text, `compiled although TypeScript reports a syntax error: ${broken[0]}`);
    let mod: LoadedModule;
    try {
      mod = loadModule(files[0]!.content);
    } catch (e) {
      return tally.fail(text, `the generated module does not load: ${String(e)}`);
    }
    checkModule(tally, text, mod, seed);
  });
}

/** Failures grouped by the first line of their problem, each with a count and its first input. */
function show(tally: Tally): string {
  const groups = new Map<string, { count: number; input: string; problem: string }>();
  for (const f of tally.failures) {
    const key = f.problem.split('\n')[0]!.replace(/\d+(\.\d+)?(e-?\d+)?/g, 'N');
    const g = groups.get(key);
    if (g === undefined) groups.set(key, { count: 1, input: f.input, problem: f.problem });
    else g.count++;
  }
  return [...groups.values()].map((g) => `${g.count}× ${g.problem}\n  first input:\n${g.input}`).join('\n\n');
}

describe('fuzz (fixed seeds)', () => {
  it('every base model compiles, loads and matches finite differences', () => {
    const tally = new Tally();
    BASE_MODELS.forEach((text, i) => checkModel(tally, text, i));
    expect(show(tally)).toBe('');
    expect(tally.counts.get('matches finite differences')).toBeGreaterThanOrEqual(BASE_MODELS.length);
  });

  it(`${EXPRESSIONS} random and mutated expressions: compiled and correct, or a located error`, () => {
    const tally = new Tally();
    fc.assert(
      fc.property(fuzzedExpression, point, (text, at) => {
        checkExpression(tally, text, at);
      }),
      { seed: 20261202, numRuns: EXPRESSIONS },
    );
    console.info(tally.report('fuzzed expressions'));
    expect(show(tally)).toBe('');
    // The generator must reach both ends: a run where nothing compiles (or nothing fails) tests nothing.
    expect(tally.counts.get('matches finite differences') ?? 0).toBeGreaterThan(EXPRESSIONS / 10);
    expect(tally.counts.get('located error') ?? 0).toBeGreaterThan(EXPRESSIONS / 10);
  });

  it(`${MODELS} mutated model files: a module that loads and is correct, or a located error`, () => {
    const tally = new Tally();
    fc.assert(
      fc.property(fuzzedModel, fc.nat(), ({ text }, seed) => {
        checkModel(tally, text, seed);
      }),
      { seed: 1202, numRuns: MODELS },
    );
    console.info(tally.report('mutated model files'));
    expect(show(tally)).toBe('');
    expect(tally.counts.get('matches finite differences') ?? 0).toBeGreaterThan(MODELS / 10);
    expect(tally.counts.get('located error') ?? 0).toBeGreaterThan(MODELS / 10);
  });
});
