/**
 * Custom derivative rules in a model file (customDerivative), compiled end
 * to end: the value is the primal's, reverse mode uses the user's VJP,
 * forward mode the user's JVP (or the primal's tangent when there is none),
 * the HVP differentiates the user's VJP graph; a rule may read the output,
 * take several arguments and run inside a loop node. Generated code is
 * checked against the reference evaluation of the lowered IR, against finite
 * differences where the rules are the true derivatives, and against the
 * clipped values where they are not.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { jvp } from '../../compiler/autodiff/forward.ts';
import { gradient } from '../../compiler/autodiff/reverse.ts';
import { compileModelFile } from '../../compiler/api/compileModelFile.ts';
import { loadModule } from '../../compiler/load/loadModule.ts';
import { parseModelFile } from '../../compiler/frontend/typescript/parseModelFile.ts';
import { input } from '../../compiler/ir/build.ts';
import { customRuleAgreement } from '../../compiler/autodiff/customRuleCheck.ts';
import { evaluateTensors } from '../../compiler/ir/evaluate.ts';
import { topoSort } from '../../compiler/ir/program.ts';
import type { FunctionIR } from '../../compiler/ir/function.ts';
import { Tensor } from '../../compiler/prelude/tensor.ts';
import { along, differentiate, dot, mismatches, seededRandom } from './gradcheck.ts';
import * as model from './frontend-ts/fixtures/customRules.model.ts';

const PATH = relative(process.cwd(), fileURLToPath(new URL('./frontend-ts/fixtures/customRules.model.ts', import.meta.url)));
const SIZES: Readonly<Record<string, number>> = { time: 5 };
const TIGHT = { rtol: 1e-10, atol: 1e-12 };
const FD = { rtol: 1e-6, atol: 1e-8 };

type Kernel = (...args: (number | Float64Array)[]) => number | Float64Array;
const ir = parseModelFile(PATH);
const generated = loadModule(compileModelFile(PATH).files[0]!.content) as Record<string, Kernel>;
const fnOf = (name: string): FunctionIR => ir.functions.find((f) => f.name === name)!;
const flat = (v: number | Float64Array | Tensor): number[] => (typeof v === 'number' ? [v] : [...(v instanceof Tensor ? v.data : v)]);

/** Seeded arguments for `fn` (named dimensions from SIZES). */
function argsFor(fn: FunctionIR, seed: number, scale = 1): (number | Tensor)[] {
  const rand = seededRandom(seed);
  return fn.params.map((p) => {
    const shape = p.shape.map((d) => (typeof d === 'number' ? d : SIZES[d]!));
    const data = Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => scale * (2 * rand() - 1));
    return shape.length === 0 ? data[0]! : new Tensor(shape, Float64Array.from(data));
  });
}
const plain = (args: readonly (number | Tensor)[]) => args.map((a) => (typeof a === 'number' ? a : Float64Array.from(a.data)));
/** The parameters flattened in layout order (every parameter is differentiated in these functions). */
const flatArgs = (args: readonly (number | Tensor)[], fn: FunctionIR) => fn.wrt.flatMap((p) => flat(args[fn.params.indexOf(p)]!));
/** Arguments with the differentiated ones replaced by the flat vector x. */
function unflat(args: readonly (number | Tensor)[], fn: FunctionIR, x: readonly number[]): (number | Float64Array)[] {
  let k = 0;
  return args.map((a, i) => {
    if (!fn.wrt.includes(fn.params[i]!)) return typeof a === 'number' ? a : Float64Array.from(a.data);
    const n = typeof a === 'number' ? 1 : a.data.length;
    const part = x.slice(k, (k += n));
    return typeof a === 'number' ? part[0]! : Float64Array.from(part);
  });
}
const bound = (fn: FunctionIR, args: readonly (number | Tensor)[]) => Object.fromEntries(fn.params.map((p, i) => [p.name, args[i]!]));

/** Functions whose rules are the true derivatives: every mode agrees with finite differences. */
const EXACT = ['stableLoss', 'customRnn', 'sineLoss'] as const;

