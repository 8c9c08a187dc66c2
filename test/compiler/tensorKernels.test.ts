/**
 * Compiled tensor kernels against the reference evaluation of the same IR and
 * against central differences, with a symbolic batch of 1 and 7; zero
 * allocation per call in steady state; the NaN policy for where and norm.
 */
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../compiler/api/compileModel.ts';
import type { CompiledModel } from '../../compiler/api/compileModel.ts';
import { add, apply, constant, input, mul } from '../../compiler/ir/build.ts';
import { matmul, sum } from '../../compiler/ir/buildTensor.ts';
import { evaluateTensors } from '../../compiler/ir/evaluate.ts';
import type { InputNode, Node } from '../../compiler/ir/node.ts';
import { norm, relu, softmaxCrossEntropy, where } from '../../compiler/frontend/builders/nn.ts';
import { tensor } from '../../compiler/ir/tensor.ts';
import type { Tensor } from '../../compiler/ir/tensor.ts';
import { countFloat64Arrays } from '../allocations.ts';

type Kernel = (...args: unknown[]) => unknown;

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

function mlp() {
  const X = input('X', ['batch', 6]);
  const y = input('y', ['batch']);
  const W1 = input('W1', [6, 5]);
  const b1 = input('b1', [5]);
  const W2 = input('W2', [5, 3]);
  const b2 = input('b2', [3]);
  const loss = softmaxCrossEntropy(add(matmul(relu(add(matmul(X, W1), b1)), W2), b2), y);
  return { params: [W1, b1, W2, b2], data: [X, y], loss };
}

function randomValues(nodes: readonly InputNode[], batch: number, rand: () => number): Record<string, Tensor> {
  return Object.fromEntries(
    nodes.map((n) => {
      const shape = n.shape.map((d) => (typeof d === 'number' ? d : batch));
      const size = shape.reduce((a, b) => a * b, 1);
      const data = n.name === 'y' ? Array.from({ length: size }, (_, i) => i % 3) : Array.from({ length: size }, rand);
      return [n.name, tensor(shape, data)];
    }),
  );
}

function callValueAndGradient(model: CompiledModel, values: Record<string, Tensor>, batch: number, gradOut: Float64Array): number {
  const names = model.derivatives.inputs.map((x) => x.name);
  const kernel = model.kernels['valueAndGradient'] as Kernel;
  return kernel(...names.map((n) => values[n]!.data), batch, gradOut) as number;
}

describe('compiled MLP kernels (symbolic batch)', () => {
  const { params, data, loss } = mlp();
  const model = compileModel({ inputs: [...params, ...data], loss, wrt: params, source: 'test MLP' });

  for (const batch of [1, 7]) {
    it(`agree with the reference evaluation and central differences at batch ${batch}`, () => {
      const values = randomValues([...params, ...data], batch, seeded(batch));
      const gradOut = new Float64Array(model.size);
      const value = callValueAndGradient(model, values, batch, gradOut);
      const reference = evaluateTensors([loss, ...model.derivatives.gradient], values);
      expect(value).toBeCloseTo(reference.get(loss)!.data[0]!, 12);
      const expected = model.derivatives.gradient.flatMap((g) => Array.from(reference.get(g)!.data));
      expected.forEach((v, i) => expect(gradOut[i]).toBeCloseTo(v, 12));

      const lossAt = (vals: Record<string, Tensor>) => evaluateTensors([loss], vals).get(loss)!.data[0]!;
      for (const entry of model.layout) {
        for (let k = 0; k < entry.size; k += 3) {
          const h = 1e-6;
          const shifted = (delta: number) => {
            const copy = Float64Array.from(values[entry.name]!.data);
            copy[k]! += delta;
            return { ...values, [entry.name]: { shape: values[entry.name]!.shape, data: copy } };
          };
          const fd = (lossAt(shifted(h)) - lossAt(shifted(-h))) / (2 * h);
          expect(gradOut[entry.offset + k]).toBeCloseTo(fd, 7);
        }
      }
    });
  }

  it('computes forward-mode JVPs that match the gradient', () => {
    const batch = 7;
    const values = randomValues([...params, ...data], batch, seeded(3));
    const gradOut = new Float64Array(model.size);
    callValueAndGradient(model, values, batch, gradOut);
    const rand = seeded(11);
    const tangents = model.layout.map((e) => Float64Array.from({ length: e.size }, rand));
    const names = model.derivatives.inputs.map((x) => x.name);
    const jvp = (model.kernels['jvp'] as Kernel)(...names.map((n) => values[n]!.data), ...tangents, batch) as number;
    const flat = Float64Array.from(tangents.flatMap((t) => Array.from(t)));
    expect(jvp).toBeCloseTo(flat.reduce((acc, v, i) => acc + v * gradOut[i]!, 0), 12);
  });

  it('allocates no typed arrays per call after the first', () => {
    const batch = 7;
    const values = randomValues([...params, ...data], batch, seeded(5));
    const gradOut = new Float64Array(model.size);
    callValueAndGradient(model, values, batch, gradOut);
    const steady = countFloat64Arrays(() => {
      for (let i = 0; i < 5; i++) callValueAndGradient(model, values, batch, gradOut);
    });
    expect(steady).toBe(0);
    // A new batch size gets its own workspace once, then none again.
    const other = randomValues([...params, ...data], 3, seeded(6));
    expect(countFloat64Arrays(() => callValueAndGradient(model, other, 3, gradOut))).toBeGreaterThan(0);
    expect(countFloat64Arrays(() => {
      callValueAndGradient(model, other, 3, gradOut);
      callValueAndGradient(model, values, batch, gradOut);
    })).toBe(0);
  });

  it('never forms the gradient with respect to the input batch', () => {
    const vg = model.source.slice(model.source.indexOf('export function lossValueAndGradientKernel'));
    // Three products in the backward pass: dZ·W2ᵀ, Xᵀ·dZ1 and Hᵀ·dZ2 — no dZ1·W1ᵀ.
    expect(vg.slice(0, vg.indexOf('\n}\n')).match(/gemm\(/g)).toHaveLength(5);
    expect(vg).not.toMatch(/W1, 0, 1, /); // W1 is never read transposed
  });
});

describe('NaN policy for tensors', () => {
  function gradientAt(loss: Node, x: InputNode, value: number[]): Float64Array {
    const model = compileModel({ inputs: [x], loss, wrt: [x] });
    const gradOut = new Float64Array(value.length);
    (model.kernels['valueAndGradient'] as Kernel)(Float64Array.from(value), gradOut);
    return gradOut;
  }

  it('a where whose untaken branch is log(x) has a finite gradient at x = 0', () => {
    const x = input('xw', [3]);
    const loss = sum(where(apply('gt', x, constant(0)), apply('log', x), mul(constant(2), x)));
    expect(Array.from(gradientAt(loss, x, [0, 1, -2]))).toEqual([2, 1, 2]);
  });

  it('norm(x) at x = 0 has gradient 0', () => {
    const x = input('xn', [4]);
    expect(Array.from(gradientAt(norm(x), x, [0, 0, 0, 0]))).toEqual([0, 0, 0, 0]);
    const g = gradientAt(norm(x), x, [3, 0, 4, 0]);
    [0.6, 0, 0.8, 0].forEach((v, i) => expect(g[i]).toBeCloseTo(v, 15));
  });
});
