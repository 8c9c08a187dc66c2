// Error surfaces: a linear model with squared loss must come out as the quadratic bowl
// the notes describe (checked on the computed grid: constant second differences equal
// to the curvature the compiled HVP gives, a minimum at the optimum), Lanczos finds the
// Hessian's top eigenpairs from products alone, filter normalization rescales each
// unit's weights, and the plots render.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadModelFile } from '../../../compiler/index.ts';
import { lanczosEigen } from '../../../runtime/linalg/lanczos.ts';
import { symmetricEigen } from '../../../runtime/linalg/symmetricEigen.ts';
import { surfaceSvg, writeSurfacePlot } from '../../../runtime/plot/surfacePlot.ts';
import { filterNormalize, randomDirection, trajectoryDirections, type ShapedLayout } from '../../../runtime/surface/directions.ts';
import { lossAlongLine, lossSurface, projectOntoPlane } from '../../../runtime/surface/lossSurface.ts';
import { SeededRng } from '../../../runtime/random/seededRng.ts';

interface Flat {
  readonly size: number;
  value(x: Float64Array): number;
  hvp(x: Float64Array, v: Float64Array, out: Float64Array): void;
  hessian(x: Float64Array, out: Float64Array): void;
}
// The generated module's exports as the test uses them (loadModule returns unknown values).
const linear = loadModelFile('test/runtime/surface/fixtures/linear.model.ts') as unknown as {
  lossLayout: ShapedLayout;
  lossFlat(X: Float64Array, Y: Float64Array): Flat;
};

const N = 40;
const rng = SeededRng.fromSeed(3);
const X = Float64Array.from({ length: N * 3 }, () => 2 * rng.float() - 1);
const trueW = [0.5, -1, 2, 0.3, 1.5, -0.7];
const Y = new Float64Array(N * 2);
for (let i = 0; i < N; i++) {
  for (let j = 0; j < 2; j++) {
    let s = j === 0 ? 0.2 : -0.4;
    for (let k = 0; k < 3; k++) s += X[i * 3 + k]! * trueW[k * 2 + j]!;
    Y[i * 2 + j] = s + 0.05 * (rng.float() - 0.5);
  }
}
const f = linear.lossFlat(X, Y);
const n = f.size;

