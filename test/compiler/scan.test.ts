/**
 * Loops as structured nodes: an Elman RNN (tanh) built with `scan`, against
 * the same RNN unrolled with the ordinary builders and against central
 * finite differences; truncated BPTT against its definition (stopGradient at
 * window boundaries in the unrolled model); forward mode and H·v through the
 * loop; emitted size independent of the trip count.
 */
import { describe, expect, it } from 'vitest';
import { gradient } from '../../compiler/autodiff/reverse.ts';
import { compileModel } from '../../compiler/api/compileModel.ts';
import type { CompiledModel } from '../../compiler/api/compileModel.ts';
import { add, exp, input, mul, sin } from '../../compiler/ir/build.ts';
import { sum } from '../../compiler/ir/buildTensor.ts';
import { evaluateTensors } from '../../compiler/ir/evaluate.ts';
import type { ApplyNode } from '../../compiler/ir/node.ts';
import { scan } from '../../compiler/ir/scan.ts';
import type { LoopOptions } from '../../compiler/ir/scan.ts';
import { bodyOf } from '../../compiler/ir/scanBody.ts';
import { derive } from '../../compiler/autodiff/derive.ts';
import { topoSort } from '../../compiler/ir/program.ts';
import type { Tensor } from '../../compiler/ir/tensor.ts';
import { along, close, differentiate, dot, mismatches, seededRandom } from './gradcheck.ts';
import { scanRnn, unrolledRnn } from './scanModel.ts';
import type { Rnn, RnnSizes } from './scanModel.ts';

type Kernel = (...args: unknown[]) => unknown;

const SIZES = { T: 12, B: 2, D: 3, H: 4 } as const;
const EXACT = { rtol: 1e-12, atol: 1e-14 };

function shapesOf({ T, B, D, H }: { T: number; B: number; D: number; H: number }): Record<string, number[]> {
  return { W: [D, H], U: [H, H], b: [H], h0: [B, H], xs: [T, B, D], C: [T, B, H] };
}

function sample(sizes: { T: number; B: number; D: number; H: number }, seed: number): Record<string, Tensor> {
  const random = seededRandom(seed);
  return Object.fromEntries(
    Object.entries(shapesOf(sizes)).map(([name, shape]) => {
      const n = shape.reduce((a, b) => a * b, 1);
      // Weights small enough that tanh stays away from saturation over the sequence.
      const scale = name === 'U' || name === 'W' ? 0.5 : 1;
      return [name, { shape, data: Float64Array.from({ length: n }, () => scale * (2 * random() - 1)) }];
    }),
  );
}

const compile = (m: Rnn): CompiledModel => compileModel({ inputs: [...m.params, ...m.data], loss: m.loss, wrt: m.params });

/** The model's kernels on flat parameters θ (in layout order), data fixed, named sizes appended. */
function kernelsAt(model: CompiledModel, data: Record<string, Tensor>, sizeArgs: readonly number[] = []) {
  const k = (name: string) => model.kernels[name] as Kernel;
  const args = (theta: readonly number[], tangent?: readonly number[]) => {
    const values = { ...data };
    const params: Record<string, Float64Array> = {};
    const tangents: Float64Array[] = [];
    for (const e of model.layout) {
      params[e.name] = Float64Array.from(theta.slice(e.offset, e.offset + e.size));
      if (tangent) tangents.push(Float64Array.from(tangent.slice(e.offset, e.offset + e.size)));
    }
    const inputs = model.derivatives.inputs.map((x) => params[x.name] ?? values[x.name]!.data);
    return [...inputs, ...tangents, ...sizeArgs];
  };
  return {
    value: (theta: readonly number[]) => k('value')(...args(theta)) as number,
    gradient: (theta: readonly number[]) => {
      const out = new Float64Array(model.size);
      k('valueAndGradient')(...args(theta), out);
      return [...out];
    },
    jvp: (theta: readonly number[], v: readonly number[]) => k('jvp')(...args(theta, v)) as number,
    hvp: (theta: readonly number[], v: readonly number[]) => [...(k('hvp')(...args(theta, v), new Float64Array(model.size)) as Float64Array)],
  };
}

const thetaOf = (model: CompiledModel, values: Record<string, Tensor>): number[] => model.layout.flatMap((e) => [...values[e.name]!.data]);

function referenceGradient(m: Rnn, values: Record<string, Tensor>): number[] {
  const g = gradient(m.loss, m.params);
  const v = evaluateTensors(g, values);
  return g.flatMap((n) => [...v.get(n)!.data]);
}

function expectClose(actual: readonly number[], expected: readonly number[], tol: { rtol: number; atol: number }, what: string): void {
  expect(mismatches(actual, expected, tol), what).toEqual([]);
}

