/**
 * Loop directives in model files (`/** @checkpoint sqrt *\/`, `@truncate 4`)
 * reach the loop node; a checkpointed gradient is bit-identical to the full
 * tape's, a truncated one equals the IR-built truncated loop's; a loop with a
 * data condition (`i < 60 && err > tol`) is a bounded while loop whose value
 * is the eager run's and whose gradient agrees with central differences; bad
 * directives are located errors with advice.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gradient } from '../../../compiler/autodiff/reverse.ts';
import { tapeReport } from '../../../compiler/emit/loops/tape.ts';
import { ModelFileError, parseModelFile } from '../../../compiler/frontend/typescript/parseModelFile.ts';
import { add, constant, input, mul } from '../../../compiler/ir/build.ts';
import { sum } from '../../../compiler/ir/buildTensor.ts';
import { evaluateTensors } from '../../../compiler/ir/evaluate.ts';
import { tanh } from '../../../compiler/frontend/builders/nn.ts';
import type { ApplyNode, Node } from '../../../compiler/ir/node.ts';
import { topoSort } from '../../../compiler/ir/program.ts';
import { scan } from '../../../compiler/ir/scan.ts';
import { scanInfo } from '../../../compiler/ir/scanNode.ts';
import type { FunctionIR } from '../../../compiler/ir/function.ts';
import { Tensor } from '../../../compiler/prelude/tensor.ts';
import { close, differentiate, mismatches, seededRandom } from '../gradcheck.ts';
import * as loops from './fixtures/loops.model.ts';

const fixture = (name: string) => relative(process.cwd(), fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url)));
const ir = parseModelFile(fixture('loops.model.ts'));
const find = (name: string): FunctionIR => ir.functions.find((f) => f.name === name)!;

const T = 37;
const rand = seededRandom(11);
const vector = (n: number, scale = 1) => new Tensor([n], Float64Array.from({ length: n }, () => (rand() * 2 - 1) * scale));
const w = vector(3);
const h0 = vector(3);
const X = new Tensor([T, 3], Float64Array.from({ length: T * 3 }, () => rand() * 2 - 1));

type Arg = number | Tensor;
const flat = (v: number | { data: Float64Array }): number[] => (typeof v === 'number' ? [v] : [...v.data]);

function run(fn: FunctionIR, args: readonly Arg[], roots: readonly Node[]): number[][] {
  const inputs = Object.fromEntries(fn.params.map((p, i) => [p.name, args[i]!]));
  const values = evaluateTensors(roots, inputs, { time: T });
  return roots.map((r) => flat(values.get(r)!));
}

const gradientOf = (fn: FunctionIR, args: readonly Arg[]): number[][] => run(fn, args, gradient(fn.output, fn.wrt));

/** The loop nodes of a function's value graph, by their attributes. */
const loopsOf = (fn: FunctionIR) => topoSort([fn.output]).filter((n) => n.op === 'scan').map((n) => scanInfo(n as ApplyNode));

describe('loop directives reach the loop node', () => {
  it('sets the checkpointing scheme and the truncation window', () => {
    expect(loopsOf(find('full')).map((l) => [l.checkpoint, l.every])).toEqual([[0, 0]]);
    expect(loopsOf(find('sqrtTape')).map((l) => [l.checkpoint, l.every])).toEqual([[-1, 0]]);
    expect(loopsOf(find('logTape')).map((l) => [l.checkpoint, l.every])).toEqual([[-2, 0]]);
    // Truncation cuts every carry (h and total) every 4 steps, or those named.
    const [t] = loopsOf(find('truncated'));
    expect([t!.checkpoint, t!.every, t!.stop]).toEqual([-1, 4, [0, 1]]);
    const [s] = loopsOf(find('truncatedState'));
    expect([s!.checkpoint, s!.every, s!.stop]).toEqual([0, 4, [0]]);
  });

  it('makes a short loop with a directive one loop node, and fits its tape in the budget', () => {
    const fn = find('budgetTape');
    const [l] = loopsOf(fn);
    expect(l!.length).toBe(40);
    expect(l!.checkpoint).toBeGreaterThan(0);
    expect(topoSort([fn.output]).length).toBeLessThan(40);
    const full = tapeReport(gradient(find('full').output, find('full').wrt), { time: 40 });
    const report = tapeReport(gradient(fn.output, fn.wrt));
    expect(report.elements).toBeLessThan(full.elements);
    // At most 16 states of 3 numbers each, plus the segment being rebuilt.
    expect(report.elements).toBeLessThanOrEqual(16 * 3 + 3 * l!.checkpoint);
  });

  it('shrinks the tape the gradient keeps', () => {
    const kept = (name: string) => tapeReport(gradient(find(name).output, find(name).wrt), { time: 1000 }).elements;
    expect(kept('sqrtTape')).toBeLessThan(kept('full') / 4);
    expect(kept('logTape')).toBeLessThan(kept('sqrtTape'));
  });
});

