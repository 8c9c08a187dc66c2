/**
 * One element of a differentiated vector, `3 * gather(x, 1)`: its value reads
 * x[1] at a checked index, and its gradient is the reverse rule's scatterAdd
 * of a constant cotangent (3) into the one row (both were internal errors:
 * an undefined `gather` call, and a scatterAdd that needed its values in
 * memory). Checked against central differences, forward mode and a second
 * compile, with an out-of-range index refused at run time.
 */
import { describe, expect, it } from 'vitest';
import { compileModelFile } from '../../compiler/api/compileModelFile.ts';
import { loadModule } from '../../compiler/load/loadModule.ts';
import { typeCheckModule } from '../../compiler/load/typeCheckModule.ts';

const MODEL = `import { gather, mul, sum } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

export function pick(x: Param<Tensor<[4]>>): number {
  return mul(3, gather(x, 1));
}

/** A scalar element times the whole vector's sum, and an element picked by data. */
export function mixed(x: Param<Tensor<[4]>>, i: number): number {
  return mul(gather(x, 2), sum(x)) + mul(gather(x, i), gather(x, i));
}
`;

type Fn = (...args: (number | Float64Array)[]) => unknown;

describe('a scalar element of a differentiated vector', () => {
  const source = compileModelFile('models/gather.model.ts', { text: MODEL }).files[0]!.content;
  const mod = loadModule(source);
  const k = (name: string) => mod[name] as Fn;
  const x = Float64Array.of(0.5, -1.25, 2, 0.75);

  it('type-checks strictly and compiles byte-identically twice', () => {
    expect(typeCheckModule(source)).toEqual([]);
    expect(compileModelFile('models/gather.model.ts', { text: MODEL }).files[0]!.content).toBe(source);
  });

  it('3 * gather(x, 1): value 3·x[1], gradient 3 at row 1, HVP 0', () => {
    expect(k('pick')(x)).toBe(3 * -1.25);
    expect(Array.from(k('pickGradient')(x) as Float64Array)).toEqual([0, 3, 0, 0]);
    expect(k('pickJvp')(x, Float64Array.of(1, 1, 1, 1))).toBe(3);
    expect(Array.from(k('pickHvp')(x, Float64Array.of(1, 2, 3, 4)) as Float64Array)).toEqual([0, 0, 0, 0]);
  });

  it('x[2]·Σx + x[i]²: gradient, JVP and HVP match central differences', () => {
    const i = 3;
    const f = (p: Float64Array) => k('mixed')(p, i) as number;
    const g = k('mixedGradient')(x, i) as Float64Array;
    const h = 1e-6;
    for (let j = 0; j < 4; j++) {
      const plus = Float64Array.from(x);
      const minus = Float64Array.from(x);
      plus[j] += h;
      minus[j] -= h;
      expect(g[j]).toBeCloseTo((f(plus) - f(minus)) / (2 * h), 7);
      const unit = Float64Array.from({ length: 4 }, (_, m) => (m === j ? 1 : 0));
      expect(k('mixedJvp')(x, i, unit)).toBeCloseTo(g[j]!, 12);
      const column = k('mixedHvp')(x, i, unit) as Float64Array;
      const gp = k('mixedGradient')(plus, i) as Float64Array;
      const gm = k('mixedGradient')(minus, i) as Float64Array;
      for (let r = 0; r < 4; r++) expect(column[r]).toBeCloseTo((gp[r]! - gm[r]!) / (2 * h), 5);
    }
  });

  it('an index out of range is a RangeError naming it, not a silent undefined', () => {
    expect(() => k('mixed')(x, 4)).toThrow(RangeError);
    expect(() => k('mixed')(x, 4)).toThrow(/= 4: .* must be an integer in \[0, 4\)/);
    expect(() => k('mixed')(x, 1.5)).toThrow(RangeError);
  });
});