describe('an Elman RNN as a scan, T = 12', () => {
  const scanned = compile(scanRnn(SIZES));
  const unrolled = compile(unrolledRnn(SIZES));
  const values = sample(SIZES, 7);
  const theta = thetaOf(scanned, values);
  const loop = kernelsAt(scanned, values);
  const flat = kernelsAt(unrolled, values);
  const random = seededRandom(11);
  const directions = Array.from({ length: 3 }, () => theta.map(() => 2 * random() - 1));

  it('has the same value and gradient as the unrolled RNN (compiled and reference)', () => {
    expect(close(loop.value(theta), flat.value(theta), EXACT)).toBe(true);
    expectClose(loop.gradient(theta), flat.gradient(theta), EXACT, 'compiled scan vs compiled unrolled');
    expectClose(loop.gradient(theta), referenceGradient(scanRnn(SIZES), values), EXACT, 'compiled scan vs reference scan');
    expectClose(referenceGradient(scanRnn(SIZES), values), referenceGradient(unrolledRnn(SIZES), values), EXACT, 'reference scan vs unrolled');
  });

  it('has a gradient that matches central finite differences of the value', () => {
    const g = loop.gradient(theta);
    for (const v of directions) {
      const fd = differentiate((t) => [loop.value(along(theta, v, t))], 1e-3);
      expect(fd.reliable, fd.why).toBe(true);
      expect(close(dot(g, v), fd.derivative[0]!, { rtol: 1e-7, atol: 1e-9 }), `<∇f, v> = ${dot(g, v)}, differences ${fd.derivative[0]}`).toBe(true);
    }
  });

  it('has forward mode equal to <∇f, v> and to the unrolled JVP', () => {
    const g = loop.gradient(theta);
    for (const v of directions) {
      expect(close(loop.jvp(theta, v), dot(g, v), EXACT)).toBe(true);
      expect(close(loop.jvp(theta, v), flat.jvp(theta, v), EXACT)).toBe(true);
    }
  });

  it('has H·v through the loop that matches differences of the gradient and the unrolled H·v', () => {
    for (const v of directions) {
      const hv = loop.hvp(theta, v);
      const fd = differentiate((t) => loop.gradient(along(theta, v, t)), 1e-3);
      expect(fd.reliable, fd.why).toBe(true);
      expectClose(hv, fd.derivative, { rtol: 1e-6, atol: 1e-8 * (1 + fd.scale) }, 'H·v vs differences of ∇f');
      expectClose(hv, flat.hvp(theta, v), { rtol: 1e-11, atol: 1e-13 }, 'H·v vs unrolled');
    }
  });
});

describe('truncated BPTT (windows of k = 4 over T = 12)', () => {
  const k = 4;
  const truncated = compile(scanRnn(SIZES, { truncate: k }));
  const definition = compile(unrolledRnn(SIZES, k));
  const full = compile(scanRnn(SIZES));
  const values = sample(SIZES, 3);
  const theta = thetaOf(truncated, values);

  it('equals the unrolled RNN with stopGradient on the hidden state at every window boundary', () => {
    const g = kernelsAt(truncated, values).gradient(theta);
    expectClose(g, kernelsAt(definition, values).gradient(theta), EXACT, 'compiled');
    expectClose(referenceGradient(scanRnn(SIZES, { truncate: k }), values), referenceGradient(unrolledRnn(SIZES, k), values), EXACT, 'reference');
    // The cut is real: the full gradient differs.
    expect(mismatches(g, kernelsAt(full, values).gradient(theta), { rtol: 1e-6, atol: 1e-9 }).length).toBeGreaterThan(0);
  });

  it('carries the hidden state forward unchanged: the value is the full model’s', () => {
    expect(kernelsAt(truncated, values).value(theta)).toBe(kernelsAt(full, values).value(theta));
  });

  it('truncates forward mode and H·v the same way as the definition', () => {
    const random = seededRandom(5);
    const v = theta.map(() => 2 * random() - 1);
    const [a, b] = [kernelsAt(truncated, values), kernelsAt(definition, values)];
    expect(close(a.jvp(theta, v), b.jvp(theta, v), EXACT)).toBe(true);
    expectClose(a.hvp(theta, v), b.hvp(theta, v), { rtol: 1e-11, atol: 1e-13 }, 'H·v');
  });
});

