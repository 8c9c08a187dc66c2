/**
 * Must-show checks for an example's generated module: its value, gradient,
 * JVP and HVP agree with the eager run of the model file (the prelude runs
 * every op eagerly) and with central finite differences, along seeded random
 * unit directions. Richardson-extrapolated differences (test/compiler/
 * gradcheck.ts) also say when a difference is unreliable (a kink within h).
 */
import { expect, it } from 'vitest';
import { tensor, type Tensor } from '../../compiler/prelude/index.ts';
import { differentiate, mismatches, seededRandom } from '../compiler/gradcheck.ts';

/** What the generated `fFlat(data…)` returns, for a scalar model function. */
export interface FlatModel {
  readonly size: number;
  readonly value: (x: Float64Array) => number;
  readonly objective: (x: Float64Array, gradOut: Float64Array) => number;
  readonly jvp: (x: Float64Array, v: Float64Array) => number;
  readonly hvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
}

export interface ModelCase {
  /** The generated flat variants, data bound. */
  readonly flat: FlatModel;
  /** The model file's function run eagerly at the flat parameters, same data. */
  readonly eager: (x: Float64Array) => number;
  /** The point to check at. */
  readonly x: Float64Array;
  /** Step for the differences: small enough that no relu or max kink lies within it. */
  readonly h: number;
}

/** A prelude tensor viewing part of a flat vector, for calling the model file eagerly. */
export function viewAs(data: Float64Array, shape: readonly number[]): Tensor {
  return tensor(data, [...shape]);
}

/** `count` seeded random directions of unit length. */
export function unitDirections(size: number, count: number, seed: number): Float64Array[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, () => {
    const v = Float64Array.from({ length: size }, () => 2 * random() - 1);
    const norm = Math.sqrt(v.reduce((s, a) => s + a * a, 0));
    return v.map((a) => a / norm);
  });
}

const along = (x: Float64Array, v: Float64Array, t: number) => x.map((xi, i) => xi + t * v[i]!);
const dot = (a: Float64Array, b: Float64Array) => a.reduce((s, ai, i) => s + ai * b[i]!, 0);

/** d/dt g(x + t v) at t = 0, which must be reliable. */
function slope(g: (x: Float64Array) => readonly number[], x: Float64Array, v: Float64Array, h: number): number[] {
  const estimate = differentiate((t) => g(along(x, v, t)), h);
  expect(estimate.reliable, estimate.why).toBe(true);
  return estimate.derivative;
}

/**
 * ∂²/∂s∂t f(x + s u + t v) at 0 by the four-point central formula, Richardson
 * extrapolated (error O(h⁴)); its rounding error is about ε|f|/h².
 */
function mixedSecondDifference(f: (x: Float64Array) => number, x: Float64Array, u: Float64Array, v: Float64Array, h: number): number {
  const at = (s: number, t: number) => f(x.map((xi, i) => xi + s * u[i]! + t * v[i]!));
  const mixed = (k: number) => (at(k, k) - at(k, -k) - at(-k, k) + at(-k, -k)) / (4 * k * k);
  return (4 * mixed(h / 2) - mixed(h)) / 3;
}

/** Registers the four must-show checks for one example function. */
export function checkAgainstEagerAndDifferences(name: string, setup: () => ModelCase, seed = 7): void {
  const directions = (c: ModelCase) => unitDirections(c.flat.size, 2, seed);

  it(`${name}: the compiled value equals the eager run of the model file`, () => {
    const c = setup();
    expect(c.flat.value(c.x)).toBeCloseTo(c.eager(c.x), 10);
    const gradient = new Float64Array(c.flat.size);
    expect(c.flat.objective(c.x, gradient)).toBe(c.flat.value(c.x));
  });

  it(`${name}: the reverse-mode gradient matches central differences of the eager run`, () => {
    const c = setup();
    const gradient = new Float64Array(c.flat.size);
    c.flat.objective(c.x, gradient);
    for (const v of directions(c)) {
      const [fd] = slope((x) => [c.eager(x)], c.x, v, c.h);
      expect(mismatches([dot(gradient, v)], [fd!], { rtol: 1e-6, atol: 1e-9 })).toEqual([]);
    }
  });

  it(`${name}: the forward-mode JVP matches the gradient and central differences of the eager run`, () => {
    const c = setup();
    const gradient = new Float64Array(c.flat.size);
    c.flat.objective(c.x, gradient);
    for (const v of directions(c)) {
      const jvp = c.flat.jvp(c.x, v);
      expect(mismatches([jvp], [dot(gradient, v)], { rtol: 1e-11, atol: 1e-13 })).toEqual([]);
      const [fd] = slope((x) => [c.eager(x)], c.x, v, c.h);
      expect(mismatches([jvp], [fd!], { rtol: 1e-6, atol: 1e-9 })).toEqual([]);
    }
  });

  it(`${name}: the HVP matches differences of the gradient and second differences of the eager run`, () => {
    const c = setup();
    const [u, v] = directions(c) as [Float64Array, Float64Array];
    const hv = new Float64Array(c.flat.size);
    c.flat.hvp(c.x, v, hv);
    const gradientAt = (x: Float64Array) => {
      const g = new Float64Array(c.flat.size);
      c.flat.objective(x, g);
      return Array.from(g);
    };
    const fd = slope(gradientAt, c.x, v, c.h);
    const scale = Math.max(...fd.map(Math.abs));
    expect(mismatches(Array.from(hv), fd, { rtol: 1e-5, atol: 1e-7 * (1 + scale) }).slice(0, 5)).toEqual([]);
    // uᵀHv = ∂²/∂s∂t f(x + s u + t v), from the eager model file alone.
    const mixed = mixedSecondDifference(c.eager, c.x, u, v, c.h);
    const rounding = (100 * Number.EPSILON * Math.abs(c.eager(c.x))) / c.h ** 2;
    expect(mismatches([dot(u, hv)], [mixed], { rtol: 1e-5, atol: 1e-9 + rounding })).toEqual([]);
  });
}
