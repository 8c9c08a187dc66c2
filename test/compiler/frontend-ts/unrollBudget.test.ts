/**
 * The unrolling cliff (issue 15, wall 8): a loop with a constant bound is
 * unrolled only when that is clearly cheap (a few iterations, or a small
 * body), so a 1000-step RNN is one loop node (the module 5.8 MB before, and
 * an 11–16 s compile), a 100-step scalar recurrence is still unrolled, and a
 * body that needs its loop variable as a constant is unrolled whatever its size.
 */
import { describe, expect, it } from 'vitest';
import { compileModelFile } from '../../../compiler/api/compileModelFile.ts';
import { parseModelFile } from '../../../compiler/frontend/typescript/parseModelFile.ts';
import { topoSort } from '../../../compiler/ir/program.ts';
import { loadModule } from '../../../compiler/load/loadModule.ts';

const MODEL = `import { add, gather, matmul, mul, slice, sum, tanh } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

export function rnn(W: Param<Tensor<[3, 3]>>, x: Tensor<[3]>): number {
  let h = x;
  for (let t = 0; t < 1000; t++) {
    h = tanh(add(matmul(W, h), x));
  }
  return sum(h);
}

export function recurrence(a: Param<number>): number {
  let x = 1;
  for (let i = 0; i < 100; i++) {
    x = x * a + 0.01;
  }
  return x;
}

export function slices(w: Param<Tensor<[40]>>): number {
  let total = 0;
  for (let i = 0; i < 40; i++) {
    total = total + sum(mul(tanh(add(slice(w, 0, i, i + 1), 1)), tanh(mul(slice(w, 0, i, i + 1), 3)))) * (i + 1);
  }
  return total;
}
`;

const ir = parseModelFile('models/unroll.model.ts', { text: MODEL });
const graph = (name: string) => topoSort([ir.functions.find((f) => f.name === name)!.output]);
const scans = (name: string) => graph(name).filter((n) => n.op === 'scan').length;

describe('unrolling only when it is clearly cheaper', () => {
  it('a 1000-step RNN is one loop node and a small module', () => {
    expect(scans('rnn')).toBe(1);
    expect(graph('rnn').length).toBeLessThan(60);
    const source = compileModelFile('models/unroll.model.ts', { text: MODEL }).files[0]!.content;
    // The RNN's four kernels (value, gradient, JVP, HVP) in about 10 kB, where unrolled they were megabytes.
    const rnnKernels = source.split('\nfunction ').filter((chunk) => /^rnn\w*Kernel\(/.test(chunk));
    expect(rnnKernels).toHaveLength(4);
    expect(rnnKernels.join('').length).toBeLessThan(30_000);
    const mod = loadModule(source);
    // The same recurrence run here: value and the loop node agree.
    const W = Float64Array.of(0.3, -0.2, 0.1, 0.05, 0.4, -0.3, 0.2, 0.1, -0.1);
    const x = Float64Array.of(0.5, -1, 0.25);
    let h = Array.from(x);
    for (let t = 0; t < 1000; t++) h = h.map((_, i) => Math.tanh(W[3 * i]! * h[0]! + W[3 * i + 1]! * h[1]! + W[3 * i + 2]! * h[2]! + x[i]!));
    expect((mod['rnn'] as (w: Float64Array, x: Float64Array) => number)(W, x)).toBeCloseTo(h.reduce((s, v) => s + v, 0), 12);
    const f = mod['recurrence'] as (a: number) => number;
    let r = 1;
    for (let i = 0; i < 100; i++) r = r * 0.9 + 0.01;
    expect(f(0.9)).toBeCloseTo(r, 14);
  });

  it('a 100-step scalar recurrence is unrolled (its body is two nodes)', () => {
    expect(scans('recurrence')).toBe(0);
  });

  it('a body that needs its loop variable as a constant (slice bounds) is unrolled past the budget', () => {
    expect(scans('slices')).toBe(0);
    expect(graph('slices').length).toBeGreaterThan(40 * 6);
  });
});