describe('emitted size does not depend on the trip count', () => {
  const sizes = (T: number): RnnSizes => ({ T, B: 2, D: 3, H: 4 });
  // Every number (trip count, buffer sizes, offsets) replaced: what is left is the code's shape.
  const shape = (source: string) => source.replace(/\d+/g, '#');

  it('T = 10 and T = 10 000 emit the same text apart from the constants', () => {
    const [short, long] = [compile(scanRnn(sizes(10))), compile(scanRnn(sizes(10_000)))];
    expect(shape(long.source)).toBe(shape(short.source));
    expect(long.source).toContain('< 10000;');
    // The IR does not grow either: the same number of nodes.
    const count = (m: CompiledModel) => topoSort([m.derivatives.value, ...m.derivatives.gradient, m.derivatives.jvp, ...m.derivatives.hvp]).length;
    expect(count(long)).toBe(count(short));
  });

  it('emits byte-identical modules for the same model built twice (bodies are named by their content)', () => {
    expect(compile(scanRnn(sizes(10), { truncate: 3 })).source).toBe(compile(scanRnn(sizes(10), { truncate: 3 })).source);
  });

  it('with a named trip count, one kernel runs any length and matches the fixed-length kernels', () => {
    const named = compile(scanRnn({ T: 'T', B: 2, D: 3, H: 4 }));
    expect(named.source).toMatch(/for \(let t = 0; t < T; t\+\+\)/);
    for (const T of [10, 300]) {
      const values = sample({ ...sizes(T), T }, T);
      const fixed = compile(scanRnn(sizes(T)));
      const theta = thetaOf(fixed, values);
      expect(kernelsAt(named, values, [T]).gradient(theta)).toEqual(kernelsAt(fixed, values).gradient(theta));
    }
  });
});

describe('optimizing loops', () => {
  it('verifies every pass over the program and over each loop body, and simplifies the bodies', () => {
    const m = scanRnn(SIZES, { truncate: 4 });
    const d = derive({ inputs: [...m.params, ...m.data], outputs: [{ name: 'loss', node: m.loss }] }, m.params.map((x) => x.name), { verifyEachPass: true });
    const bodies = topoSort(d.gradient).filter((n): n is ApplyNode => n.op === 'scan').map((n) => bodyOf(n.attrs['body'] as string));
    expect(bodies.length).toBeGreaterThan(0);
    // No multiplication by a literal 1 survives in the backward loop's body.
    for (const b of bodies) {
      const ones = topoSort([...b.next, ...b.outputs]).filter((n) => n.op === 'mul' && n.inputs.some((x) => x.op === 'const' && x.value === 1 && x.shape.length === 0));
      expect(ones).toEqual([]);
    }
  });
});

describe('building loops', () => {
  const h = input('h', [3]);
  it('says what is wrong with a step whose carry changes shape', () => {
    expect(() => scan({ init: { h }, length: 4, step: () => ({ carry: { h: input('other', [2]) } }) })).toThrow(
      "carry h has shape [3] but the step makes it [2]",
    );
  });
  it('needs a named length to be the leading axis of a sequence', () => {
    expect(() => scan({ init: { h }, length: 'T', step: ({ h: c }) => ({ carry: { h: c! } }) })).toThrow(
      "the named length 'T' must be the leading axis of one of the sequences",
    );
  });
  it('names carries missing from the step', () => {
    expect(() => scan({ init: { h }, length: 2, step: () => ({ carry: {} }) })).toThrow("the step does not return carry 'h'");
  });
});

describe('a loop over scalars (carry, sequence slice and closed-over value are numbers)', () => {
  const [a, c0, xs] = [input('a'), input('c0'), input('xs', [6])];
  const values = { a: 0.4, c0: 0.2, xs: { shape: [6], data: Float64Array.of(0.1, -0.3, 0.5, 0.7, -0.2, 0.9) } };
  const build = (options: LoopOptions) => {
    const r = scan({
      init: { c: c0 },
      sequences: { x: xs },
      // exp(a) does not depend on the step: it is computed once, outside the loop.
      step: ({ c }, { x }) => ({ carry: { c: add(mul(sin(c!), exp(a)), mul(x!, a)) }, outputs: { y: mul(c!, x!) } }),
      ...options,
    });
    return add(r.carry['c']!, sum(r.outputs['y']!));
  };

  it.each([['full tape', {}], ['checkpoint 2', { checkpoint: 2 }], ["checkpoint 'log'", { checkpoint: 'log' }]] as const)(
    '%s: compiled gradient equals the reference evaluation',
    (_, options) => {
      const loss = build(options);
      const model = compileModel({ inputs: [a, c0, xs], loss, wrt: [a, c0, xs] });
      const g = gradient(loss, [a, c0, xs]);
      const reference = evaluateTensors([loss, ...g], values);
      const out = new Float64Array(model.size);
      const args = model.derivatives.inputs.map((x) => (x.name === 'xs' ? values.xs.data : values[x.name as 'a' | 'c0']));
      const value = (model.kernels['valueAndGradient'] as Kernel)(...args, out) as number;
      expect(close(value, reference.get(loss)!.data[0]!, EXACT)).toBe(true);
      expectClose([...out], g.flatMap((n) => [...reference.get(n)!.data]), EXACT, 'gradient');
      // exp(a) is an operand of the loop, not part of its body.
      expect(topoSort([loss]).some((n) => n.op === 'scan' && n.inputs.some((x) => x.op === 'exp'))).toBe(true);
    },
  );
});