describe('checkpointed and truncated gradients', () => {
  it('computes the value of the eager run whatever the directives', () => {
    for (const name of ['full', 'sqrtTape', 'logTape', 'truncated'] as const) {
      const eager = loops[name](w, h0, X) as number;
      const [got] = run(find(name), [w, h0, X], [find(name).output]);
      expect(close(got![0]!, eager, { rtol: 1e-12, atol: 1e-12 }), name).toBe(true);
    }
  });

  it('gives bit-identical gradients with and without checkpointing', () => {
    const full = gradientOf(find('full'), [w, h0, X]);
    expect(gradientOf(find('sqrtTape'), [w, h0, X])).toEqual(full);
    expect(gradientOf(find('logTape'), [w, h0, X])).toEqual(full);
  });

  for (const [name, truncate] of [['truncated', 4], ['truncatedState', { every: 4, carries: ['h'] }]] as const) {
    it(`${name}: gives the truncated gradient of the IR-built truncated loop`, () => {
      const [wn, hn, Xn] = [input('w', [3]), input('h0', [3]), input('X', ['time', 3])];
      const built = scan({
        init: { h: hn, total: constant(0) },
        sequences: { x: Xn },
        truncate,
        step: ({ h, total }, { x }) => {
          const next = tanh(add(mul(h!, wn), x!));
          return { carry: { h: next, total: add(total!, sum(next)) } };
        },
      });
      const loss = built.carry['total']!;
      const expected = evaluateTensors(gradient(loss, [wn, hn]), { w, h0, X }, { time: T });
      const got = gradientOf(find(name), [w, h0, X]);
      const want = gradient(loss, [wn, hn]).map((g) => flat(expected.get(g)!));
      for (let k = 0; k < 2; k++) expect(mismatches(got[k]!, want[k]!, { rtol: 1e-12, atol: 1e-14 })).toEqual([]);
      // And truncation changed something: the untruncated loop's gradient differs.
      const untruncated = scan({
        init: { h: hn, total: constant(0) },
        sequences: { x: Xn },
        step: ({ h, total }, { x }) => {
          const next = tanh(add(mul(h!, wn), x!));
          return { carry: { h: next, total: add(total!, sum(next)) } };
        },
      }).carry['total']!;
      const [gw] = gradient(untruncated, [wn]);
      const whole = flat(evaluateTensors([gw!], { w, h0, X }, { time: T }).get(gw!)!);
      expect(mismatches(got[0]!, whole, { rtol: 1e-3, atol: 1e-6 }).length).toBeGreaterThan(0);
      // Cutting the running total too leaves only the last window's terms, so nothing reaches h0;
      // cutting the state only keeps the first window's path from h0.
      expect(got[1]!.some((v) => v !== 0)).toBe(name === 'truncatedState');
    });
  }
});

describe('loops with a data condition', () => {
  it('lowers to one bounded while loop', () => {
    const [l] = loopsOf(find('newtonSqrt'));
    expect(l!.length).toBe(60);
    expect(topoSort([find('newtonSqrt').output]).some((n) => n.op === 'scan' && n.attrs['part'] === 'carry')).toBe(true);
  });

  const points: Record<'newtonSqrt' | 'untilLimit', readonly (readonly [number, number])[]> = {
    newtonSqrt: [[2, 1], [9, 0.5], [0.3, 2]],
    untilLimit: [[0.8, 0.2], [1.3, -0.4], [0.2, 0.1]],
  };
  for (const name of ['newtonSqrt', 'untilLimit'] as const) {
    it(`${name}: the value is the eager run's, the gradient matches central differences`, () => {
      const fn = find(name);
      for (const p of points[name]) {
        const [value] = run(fn, p, [fn.output]);
        expect(value![0]).toBe(loops[name](p[0], p[1]));
        const got = gradientOf(fn, p).map((g) => g[0]!);
        for (let k = 0; k < 2; k++) {
          const estimate = differentiate((t) => [loops[name](p[0] + (k === 0 ? t : 0), p[1] + (k === 1 ? t : 0))], 1e-4);
          expect(estimate.reliable, estimate.why).toBe(true);
          expect(close(got[k]!, estimate.derivative[0]!, { rtol: 1e-7, atol: 1e-9 }), `${name}${JSON.stringify(p)} ∂${k}: ${got[k]} vs ${estimate.derivative[0]}`).toBe(true);
        }
      }
    });
  }

  it('reads the tolerance 1e-20 as written (ts-morph\'s literal value reads it as 1)', () => {
    const text = "import type { Param } from 'gradc/prelude';\nexport function f(x: Param<number>): number {\n  return x * 1e-20 + 2.5e3 + 0x10 + 1_000;\n}\n";
    const fn = parseModelFile('literals.model.ts', { text }).functions[0]!;
    expect(run(fn, [1], [fn.output])[0]).toEqual([1e-20 + 2500 + 16 + 1000]);
  });

  it('stops where the eager run stops (Newton from 1 to √2: four steps, within 1e-11)', () => {
    const [value] = run(find('newtonSqrt'), [2, 1], [find('newtonSqrt').output]);
    expect(close(value![0]!, Math.SQRT2, { rtol: 1e-11, atol: 0 })).toBe(true);
    expect(value![0]).not.toBe(Math.SQRT2);
    const [g] = gradientOf(find('newtonSqrt'), [2, 1]);
    expect(close(g![0]!, 1 / (2 * Math.SQRT2), { rtol: 1e-9, atol: 0 })).toBe(true);
  });
});

