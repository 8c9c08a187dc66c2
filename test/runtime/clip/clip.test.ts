import { describe, expect, it } from 'vitest';
import { clipGradNorm, clipGradValue, gradNorm } from '../../../runtime/index.ts';

const v = (...xs: number[]) => Float64Array.from(xs);

describe('clipGradNorm', () => {
  it('2-norm: returns ‖g‖ and rescales g to a/(‖g‖ + 1e-6) of itself when ‖g‖ > a', () => {
    const g = v(3, 4);
    expect(clipGradNorm(g, 1)).toBe(5);
    const c = 1 / (5 + 1e-6);
    expect([...g]).toEqual([3 * c, 4 * c]);
  });

  it('eps: 0 gives the textbook rule g · a/‖g‖ exactly', () => {
    const g = v(3, 4);
    clipGradNorm(g, 2.5, 2, { eps: 0 });
    expect([...g]).toEqual([1.5, 2]);
    expect(gradNorm(g)).toBe(2.5);
  });

  it('leaves g alone (bit for bit) when ‖g‖ ≤ a', () => {
    const g = v(0.1, -0.2, 0.3);
    const before = g.slice();
    expect(clipGradNorm(g, 1)).toBeCloseTo(Math.sqrt(0.14), 15);
    expect(g).toEqual(before);
  });

  it('any p and infinity', () => {
    const x = [1, -2, 3, -4];
    const pNorm = (p: number) => x.reduce((s, t) => s + Math.abs(t) ** p, 0) ** (1 / p);
    for (const p of [1, 1.5, 2, 3, 7]) {
      const g = v(...x);
      const total = clipGradNorm(g, 1, p, { eps: 0 });
      expect(total).toBeCloseTo(pNorm(p), 12);
      expect(gradNorm(g, p)).toBeCloseTo(1, 12);
      g.forEach((gi, i) => expect(gi).toBeCloseTo(x[i]! / pNorm(p), 14));
    }
    const g = v(...x);
    expect(clipGradNorm(g, 2, Infinity, { eps: 0 })).toBe(4);
    expect([...g]).toEqual([0.5, -1, 1.5, -2]);
  });

  it('parameter groups: one norm over all views, each view scaled in place in the flat vector', () => {
    const flat = v(3, 0, 0, 4, 12);
    const groups = [flat.subarray(0, 2), flat.subarray(2, 4), flat.subarray(4, 5)];
    expect(clipGradNorm(groups, 6.5, 2, { eps: 0 })).toBe(13);
    expect([...flat]).toEqual([1.5, 0, 0, 2, 6]);
  });

  it('does not overflow or underflow where g² would', () => {
    expect(gradNorm(v(3e200, 4e200))).toBeCloseTo(5e200, -188);
    expect(gradNorm(v(3e-200, 4e-200)) / 5e-200).toBeCloseTo(1, 14);
  });

  it('non-finite norms: NaN/Inf propagate like PyTorch, or throw with errorIfNonfinite', () => {
    const g = v(1, Infinity);
    expect(clipGradNorm(g, 1)).toBe(Infinity);
    expect(g[0]).toBe(0);
    expect(clipGradNorm(v(1, NaN), 1)).toBeNaN();
    expect(() => clipGradNorm(v(1, NaN), 1, 2, { errorIfNonfinite: true })).toThrow(/NaN/);
    expect(() => clipGradNorm(v(1), 1, 0)).toThrow(/normType/);
    expect(() => clipGradNorm(v(1), -1)).toThrow(/maxNorm/);
  });
});

describe('clipGradValue', () => {
  it('symmetric: gᵢ ← min(a, max(−a, gᵢ))', () => {
    const g = v(-3, -0.5, 0, 0.5, 3);
    clipGradValue(g, 1);
    expect([...g]).toEqual([-1, -0.5, 0, 0.5, 1]);
  });

  it('asymmetric: gᵢ ← min(a, max(b, gᵢ)) on groups; NaN stays NaN', () => {
    const flat = v(-3, 0.2, 5, NaN);
    clipGradValue([flat.subarray(0, 2), flat.subarray(2)], { min: -1, max: 2 });
    expect([...flat.subarray(0, 3)]).toEqual([-1, 0.2, 2]);
    expect(flat[3]).toBeNaN();
    expect(() => clipGradValue(flat, { min: 1, max: 0 })).toThrow(/lower bound/);
  });
});