describe('custom rules that are the true derivatives', () => {
  for (const name of EXACT) {
    const fn = fnOf(name);
    const args = argsFor(fn, name.length * 7 + 1);
    const x0 = flatArgs(args, fn);
    const value = (x: readonly number[]) => generated[name]!(...unflat(args, fn, x)) as number;
    const grad = (x: readonly number[]) => flat(generated[`${name}Gradient`]!(...unflat(args, fn, x)));
    const v = x0.map((_, i) => Math.sin(3 * i + 1));

    it(`${name}: the generated value equals the eager run`, () => {
      const eager = (model[name] as (...a: (number | Tensor)[]) => number)(...args);
      expect(mismatches([value(x0)], [eager], TIGHT)).toEqual([]);
    });

    it(`${name}: the generated gradient equals the reference evaluation of the lowered IR and finite differences`, () => {
      const roots = gradient(fn.output, fn.wrt);
      const values = evaluateTensors(roots, bound(fn, args), SIZES);
      expect(mismatches(grad(x0), roots.flatMap((r) => [...values.get(r)!.data]), TIGHT)).toEqual([]);
      const estimate = differentiate((t) => [value(along(x0, v, t))], 1e-4);
      expect(estimate.reliable, estimate.why).toBe(true);
      expect(mismatches([dot(grad(x0), v)], estimate.derivative, FD)).toEqual([]);
    });

    it(`${name}: forward mode (the JVP rule) equals reverse mode (the VJP rule)`, () => {
      const forward = generated[`${name}Jvp`]!(...plain(args), Float64Array.from(v)) as number;
      expect(mismatches([forward], [dot(grad(x0), v)], TIGHT)).toEqual([]);
    });

    it(`${name}: the HVP (forward over the VJP rule) equals differences of the gradient`, () => {
      const hv = flat(generated[`${name}Hvp`]!(...plain(args), Float64Array.from(v)));
      const estimate = differentiate((t) => grad(along(x0, v, t)), 1e-4);
      expect(estimate.reliable, estimate.why).toBe(true);
      expect(mismatches(hv, estimate.derivative, FD)).toEqual([]);
    });

  }

  it('the custom rules of stableLoss and sineLoss have adjoint JVPs and VJPs at the point', () => {
    for (const name of ['stableLoss', 'sineLoss']) {
      const fn = fnOf(name);
      const checks = customRuleAgreement([fn.output], bound(fn, argsFor(fn, 11)), seededRandom(5));
      expect(checks.length).toBe(2);
      for (const c of checks) expect(mismatches([c.forward], [c.reverse], TIGHT), c.rule).toEqual([]);
    }
  });

  it('a rule is built once per shape signature: two scalar calls of logAddExp share one', () => {
    const rules = new Set<string>();
    for (const n of topoSort([fnOf('stableLoss').output])) if (n.op === 'custom') rules.add(n.attrs['rule'] as string);
    expect(rules.size).toBe(1);
  });

  it('customRnn calls its rule inside one loop node, not an unrolled chain', () => {
    const ops = topoSort([fnOf('customRnn').output]).map((n) => n.op);
    expect(ops.filter((op) => op === 'scan').length).toBeGreaterThan(0);
    expect(ops.filter((op) => op === 'tanh').length).toBe(0);
  });
});

describe('a numerically stable form', () => {
  it('logAddExp has finite derivatives at 1000 where the plain form gives NaN', () => {
    const naive = fnOf('naiveLogAddExp');
    const naiveGrad = gradient(naive.output, naive.wrt);
    const plainValues = evaluateTensors(naiveGrad, { a: 1000, b: 1000 });
    expect(naiveGrad.map((g) => plainValues.get(g)!.data[0]!).every(Number.isNaN)).toBe(true);

    const stable = fnOf('stableLogAddExp');
    const a = 1000;
    const b = 999;
    const weights = [1 / (1 + Math.exp(b - a)), 1 / (1 + Math.exp(a - b))];
    const reference = gradient(stable.output, stable.wrt);
    const values = evaluateTensors(reference, { a, b });
    expect(mismatches(reference.map((g) => values.get(g)!.data[0]!), weights, TIGHT)).toEqual([]);
    expect(mismatches(flat(generated['stableLogAddExpGradient']!(a, b)), weights, TIGHT)).toEqual([]);
    expect(mismatches([generated['logAddExp']!(a, b) as number], [a + Math.log1p(Math.exp(b - a))], TIGHT)).toEqual([]);
    const v = Float64Array.from([0.3, -0.7]);
    expect(mismatches([generated['stableLogAddExpJvp']!(a, b, v) as number], [weights[0]! * 0.3 - weights[1]! * 0.7], TIGHT)).toEqual([]);
  });
});