describe('bad loop directives and unbounded loops', () => {
  const HEADER = "import { add, gather, mul, sum, tanh } from 'gradc/prelude';\nimport type { Param, Tensor } from 'gradc/prelude';\n";
  const loop = (comment: string, head = 't < X.shape[0]') =>
    `export function f(w: Param<Tensor<[3]>>, X: Tensor<['time', 3]>): number {\n  let h = w;\n  ${comment}\n  for (let t = 0; ${head}; t++) {\n    h = tanh(add(mul(h, w), gather(X, t)));\n  }\n  return sum(h);\n}\n`;

  /** The source with the marker ^ removed, and the marker's line and column. */
  function place(source: string): { text: string; line: number; column: number } {
    const full = HEADER + source;
    const before = full.slice(0, full.indexOf('^')).split('\n');
    return { text: full.replace('^', ''), line: before.length, column: before[before.length - 1]!.length + 1 };
  }

  function rejection(text: string): ModelFileError {
    try {
      parseModelFile('loops.model.ts', { text });
    } catch (e) {
      if (e instanceof ModelFileError) return e;
      throw e;
    }
    throw new Error('expected the model file to be rejected');
  }

  const CASES: readonly { name: string; source: string; message: RegExp; hint: RegExp }[] = [
    { name: 'an unknown directive', source: loop('/** ^@chekpoint sqrt */'), message: /unknown loop directive '@chekpoint'/, hint: /@checkpoint sqrt \| log \| budget=N/ },
    { name: 'an unknown checkpointing scheme', source: loop('/** ^@checkpoint fast */'), message: /@checkpoint 'fast' is not a checkpointing scheme/, hint: /@checkpoint budget=300/ },
    { name: 'a budget that is not a number', source: loop('/** ^@checkpoint budget=many */'), message: /@checkpoint 'budget=many' is not a checkpointing scheme/, hint: /@checkpoint sqrt/ },
    { name: 'a checkpoint without a scheme', source: loop('/** ^@checkpoint */'), message: /@checkpoint needs a scheme/, hint: /@checkpoint log/ },
    { name: 'a truncation window of 0', source: loop('/** ^@truncate 0 */'), message: /@truncate '0' is not a window length/, hint: /@truncate 10/ },
    { name: 'a truncation naming a variable the loop does not carry', source: loop('/** ^@truncate 4 q */'), message: /@truncate names 'q', which this loop does not carry/, hint: /The loop carries: h/ },
    { name: 'a truncation naming something that is not a name', source: loop('/** ^@truncate 4 h 1x */'), message: /@truncate: '1x' is not a variable name/, hint: /@truncate 10 h c/ },
    { name: 'a directive given twice', source: loop('/** @truncate 3 ^@truncate 5 */'), message: /@truncate is given twice/, hint: /Keep one @truncate/ },
    { name: 'a budget over a named dimension', source: loop('/** @checkpoint budget=10 */').replace('  for (', '  ^for ('), message: /budget=… needs a trip count known at compile time/, hint: /@checkpoint sqrt or @checkpoint log/ },
    { name: 'a data condition over a named dimension', source: loop('', 't < X.shape[0] && ^sum(h) > 0'), message: /a loop with a data condition needs a bound known at compile time/, hint: /t < 100 && …/ },
    { name: 'a data condition that is not a comparison', source: loop('', 't < 10 && ^sum(h)'), message: /the condition of a loop must be a true\/false number comparison/, hint: /err > tol/ },
    {
      name: 'an unbounded while loop',
      source: "export function f(x: Param<number>): number {\n  let y = x;\n  ^while (y > 1) {\n    y = y / 2;\n  }\n  return y;\n}\n",
      message: /`while` loops are not supported/, hint: /for \(let i = 0; i < 100 && err > tol; i\+\+\)/,
    },
  ];

  for (const c of CASES) {
    it(`${c.name}: located, with advice`, () => {
      const { text, line, column } = place(c.source);
      const error = rejection(text);
      expect(error.diagnostics).toHaveLength(1);
      const [d] = error.diagnostics;
      expect(d!.message).toMatch(c.message);
      expect(d!.hint).toMatch(c.hint);
      expect([d!.location.line, d!.location.column]).toEqual([line, column]);
      expect(error.format()).toContain(`loops.model.ts:${line}:${column}`);
    });
  }
});
