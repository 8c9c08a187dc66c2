// The runtime's one seeded generator: normal() is a standard normal (moments and the
// share within one and two standard deviations, on 40 000 draws), repeatable from its
// seed; nearby seeds give unrelated draws; state() round-trips exactly; stream(k) and
// split() give reproducible streams that are not copies of each other.
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

describe('SeededRng seeding', () => {
  it('spreads nearby seeds: the first draws of seeds 0…399 are uniform, not all near 1', () => {
    // pure-rand's own xoroshiro128plus(seed) gave a first float of 0.99999… for every small seed.
    for (const draw of [0, 1]) {
      const xs = Array.from({ length: 400 }, (_, seed) => {
        const rng = SeededRng.fromSeed(seed);
        for (let k = 0; k < draw; k++) rng.float();
        return rng.float();
      });
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      // Standard error of the mean of 400 uniforms: 0.0144; of a decile's share: 0.015.
      expect(Math.abs(mean - 0.5)).toBeLessThan(0.06);
      for (let d = 0; d < 10; d++) {
        const share = xs.filter((x) => x >= d / 10 && x < (d + 1) / 10).length / xs.length;
        expect(share).toBeGreaterThan(0.04);
        expect(share).toBeLessThan(0.16);
      }
    }
  });

  it('takes integer seeds only', () => {
    expect(() => SeededRng.fromSeed(1.5)).toThrow(/Invalid seed 1.5; pass an integer/);
    expect(SeededRng.fromSeed(2 ** 40).state()).not.toEqual(SeededRng.fromSeed(0).state());
  });
});

describe('SeededRng state', () => {
  it('a generator restored mid-run from its state (through JSON) draws the same numbers', () => {
    const rng = SeededRng.fromSeed(21);
    for (let i = 0; i < 37; i++) rng.normal();
    const saved = JSON.parse(JSON.stringify(rng.state())) as number[];
    const uninterrupted = [rng.float(), rng.int(0, 1000), rng.normal(), rng.float()];
    const restored = SeededRng.fromState(saved);
    expect([restored.float(), restored.int(0, 1000), restored.normal(), restored.float()]).toEqual(uninterrupted);
    expect(restored.state()).toEqual(rng.state());
  });

  it('state() is a copy: drawing does not change an earlier snapshot', () => {
    const rng = SeededRng.fromSeed(3);
    const before = rng.state();
    const copy = [...before];
    rng.float();
    expect(before).toEqual(copy);
    expect(rng.state()).not.toEqual(before);
  });

  it('refuses a state that no generator has', () => {
    expect(() => SeededRng.fromState([1, 2, 3])).toThrow(/four 32-bit integers/);
    expect(() => SeededRng.fromState([0, 0, 0, 0])).toThrow(/not all zero/);
    expect(() => SeededRng.fromState([1, 2, 3, 0.5])).toThrow(/Invalid generator state/);
  });
});

describe('SeededRng streams', () => {
  const draws = (rng: SeededRng, n = 8) => Array.from({ length: n }, () => rng.float());

  it('stream(k) is reproducible and leaves the parent untouched', () => {
    const parent = SeededRng.fromSeed(9);
    const before = parent.state();
    expect(draws(parent.stream(3))).toEqual(draws(SeededRng.fromSeed(9).stream(3)));
    expect(parent.state()).toEqual(before);
    expect(draws(parent.stream(0))).toEqual(draws(SeededRng.fromSeed(9)));
  });

  it('streams differ from each other and from the parent, and are not shifted copies', () => {
    const parent = SeededRng.fromSeed(9);
    const streams = [0, 1, 2, 3].map((k) => draws(parent.stream(k), 200));
    for (let a = 0; a < streams.length; a++) {
      for (let b = a + 1; b < streams.length; b++) {
        // No value of one stream's first 200 draws appears among the other's: they are not the same sequence offset.
        const other = new Set(streams[b]);
        expect(streams[a]!.filter((x) => other.has(x))).toEqual([]);
      }
    }
  });

  it('stream k is k jumps ahead: stream(2) of stream(1) is stream(3)', () => {
    const parent = SeededRng.fromSeed(4);
    expect(draws(parent.stream(1).stream(2))).toEqual(draws(parent.stream(3)));
  });

  it('successive splits of a fresh generator are its streams 0, 1, 2', () => {
    const parent = SeededRng.fromSeed(5);
    const reference = SeededRng.fromSeed(5);
    const children = [parent.split(), parent.split(), parent.split()];
    children.forEach((child, k) => expect(draws(child)).toEqual(draws(reference.stream(k))));
    expect(draws(parent)).toEqual(draws(reference.stream(3)));
  });

  it('a stream restored from its state continues it', () => {
    const stream = SeededRng.fromSeed(6).stream(2);
    draws(stream, 5);
    const restored = SeededRng.fromState(structuredClone(stream.state()));
    expect(draws(restored)).toEqual(draws(stream));
  });

  it('refuses a negative or fractional stream index', () => {
    expect(() => SeededRng.fromSeed(1).stream(-1)).toThrow(/Invalid stream index -1/);
    expect(() => SeededRng.fromSeed(1).stream(0.5)).toThrow(/Invalid stream index 0.5/);
  });
});

describe('SeededRng draws', () => {
  it('int(from, to) covers both ends and nothing outside', () => {
    const rng = SeededRng.fromSeed(8);
    const seen = new Set(Array.from({ length: 2000 }, () => rng.int(-2, 2)));
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
  });

  it('asFunction() draws the same floats as float()', () => {
    const f = SeededRng.fromSeed(10).asFunction();
    const rng = SeededRng.fromSeed(10);
    const got = [f(), f(), f()];
    expect(got).toEqual([rng.float(), rng.float(), rng.float()]);
    expect(got.every((x) => x >= 0 && x < 1)).toBe(true);
  });
});
