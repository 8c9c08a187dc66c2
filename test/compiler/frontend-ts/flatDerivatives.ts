/**
 * The check the model tests share for a compiled flat objective: along random
 * directions, the gradient against central differences of the value, and the
 * HVP against central differences of the gradient (relative to the HVP's scale).
 */
import { expect } from 'vitest';
import { SeededRng } from '../../../runtime/random/seededRng.ts';

export interface FlatWithHvp {
  readonly size: number;
  readonly value: (x: Float64Array) => number;
  readonly objective: (x: Float64Array, g: Float64Array) => number;
  readonly hvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
}

export function checkFlatDerivatives(f: FlatWithHvp, x: Float64Array, seed: number, tolerance = 1e-6): void {
  const rng = SeededRng.fromSeed(seed);
  const g = new Float64Array(f.size);
  f.objective(x, g);
  const along = (v: Float64Array, h: number) => x.map((xi, i) => xi + h * v[i]!);
  for (let trial = 0; trial < 3; trial++) {
    const v = Float64Array.from({ length: f.size }, () => rng.normal());
    const fd = (f.value(along(v, 1e-6)) - f.value(along(v, -1e-6))) / 2e-6;
    const directional = g.reduce((s, gi, i) => s + gi * v[i]!, 0);
    expect(Math.abs(directional - fd) / Math.max(1, Math.abs(fd))).toBeLessThan(tolerance);
    const hv = new Float64Array(f.size);
    f.hvp(x, v, hv);
    const gp = new Float64Array(f.size);
    const gm = new Float64Array(f.size);
    f.objective(along(v, 1e-5), gp);
    f.objective(along(v, -1e-5), gm);
    const scale = Math.max(1, ...Array.from(hv, Math.abs));
    hv.forEach((value, i) => expect(Math.abs(value - (gp[i]! - gm[i]!) / 2e-5) / scale).toBeLessThan(tolerance));
  }
}
