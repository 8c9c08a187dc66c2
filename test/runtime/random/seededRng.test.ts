// The trainer's seeded generator: normal() is a standard normal (moments and the
// share within one and two standard deviations, on 40 000 draws), repeatable from its seed.
import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../runtime/random/seededRng.ts';

describe('SeededRng.normal', () => {
  it('draws standard normal samples, the same ones from the same seed', () => {
    const rng = SeededRng.fromSeed(12);
    const n = 40_000;
    const xs = Float64Array.from({ length: n }, () => rng.normal());
    const mean = xs.reduce((s, x) => s + x, 0) / n;
    const variance = xs.reduce((s, x) => s + (x - mean) ** 2, 0) / n;
    const within = (k: number) => xs.filter((x) => Math.abs(x) < k).length / n;
    // Standard errors at n = 40 000: mean 0.005, variance 0.007, shares ≤ 0.0024.
    expect(Math.abs(mean)).toBeLessThan(0.02);
    expect(Math.abs(variance - 1)).toBeLessThan(0.03);
    expect(Math.abs(within(1) - 0.6827)).toBeLessThan(0.01);
    expect(Math.abs(within(2) - 0.9545)).toBeLessThan(0.006);
    expect(xs.every(Number.isFinite)).toBe(true);
    const again = SeededRng.fromSeed(12);
    expect(Array.from({ length: 5 }, () => again.normal())).toEqual(Array.from(xs.subarray(0, 5)));
  });
});
