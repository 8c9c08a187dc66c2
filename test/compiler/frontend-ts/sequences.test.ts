/**
 * Loops that emit sequences (issue 15, wall 3): `ys.push(y)` once per step
 * into a list declared before the loop, `stack(ys)` after it. In a loop node
 * (a named-dimension bound, a long literal bound) the pushes become the
 * scan's stacked outputs and stay structured in reverse mode; in an unrolled
 * loop they build an ordinary list. Each compiled function equals the eager
 * run of the same file, its gradient (or VJP) central differences, its JVP
 * the gradient's projection and its HVP differences of the gradient; misuse
 * is a located error with the supported spelling.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileModelFile } from '../../../compiler/api/compileModelFile.ts';
import { gradient } from '../../../compiler/autodiff/reverse.ts';
import { ModelFileError, parseModelFile } from '../../../compiler/frontend/typescript/parseModelFile.ts';
import { topoSort } from '../../../compiler/ir/program.ts';
import { loadModule } from '../../../compiler/load/loadModule.ts';
import { typeCheckModule } from '../../../compiler/load/typeCheckModule.ts';
import { Tensor } from '../../../compiler/prelude/tensor.ts';
import { seededRandom } from '../gradcheck.ts';
import * as eager from './fixtures/sequences.model.ts';

const path = relative(process.cwd(), fileURLToPath(new URL('./fixtures/sequences.model.ts', import.meta.url)));
const source = compileModelFile(path, { emit: ['value', 'gradient', 'jvp', 'vjp', 'hvp', 'flat'] }).files[0]!.content;
const mod = loadModule(source);
type Fn = (...args: unknown[]) => unknown;
const k = (name: string) => mod[name] as Fn;

const rand = seededRandom(5);
const vec = (n: number, scale = 1) => Float64Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
const T = 23;
const W = vec(9, 0.6);
const U = vec(6);
const xs = vec(T * 2);
const targets = vec(T * 3);
const tensor = (shape: number[], data: Float64Array) => new Tensor(shape, Float64Array.from(data));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>) => Array.from(a).reduce((s, ai, i) => s + ai * b[i]!, 0);

/** d/dε f(x + εv) at 0, by central differences. */
const directional = (f: (x: Float64Array) => number, x: Float64Array, v: Float64Array, h = 1e-6) =>
  (f(x.map((xi, i) => xi + h * v[i]!)) - f(x.map((xi, i) => xi - h * v[i]!))) / (2 * h);