describe('a clipped gradient', () => {
  const fn = fnOf('clippedLoss');
  const w = [0.2, -1.5, 3];
  const clipped = w.map((x) => Math.min(Math.max(2 * x, -1), 1));

  it('the value is unchanged: Σ w²', () => {
    expect(mismatches([generated['clippedLoss']!(Float64Array.from(w)) as number], [w.reduce((s, x) => s + x * x, 0)], TIGHT)).toEqual([]);
    expect(mismatches([model.clippedLoss(new Tensor([3], Float64Array.from(w)))], [w.reduce((s, x) => s + x * x, 0)], TIGHT)).toEqual([]);
  });

  it('the gradient is the clipped slope clamp(2w, -1, 1), not 2w, in reverse and forward mode', () => {
    expect(mismatches(flat(generated['clippedLossGradient']!(Float64Array.from(w))), clipped, TIGHT)).toEqual([]);
    const reference = gradient(fn.output, fn.wrt);
    const values = evaluateTensors(reference, { w: new Tensor([3], Float64Array.from(w)) });
    expect(mismatches([...values.get(reference[0]!)!.data], clipped, TIGHT)).toEqual([]);
    const v = [1, 2, -1];
    expect(mismatches([generated['clippedLossJvp']!(Float64Array.from(w), Float64Array.from(v)) as number], [dot(clipped, v)], TIGHT)).toEqual([]);
  });

  it('the HVP differentiates the clipped VJP: 2 where |2w| < 1, 0 where the clip holds', () => {
    const v = [1, 2, -1];
    const want = w.map((x, i) => (Math.abs(2 * x) < 1 ? 2 * v[i]! : 0));
    expect(mismatches(flat(generated['clippedLossHvp']!(Float64Array.from(w), Float64Array.from(v))), want, TIGHT)).toEqual([]);
  });
});

describe('the agreement check', () => {
  it('finds a JVP and a VJP that disagree', () => {
    const text = [
      "import { customDerivative, mul, sum } from 'gradc/prelude';",
      "import type { Param, Tensor } from 'gradc/prelude';",
      'const twice = customDerivative(',
      '  (x: Tensor<[2]>): Tensor<[2]> => mul(2, x),',
      '  { jvp: (x, xDot) => mul(2, xDot), vjp: (x, y, yBar) => mul(3, yBar) },',
      ');',
      'export function f(x: Param<Tensor<[2]>>): number {',
      '  return sum(twice(x));',
      '}',
    ].join('\n');
    const f = parseModelFile('bad.model.ts', { text }).functions[0]!;
    const [c] = customRuleAgreement([f.output], { x: new Tensor([2], Float64Array.from([1, 2])) }, seededRandom(3));
    expect(c!.rule).toBe('twice');
    expect(c!.reverse).toBeCloseTo(1.5 * c!.forward, 12);
    // Forward and reverse mode follow their own rule.
    const t = input('t', [2]);
    const [tangent] = jvp([f.output], new Map([[f.wrt[0]!, t]]));
    const g = gradient(f.output, f.wrt)[0]!;
    const values = evaluateTensors([tangent!, g], { x: new Tensor([2], Float64Array.from([1, 2])), t: new Tensor([2], Float64Array.from([1, 1])) });
    expect(values.get(tangent!)!.data[0]).toBe(4);
    expect([...values.get(g)!.data]).toEqual([3, 3]);
  });
});
