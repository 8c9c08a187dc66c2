/**
 * Loops whose trip count depends on data: a `while` with a bound. The
 * forward sweep counts its steps; reverse mode's backward sweep starts from
 * that count (the tape is sized by the bound). Checked against the same
 * computation unrolled for the number of steps actually taken, against
 * central finite differences (where the count is locally constant), and
 * forward against reverse, compiled against the reference evaluation.
 */
import { describe, expect, it } from 'vitest';
import { gradient } from '../../compiler/autodiff/reverse.ts';
import { compileModel } from '../../compiler/api/compileModel.ts';
import type { CompiledModel } from '../../compiler/api/compileModel.ts';
import { add, constant, input, lt, mul } from '../../compiler/ir/build.ts';
import { sum } from '../../compiler/ir/buildTensor.ts';
import { evaluateTensors } from '../../compiler/ir/evaluate.ts';
import { tanh } from '../../compiler/frontend/builders/nn.ts';
import type { InputNode, Node } from '../../compiler/ir/node.ts';
import { whileLoop } from '../../compiler/ir/scan.ts';
import { along, close, differentiate, dot, mismatches, seededRandom } from './gradcheck.ts';

type Kernel = (...args: unknown[]) => unknown;

const MAX_STEPS = 40;
const LIMIT = 6;

/** x ← tanh(x ⊙ w + b) + x/2, s ← s + Σ x²  while s < 6 (at most 40 steps); loss = s + Σ x·w. */
const step = (x: Node, s: Node, w: Node, b: Node) => {
  const next = add(tanh(add(mul(x, w), b)), mul(x, constant(0.5)));
  return { x: next, s: add(s, sum(mul(next, next))) };
};

function inputs() {
  return { w: input('w', [3]), b: input('b', [3]), x0: input('x0', [3]) };
}

function looped(maxSteps = MAX_STEPS) {
  const { w, b, x0 } = inputs();
  const run = whileLoop({
    init: { x: x0, s: constant(0) },
    maxSteps,
    cond: ({ s }) => lt(s!, constant(LIMIT)),
    step: ({ x, s }) => step(x!, s!, w, b),
  });
  const loss = add(run.carry['s']!, sum(mul(run.carry['x']!, w)));
  return { params: [w, b, x0], loss, count: run.count };
}

function unrolled(steps: number) {
  const { w, b, x0 } = inputs();
  let [x, s]: [Node, Node] = [x0, constant(0)];
  for (let t = 0; t < steps; t++) ({ x, s } = step(x, s, w, b));
  return { params: [w, b, x0], loss: add(s, sum(mul(x, w))) };
}

const compile = (params: readonly InputNode[], loss: Node): CompiledModel => compileModel({ inputs: params, loss, wrt: params });

function kernels(model: CompiledModel) {
  const k = (name: string) => model.kernels[name] as Kernel;
  const split = (theta: readonly number[]) => model.layout.map((e) => Float64Array.from(theta.slice(e.offset, e.offset + e.size)));
  return {
    value: (theta: readonly number[]) => k('value')(...split(theta)) as number,
    gradient: (theta: readonly number[]) => {
      const out = new Float64Array(model.size);
      k('valueAndGradient')(...split(theta), out);
      return [...out];
    },
    jvp: (theta: readonly number[], v: readonly number[]) => k('jvp')(...split(theta), ...split(v)) as number,
    hvp: (theta: readonly number[], v: readonly number[]) => [...(k('hvp')(...split(theta), ...split(v), new Float64Array(model.size)) as Float64Array)],
  };
}

const tensorsOf = (theta: readonly number[]) => ({
  w: { shape: [3], data: Float64Array.from(theta.slice(0, 3)) },
  b: { shape: [3], data: Float64Array.from(theta.slice(3, 6)) },
  x0: { shape: [3], data: Float64Array.from(theta.slice(6, 9)) },
});

const TOL = { rtol: 1e-12, atol: 1e-14 };

describe('a while loop with a data-dependent trip count', () => {
  const model = looped();
  const compiled = compile(model.params, model.loss);
  const k = kernels(compiled);
  const random = seededRandom(99);
  const points = Array.from({ length: 4 }, () => Array.from({ length: 9 }, () => 1.6 * random() - 0.8));

  it('takes a number of steps that depends on the data, below the bound', () => {
    const counts = points.map((theta) => evaluateTensors([model.count], tensorsOf(theta)).get(model.count)!.data[0]!);
    expect(new Set(counts).size).toBeGreaterThan(1);
    for (const n of counts) {
      expect(n).toBeGreaterThan(0);
      expect(n).toBeLessThan(MAX_STEPS);
    }
  });

  it('has the value and gradient of the loop unrolled for the steps it took', () => {
    for (const theta of points) {
      const n = evaluateTensors([model.count], tensorsOf(theta)).get(model.count)!.data[0]!;
      const flat = unrolled(n);
      const exact = evaluateTensors([flat.loss, ...gradient(flat.loss, flat.params)], tensorsOf(theta));
      const expected = gradient(flat.loss, flat.params).flatMap((g) => [...exact.get(g)!.data]);
      expect(close(k.value(theta), exact.get(flat.loss)!.data[0]!, TOL)).toBe(true);
      expect(mismatches(k.gradient(theta), expected, TOL)).toEqual([]);
      const reference = gradient(model.loss, model.params);
      const r = evaluateTensors(reference, tensorsOf(theta));
      expect(mismatches(k.gradient(theta), reference.flatMap((g) => [...r.get(g)!.data]), TOL), 'compiled vs reference').toEqual([]);
    }
  });

  it('matches central differences, and forward mode matches reverse mode, where the count is locally constant', () => {
    let checked = 0;
    for (const theta of points) {
      const v = theta.map(() => 2 * random() - 1);
      const fd = differentiate((t) => [k.value(along(theta, v, t))], 1e-4);
      if (!fd.reliable) continue; // a step where the count changes lies within the difference stencil
      checked++;
      const g = k.gradient(theta);
      expect(close(dot(g, v), fd.derivative[0]!, { rtol: 1e-7, atol: 1e-9 })).toBe(true);
      expect(close(k.jvp(theta, v), dot(g, v), TOL)).toBe(true);
      const hfd = differentiate((t) => k.gradient(along(theta, v, t)), 1e-4);
      expect(mismatches(k.hvp(theta, v), hfd.derivative, { rtol: 1e-5, atol: 1e-7 * (1 + hfd.scale) }), 'H·v').toEqual([]);
    }
    expect(checked).toBeGreaterThanOrEqual(3);
  });

  it('stops at the bound when the condition still holds there', () => {
    const bounded = looped(3);
    const c = kernels(compile(bounded.params, bounded.loss));
    const flat = kernels(compile(unrolled(3).params, unrolled(3).loss));
    const theta = points[0]!;
    expect(evaluateTensors([bounded.count], tensorsOf(theta)).get(bounded.count)!.data[0]).toBe(3);
    expect(c.value(theta)).toBe(flat.value(theta));
    expect(mismatches(c.gradient(theta), flat.gradient(theta), TOL)).toEqual([]);
  });
});