describe('loops that emit sequences', () => {
  it('type-checks strictly', () => {
    expect(typeCheckModule(source)).toEqual([]);
  });

  it('the stacked hidden states of an RNN over a run-time length equal the eager run', () => {
    for (const time of [1, 7, T]) {
      const x = xs.subarray(0, time * 2);
      const compiled = k('states')(W, U, x) as Float64Array;
      const reference = eager.states(tensor([3, 3], W), tensor([3, 2], U), tensor([time, 2], x));
      expect(reference.shape).toEqual([time, 3]);
      expect(compiled.length).toBe(time * 3);
      compiled.forEach((v, i) => expect(v).toBeCloseTo(reference.data[i]!, 14));
    }
  });

  it('the sequence loss: gradient against central differences, JVP and HVP consistent', () => {
    const theta = Float64Array.from([...W, ...U]);
    const loss = (p: Float64Array) => k('sequenceLoss')(p.subarray(0, 9), p.subarray(9), xs, targets) as number;
    const eagerLoss = eager.sequenceLoss(tensor([3, 3], W), tensor([3, 2], U), tensor([T, 2], xs), tensor([T, 3], targets));
    expect(loss(theta)).toBeCloseTo(eagerLoss, 14);
    const g = k('sequenceLossGradient')(W, U, xs, targets) as Float64Array;
    for (let trial = 0; trial < 4; trial++) {
      const v = vec(15);
      expect(dot(g, v)).toBeCloseTo(directional(loss, theta, v), 7);
      expect(k('sequenceLossJvp')(W, U, xs, targets, v) as number).toBeCloseTo(dot(g, v), 12);
      const hv = k('sequenceLossHvp')(W, U, xs, targets, v) as Float64Array;
      const h = 1e-5;
      const gp = k('sequenceLossGradient')(W.map((w, i) => w + h * v[i]!), U.map((u, i) => u + h * v[9 + i]!), xs, targets) as Float64Array;
      const gm = k('sequenceLossGradient')(W.map((w, i) => w - h * v[i]!), U.map((u, i) => u - h * v[9 + i]!), xs, targets) as Float64Array;
      hv.forEach((value, i) => expect(value).toBeCloseTo((gp[i]! - gm[i]!) / (2 * h), 5));
    }
  });

  it('per-step scalar losses: a [time] output whose VJP matches central differences of uᵀf', () => {
    const w = vec(2);
    const ys = vec(T);
    const compiled = k('perStepLosses')(w, xs, ys) as Float64Array;
    const reference = eager.perStepLosses(tensor([2], w), tensor([T, 2], xs), tensor([T], ys));
    expect(compiled.length).toBe(T);
    compiled.forEach((v, i) => expect(v).toBeCloseTo(reference.data[i]!, 13));
    const u = vec(T);
    const pulled = k('perStepLossesVjp')(w, xs, ys, u) as Float64Array;
    const projected = (p: Float64Array) => dot(u, k('perStepLosses')(p, xs, ys) as Float64Array);
    for (const v of [Float64Array.of(1, 0), Float64Array.of(0, 1), vec(2)]) expect(dot(pulled, v)).toBeCloseTo(directional(projected, w, v), 6);
    const tangent = vec(2);
    const jv = k('perStepLossesJvp')(w, xs, ys, tangent) as Float64Array;
    expect(dot(u, jv)).toBeCloseTo(dot(pulled, tangent), 11);
  });

  it('a 1500-step literal loop stays one loop node, in reverse mode too, with its outputs on axis 1', () => {
    const a = 0.8;
    const b = Float64Array.of(0.5, -1.5);
    const reference = eager.longLoop(a, tensor([2], b));
    expect(k('longLoop')(a, b) as number).toBeCloseTo(reference, 12);
    const g = k('longLoopGradient')(a, b) as Float64Array;
    const f = (p: Float64Array) => k('longLoop')(p[0], p.subarray(1)) as number;
    const theta = Float64Array.of(a, ...b);
    for (const v of [Float64Array.of(1, 0, 0), Float64Array.of(0, 1, 0), Float64Array.of(0, 0, 1)]) expect(dot(g, v)).toBeCloseTo(directional(f, theta, v), 6);
    const fn = parseModelFile(path).functions.find((x) => x.name === 'longLoop')!;
    const value = topoSort([fn.output]);
    const backward = topoSort(gradient(fn.output, fn.wrt));
    expect(value.filter((n) => n.op === 'scan').length).toBeGreaterThan(0);
    // Unrolled, 1500 steps would be tens of thousands of nodes.
    expect(value.length).toBeLessThan(200);
    expect(backward.length).toBeLessThan(600);
  });

  it('a loop to the size minus one (or from 1): next-step prediction, eager value and central differences', () => {
    const w = vec(4, 0.7);
    for (const time of [1, 2, 9, T]) {
      const x = xs.subarray(0, time * 2);
      const reference = eager.nextStepLoss(tensor([2, 2], w), tensor([time, 2], x));
      expect(k('nextStepLoss')(w, x) as number).toBeCloseTo(reference, 13);
      expect(k('nextStepFromOne')(w, x) as number).toBeCloseTo(reference, 13);
      const g = k('nextStepLossGradient')(w, x) as Float64Array;
      const g1 = k('nextStepFromOneGradient')(w, x) as Float64Array;
      const f = (p: Float64Array) => k('nextStepLoss')(p, x) as number;
      for (let j = 0; j < 4; j++) {
        const unit = Float64Array.from({ length: 4 }, (_, m) => (m === j ? 1 : 0));
        expect(g[j]).toBeCloseTo(directional(f, w, unit), 7);
        expect(g1[j]).toBeCloseTo(g[j]!, 13);
      }
      const v = vec(4);
      expect(k('nextStepLossJvp')(w, x, v) as number).toBeCloseTo(dot(g, v), 12);
      const hv = k('nextStepLossHvp')(w, x, v) as Float64Array;
      const h = 1e-5;
      const gp = k('nextStepLossGradient')(w.map((wi, i) => wi + h * v[i]!), x) as Float64Array;
      const gm = k('nextStepLossGradient')(w.map((wi, i) => wi - h * v[i]!), x) as Float64Array;
      hv.forEach((value, i) => expect(value).toBeCloseTo((gp[i]! - gm[i]!) / (2 * h), 5));
    }
  });

  it('bounds over a whole divisor (n / 2, (n − 1) / 3 inclusive from 1) run the steps JavaScript runs', () => {
    const w = vec(2);
    for (const time of [1, 2, 3, 4, 5, 6, 7, 10, T]) {
      const x = xs.subarray(0, time * 2);
      const reference = eager.partialSums(tensor([2], w), tensor([time, 2], x));
      expect(k('partialSums')(w, x) as number).toBeCloseTo(reference, 13);
      const g = k('partialSumsGradient')(w, x) as Float64Array;
      const f = (p: Float64Array) => k('partialSums')(p, x) as number;
      [Float64Array.of(1, 0), Float64Array.of(0, 1)].forEach((unit, j) => expect(g[j]).toBeCloseTo(directional(f, w, unit), 7));
    }
  });

  it('a short loop is unrolled and its pushes make an ordinary list (length 3)', () => {
    const b = Float64Array.of(0.5, -1.5);
    const reference = eager.shortLoop(tensor([2], b));
    expect(k('shortLoop')(b) as number).toBeCloseTo(reference, 14);
    // Σ b + b² + b³ + 3, so the gradient is 1 + 2b + 3b².
    const g = k('shortLoopGradient')(b) as Float64Array;
    b.forEach((bi, i) => expect(g[i]).toBeCloseTo(1 + 2 * bi + 3 * bi * bi, 14));
    expect(reference).toBeCloseTo(b.reduce((s, bi) => s + bi + bi ** 2 + bi ** 3, 0) + 3, 14);
  });
});