/** The least-squares optimum, by Newton's method (one exact step on a quadratic) with the dense Hessian. */
function optimum(): Float64Array {
  const x0 = new Float64Array(n);
  const H = new Float64Array(n * n);
  f.hessian(x0, H);
  const g = new Float64Array(n);
  // ∇f(0) by central differences would be inexact; the HVP at 0 along eᵢ differences the gradient exactly for a quadratic.
  const e = new Float64Array(n);
  const fx = (x: Float64Array) => f.value(x);
  for (let i = 0; i < n; i++) {
    e.fill(0);
    e[i] = 1;
    g[i] = (fx(e) - fx(e.map((v) => -v))) / 2; // exact for a quadratic
  }
  // Solve H x = −g by Gaussian elimination (n = 8).
  const a = Array.from({ length: n }, (_, r) => [...H.subarray(r * n, r * n + n), -g[r]!]);
  for (let c = 0; c < n; c++) {
    const p = a.reduce((best, row, r) => (r >= c && Math.abs(row[c]!) > Math.abs(a[best]![c]!) ? r : best), c);
    [a[c], a[p]] = [a[p]!, a[c]!];
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const m = a[r]![c]! / a[c]![c]!;
      for (let k = c; k <= n; k++) a[r]![k]! -= m * a[c]![k]!;
    }
  }
  return Float64Array.from(a.map((row, r) => row[n]! / row[r]!));
}

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('the error surface of a linear model with squared loss', () => {
  const center = optimum();
  const d1 = filterNormalize(randomDirection(n, 1), center, linear.lossLayout);
  const d2 = filterNormalize(randomDirection(n, 2), center, linear.lossLayout);
  const surface = lossSurface((x) => f.value(x), center, d1, d2, { range: [-1, 1], resolution: 21 });
  const { xs, ys, losses } = surface;
  const at = (r: number, c: number) => losses[r * xs.length + c]!;
  const h = xs[1]! - xs[0]!;
  const curvature = (d: Float64Array, e: Float64Array): number => {
    const hv = new Float64Array(n);
    f.hvp(center, e, hv);
    return d.reduce((s, v, i) => s + v * hv[i]!, 0);
  };

  it('is a quadratic bowl: constant second differences equal to dᵀHd, a minimum at the optimum', () => {
    const [c11, c12, c22] = [curvature(d1, d1), curvature(d1, d2), curvature(d2, d2)];
    expect(c11).toBeGreaterThan(0);
    expect(c22).toBeGreaterThan(0);
    expect(c11 * c22 - c12 * c12).toBeGreaterThan(0);
    const tol = 1e-9 * Math.max(c11, c22);
    for (let r = 1; r < ys.length - 1; r++) {
      for (let c = 1; c < xs.length - 1; c++) {
        expect(Math.abs((at(r, c + 1) - 2 * at(r, c) + at(r, c - 1)) / h ** 2 - c11)).toBeLessThan(tol);
        expect(Math.abs((at(r + 1, c) - 2 * at(r, c) + at(r - 1, c)) / h ** 2 - c22)).toBeLessThan(tol);
        expect(Math.abs((at(r + 1, c + 1) - at(r + 1, c - 1) - at(r - 1, c + 1) + at(r - 1, c - 1)) / (4 * h * h) - c12)).toBeLessThan(tol);
      }
    }
    const mid = (xs.length - 1) / 2;
    expect(xs[mid]).toBe(0);
    expect(Math.min(...losses)).toBe(at(mid, mid));
  });

  it('along the line from a start to the optimum: a parabola with its minimum at α = 1', () => {
    const start = new Float64Array(n);
    const line = lossAlongLine((x) => f.value(x), start, center, { range: [0, 1.5], points: 31 });
    expect(line.losses[0]).toBe(f.value(start));
    const one = line.alphas.findIndex((a) => Math.abs(a - 1) < 1e-12);
    expect(line.losses[one]).toBeCloseTo(f.value(center), 12);
    expect(Math.min(...line.losses)).toBe(line.losses[one]);
    const dh = line.alphas[1]! - line.alphas[0]!;
    const d = center.slice();
    const c = curvature(d, d);
    for (let i = 1; i < line.alphas.length - 1; i++) {
      expect(Math.abs((line.losses[i + 1]! - 2 * line.losses[i]! + line.losses[i - 1]!) / dh ** 2 - c)).toBeLessThan(1e-8 * c);
    }
  });

  it('the top two Hessian eigenvectors from Lanczos on the compiled HVP match the dense Hessian', () => {
    const H = new Float64Array(n * n);
    f.hessian(center, H);
    const values = new Float64Array(n);
    const vectors = new Float64Array(n * n);
    symmetricEigen(H, n, values, vectors);
    const sorted = [...values].sort((a, b) => b - a);
    // W's two columns fit the two outputs with the same X, so every eigenvalue is repeated:
    // one Krylov space sees it once, and the second pair comes from the deflated run.
    expect(sorted[0]).toBeCloseTo(sorted[1]!, 10);
    const top = lanczosEigen((v, out) => f.hvp(center, v, out), n, 2, { seed: 5 });
    expect(Math.abs(top.vectors[0]!.reduce((s, x, i) => s + x * top.vectors[1]![i]!, 0))).toBeLessThan(1e-10);
    expect(top.values[0]).toBeCloseTo(sorted[0]!, 10);
    expect(top.values[1]).toBeCloseTo(sorted[1]!, 10);
    for (const r of top.residuals) expect(r).toBeLessThan(1e-9 * sorted[0]!);
    // Along the top eigenvector the surface's curvature is the top eigenvalue.
    const u = top.vectors[0]!;
    expect(curvature(u, u)).toBeCloseTo(sorted[0]!, 10);
  });

  it('projects points of the plane back to their coordinates, directions not orthogonal', () => {
    const p = center.map((c, i) => c + 0.3 * d1[i]! - 0.7 * d2[i]!);
    const [[a, b]] = projectOntoPlane([p], center, d1, d2) as [[number, number]];
    expect(a).toBeCloseTo(0.3, 12);
    expect(b).toBeCloseTo(-0.7, 12);
    expect(() => projectOntoPlane([p], center, d1, d1)).toThrow('the two directions are (nearly) parallel');
  });

  it('draws the surface with a trajectory and marks, as SVG and PNG', async () => {
    const path = [center.map((c, i) => c + 0.9 * d1[i]! + 0.8 * d2[i]!), center.map((c, i) => c + 0.4 * d1[i]! + 0.3 * d2[i]!), center];
    const trajectory = projectOntoPlane(path, center, d1, d2);
    const svg = await surfaceSvg({ surface, title: 'bowl', trajectories: [{ name: 'gradient descent', points: trajectory }], marks: [{ name: 'optimum', at: [0, 0] }] });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('gradient descent');
    expect(svg).toContain('optimum');
    const dir = mkdtempSync(join(tmpdir(), 'gradc-surface-'));
    dirs.push(dir);
    const files = await writeSurfacePlot({ surface }, join(dir, 'bowl'));
    expect(readFileSync(files.pngPath).subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('filter normalization (Li et al. 2018)', () => {
  const layout: ShapedLayout = {
    size: 3 * 4 + 4 + 1,
    params: [
      { name: 'W', shape: [3, 4], offset: 0, size: 12 },
      { name: 'b', shape: [4], offset: 12, size: 4 },
      { name: 's', shape: [], offset: 16, size: 1 },
    ],
  };
  const params = Float64Array.from({ length: 17 }, (_, i) => (i % 5) - 1.5 + 0.1 * i);
  const norm = (a: Float64Array, idx: number[]) => Math.sqrt(idx.reduce((s, i) => s + a[i]! ** 2, 0));

  it("rescales each output unit's incoming weights (a column of W) to the parameters' norm, vectors as one filter", () => {
    const d = filterNormalize(randomDirection(17, 9), params, layout);
    for (let j = 0; j < 4; j++) {
      const col = [0, 1, 2].map((r) => r * 4 + j);
      expect(norm(d, col)).toBeCloseTo(norm(params, col), 12);
    }
    expect(norm(d, [12, 13, 14, 15])).toBeCloseTo(norm(params, [12, 13, 14, 15]), 12);
    expect(Math.abs(d[16]!)).toBeCloseTo(Math.abs(params[16]!), 12);
  });

  it("'zero' leaves biases and scalars out; a zero filter of the parameters zeroes the direction's", () => {
    const p = params.slice();
    p[1] = p[5] = p[9] = 0; // column 1 of W
    const d = filterNormalize(randomDirection(17, 9), p, layout, { vectors: 'zero' });
    expect([d[1], d[5], d[9]]).toEqual([0, 0, 0]);
    expect(Array.from(d.subarray(12))).toEqual([0, 0, 0, 0, 0]);
    expect(() => filterNormalize(new Float64Array(3), params, layout)).toThrow('the direction has 3 and the parameters 17 elements, but the layout has 17');
  });
});

describe('Lanczos', () => {
  it('finds the extreme eigenpairs of a dense symmetric matrix from products alone', () => {
    const m = 30;
    const r = SeededRng.fromSeed(11);
    const A = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) A[i * m + j] = A[j * m + i] = 2 * r.float() - 1;
    const product = (v: Float64Array, out: Float64Array) => {
      for (let i = 0; i < m; i++) out[i] = A.subarray(i * m, i * m + m).reduce((s, a, j) => s + a * v[j]!, 0);
    };
    const values = new Float64Array(m);
    symmetricEigen(A, m, values, new Float64Array(m * m));
    const byValue = [...values].sort((a, b) => b - a);
    const byMagnitude = [...values].sort((a, b) => Math.abs(b) - Math.abs(a));
    const largest = lanczosEigen(product, m, 3);
    expect(Array.from(largest.values).map((v) => +v.toFixed(9))).toEqual(byValue.slice(0, 3).map((v) => +v.toFixed(9)));
    const magnitude = lanczosEigen(product, m, 2, { which: 'magnitude' });
    expect(Array.from(magnitude.values).map((v) => +v.toFixed(9))).toEqual(byMagnitude.slice(0, 2).map((v) => +v.toFixed(9)));
    for (const res of [...largest.residuals, ...magnitude.residuals]) expect(res).toBeLessThan(1e-9);
    expect(() => lanczosEigen(product, m, 31)).toThrow('k must be an integer in [1, 30], not 31');
  });
});

describe('trajectory directions (principal directions of a path, Li et al. 2018 §7)', () => {
  it('recover the plane a path lies in, and how much of it each direction explains', () => {
    const n = 50;
    const u = randomDirection(n, 4);
    const v = randomDirection(n, 5);
    const center = randomDirection(n, 6);
    // A spiral in span{u, v}, wider along u.
    const path = Array.from({ length: 30 }, (_, t) => center.map((c, i) => c + 3 * Math.cos(t / 3) * (t / 30) * u[i]! + Math.sin(t / 3) * (t / 30) * v[i]!));
    const { directions, explained } = trajectoryDirections(path, center);
    expect(explained[0] + explained[1]).toBeCloseTo(1, 10);
    expect(explained[0]).toBeGreaterThan(explained[1]);
    // Every path point is reproduced from its two coordinates in the found plane.
    const coords = projectOntoPlane(path, center, directions[0], directions[1]);
    path.forEach((p, k) => {
      const [a, b] = coords[k]!;
      p.forEach((x, i) => expect(x).toBeCloseTo(center[i]! + a * directions[0][i]! + b * directions[1][i]!, 10));
    });
    expect(() => trajectoryDirections([center, center], center)).toThrow('needs at least two points away from the center');
  });
});
