import { describe, expect, it } from 'vitest';
import * as prelude from 'gradc/prelude';
import { Tensor, expr, matmul, mean, relu, reshape, softmax, sum, tensor, where, gt } from 'gradc/prelude';
import { PRELUDE_OPS } from '../../../compiler/frontend/preludeOps.ts';
import { seededRandom } from '../gradcheck.ts';

const randomTensor = (shape: number[], seed: number): Tensor => {
  const rand = seededRandom(seed);
  return tensor(Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1), shape);
};

describe('prelude', () => {
  it('exports every op of the op table, and the op table covers every exported function', () => {
    const exported = Object.entries(prelude).filter(([, v]) => typeof v === 'function').map(([k]) => k);
    const runtimeOnly = ['Tensor', 'tensor', 'expr', 'customDerivative'];
    expect(exported.filter((k) => !runtimeOnly.includes(k)).sort()).toEqual(Object.keys(PRELUDE_OPS).sort());
  });

  it('computes matmul, relu and softmax eagerly as plain loops do', () => {
    const a = randomTensor([3, 4], 1);
    const b = randomTensor([4, 2], 2);
    const product = matmul(a, b);
    expect(product.shape).toEqual([3, 2]);
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 2; j++) {
        let s = 0;
        for (let k = 0; k < 4; k++) s += a.data[i * 4 + k]! * b.data[k * 2 + j]!;
        expect(product.data[i * 2 + j]).toBeCloseTo(s, 14);
      }
    }
    expect([...relu(a).data]).toEqual([...a.data].map((v) => Math.max(v, 0)));
    const p = softmax(a);
    for (let i = 0; i < 3; i++) {
      const row = [...a.data.slice(i * 4, i * 4 + 4)];
      const z = row.reduce((s, v) => s + Math.exp(v), 0);
      row.forEach((v, k) => expect(p.data[i * 4 + k]).toBeCloseTo(Math.exp(v) / z, 14));
    }
  });

  it('returns plain numbers for rank-0 results and tensors along an axis', () => {
    const a = randomTensor([2, 3], 3);
    const total = [...a.data].reduce((s, v) => s + v, 0);
    expect(typeof sum(a)).toBe('number');
    expect(sum(a)).toBeCloseTo(total, 14);
    expect(mean(a)).toBeCloseTo(total / 6, 14);
    const rows = sum(a, 1);
    expect(rows.shape).toEqual([2]);
    expect(rows.data[0]).toBeCloseTo(a.data[0]! + a.data[1]! + a.data[2]!, 14);
  });

  it('selects with boolean tensors from comparisons', () => {
    const a = randomTensor([5], 4);
    const picked = where(gt(a, 0), a, 0);
    expect([...picked.data]).toEqual([...a.data].map((v) => (v > 0 ? v : 0)));
    expect(gt(2, 1)).toBe(true);
  });

  it('infers a named dimension in an eager reshape from the size', () => {
    const a = randomTensor([6, 2], 5);
    expect(reshape(a, ['batch', 4]).shape).toEqual([3, 4]);
  });

  it('evaluates embedded math in both spellings', () => {
    const x = 0.7;
    const y = -1.3;
    const want = x ** 2 + Math.sin(y);
    expect(expr({ x, y })`x^2 + sin(y)`).toBeCloseTo(want, 15);
    expect(expr`${x}^2 + sin(${y})`).toBeCloseTo(want, 15);
    const v = randomTensor([3], 6);
    expect(expr({ v })`sum(v .* v)`).toBeCloseTo([...v.data].reduce((s, t) => s + t * t, 0), 14);
  });

  it('rejects arrays where tensors are expected, saying how to make one', () => {
    expect(() => relu([1, 2] as unknown as Tensor)).toThrow(/tensor\(values, shape\)/);
  });
});