describe('pushing into lists: misuse is a located error with the supported spelling', () => {
  const header = "import { add, gather, stack, sum, concat } from 'gradc/prelude';\nimport type { Param, Tensor } from 'gradc/prelude';\n";
  const fn = (body: string) => `${header}export function f(w: Param<Tensor<[2]>>, X: Tensor<['time', 2]>): number {\n${body}\n}\n`;
  const cases: { name: string; body: string; message: RegExp; hint: RegExp }[] = [
    {
      name: 'two pushes in one step of a loop node',
      body: '  const ys: Tensor<[2]>[] = [];\n  for (let t = 0; t < X.shape[0]; t++) {\n    ys.push(w);\n    ys.push(gather(X, t));\n  }\n  return sum(stack(ys));',
      message: /each step of this loop must push exactly one value into 'ys' \(this body pushes 2\)/,
      hint: /Push once per step/,
    },
    {
      name: 'a push in a data-dependent branch',
      body: '  const ys: Tensor<[2]>[] = [];\n  for (let t = 0; t < X.shape[0]; t++) {\n    if (sum(gather(X, t)) > 0) ys.push(w);\n  }\n  return sum(stack(ys));',
      message: /a list cannot differ between the branches of a data-dependent if/,
      hint: /Choose between numbers or tensors/,
    },
    {
      name: 'a list not empty before a loop node',
      body: '  const ys: Tensor<[2]>[] = [w];\n  for (let t = 0; t < X.shape[0]; t++) {\n    ys.push(gather(X, t));\n  }\n  return sum(stack(ys));',
      message: /a loop node collects one value per step into 'ys', which must be an empty list before the loop/,
      hint: /push the earlier values into another list/,
    },
    {
      name: 'the stacked list read by another op',
      body: '  const ys: Tensor<[2]>[] = [];\n  for (let t = 0; t < X.shape[0]; t++) {\n    ys.push(gather(X, t));\n  }\n  return sum(concat(ys, 0));',
      message: /concat: this list holds a loop's per-step values, which only stack\(…\) reads/,
      hint: /Stack them first/,
    },
    {
      name: 'a push after the loop',
      body: '  const ys: Tensor<[2]>[] = [];\n  for (let t = 0; t < X.shape[0]; t++) {\n    ys.push(gather(X, t));\n  }\n  ys.push(w);\n  return sum(stack(ys));',
      message: /'ys' holds the values a loop pushed, one per step; it takes no more pushes after the loop/,
      hint: /concat\(\[stack\(ys\), stack\(rest\)\], 0\)/,
    },
    {
      name: 'a push in a loop with a data condition',
      body: '  const ys: Tensor<[2]>[] = [];\n  let s = 0;\n  for (let t = 0; t < 50 && s < 3; t++) {\n    s = s + sum(w);\n    ys.push(w);\n  }\n  return s;',
      message: /a loop with a data condition cannot collect per-step values \(it pushes into 'ys'\)/,
      hint: /Carry what you need/,
    },
    {
      name: 'a loop past the size',
      body: '  let s = 0;\n  for (let t = 0; t < X.shape[0] + 1; t++) {\n    s = s + sum(w);\n  }\n  return s;',
      message: /this loop may run more steps than the size 'time' counts/,
      hint: /Loop at most 'time' times/,
    },
    {
      name: 'a loop to the size minus one that pushes',
      body: '  const ys: Tensor<[2]>[] = [];\n  for (let t = 0; t < X.shape[0] - 1; t++) {\n    ys.push(gather(X, t));\n  }\n  return sum(stack(ys));',
      message: /a loop that runs fewer steps than the size 'time' counts cannot collect per-step values yet/,
      hint: /Loop over the whole size and push every step/,
    },
    {
      name: 'a bound that is not a size plus a constant',
      body: '  let s = 0;\n  for (let t = 0; t < X.shape[0] * 2; t++) {\n    s = s + sum(w);\n  }\n  return s;',
      message: /the loop bound must be known at compile time, or a size plus or minus a constant, over a whole number/,
      hint: /x\.shape\[0\] - 1/,
    },
    {
      name: 'a push into something that is not a list',
      body: '  const ys = sum(w);\n  for (let t = 0; t < X.shape[0]; t++) {\n    ys.push(w);\n  }\n  return ys;',
      message: /'ys' is not a list, so it has no push|must be an empty list before the loop/,
      hint: /const ys: Tensor<\[…\]>\[\] = \[\]/,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      let error: unknown;
      try {
        parseModelFile('models/bad.model.ts', { text: fn(c.body) });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ModelFileError);
      const [d] = (error as ModelFileError).diagnostics;
      expect(d!.location.file).toBe('models/bad.model.ts');
      expect(d!.location.line).toBeGreaterThan(3);
      expect(d!.message).toMatch(c.message);
      expect(d!.hint).toMatch(c.hint);
    });
  }
});
