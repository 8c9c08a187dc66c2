/**
 * Differentiated parameters with named sizes (`Param<Tensor<['n']>>`): one
 * compiled module serves every size. The layout is a function of the sizes
 * (`fLayout(n)`), the named API reads them off its arguments, the flat
 * variants off their data or as arguments, and a flat vector's sizes stay
 * fixed when new data is bound. Gradients, JVPs and HVPs are checked against
 * central differences at several sizes from the same module, and a flat
 * objective is minimized by the runtime's L-BFGS to the normal equations'
 * solution.
 */
import { describe, expect, it } from 'vitest';
import { compileModelFile } from '../../compiler/api/compileModelFile.ts';
import { loadModule } from '../../compiler/load/loadModule.ts';
import { typeCheckModule } from '../../compiler/load/typeCheckModule.ts';
import { minimizeLBFGS } from '../../runtime/optim/minimize/lbfgs.ts';
import { SeededRng } from '../../runtime/random/seededRng.ts';

const MODEL = `import { add, exp, log, matmul, mean, square, sub, sum } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

/** log Σ exp(x_i) over a vector of any length. */
export function lse(x: Param<Tensor<['n']>>): number {
  return log(sum(exp(x)));
}

/** Least squares with a bias: w's size d is shared with the data, and b's offset in the flat vector is d. */
export function leastSquares(w: Param<Tensor<['d']>>, b: Param<number>, X: Tensor<['batch', 'd']>, y: Tensor<['batch']>): number {
  return mean(square(add(sub(matmul(X, w), y), b)));
}

/** A matrix no argument sizes alone: n is read off W once m is known from u. */
export function bilinear(W: Param<Tensor<['n', 'm']>>, u: Param<Tensor<['m']>>): number {
  return 0.5 * sum(square(matmul(W, u))) + sum(square(u));
}
`;

type Fn = (...args: unknown[]) => unknown;
interface Flat {
  readonly size: number;
  readonly setData: (...data: unknown[]) => void;
  readonly value: (x: Float64Array) => number;
  readonly objective: (x: Float64Array, g: Float64Array) => number;
  readonly jvp: (x: Float64Array, v: Float64Array) => number;
  readonly hvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
}

const source = compileModelFile('models/sized.model.ts', { text: MODEL }).files[0]!.content;
const mod = loadModule(source);
const k = (name: string) => mod[name] as Fn;
const rng = SeededRng.fromSeed(7);
const vector = (n: number) => Float64Array.from({ length: n }, () => rng.normal());

/** Central differences of f at x, each coordinate. */
function centralGradient(f: (x: Float64Array) => number, x: Float64Array, h = 1e-6): Float64Array {
  return Float64Array.from(x, (_, j) => {
    const plus = Float64Array.from(x);
    const minus = Float64Array.from(x);
    plus[j]! += h;
    minus[j]! -= h;
    return (f(plus) - f(minus)) / (2 * h);
  });
}

/** Gradient, JVP and HVP of a flat objective against central differences. */
function checkFlat(f: Flat, x: Float64Array): void {
  const n = x.length;
  const g = new Float64Array(n);
  const value = f.objective(x, g);
  expect(value).toBeCloseTo(f.value(x), 14);
  const fd = centralGradient(f.value, x);
  for (let j = 0; j < n; j++) expect(g[j]).toBeCloseTo(fd[j]!, 6);
  const v = vector(n);
  expect(f.jvp(x, v)).toBeCloseTo(g.reduce((s, gj, j) => s + gj * v[j]!, 0), 10);
  const hv = new Float64Array(n);
  f.hvp(x, v, hv);
  const h = 1e-5;
  const gp = new Float64Array(n);
  const gm = new Float64Array(n);
  f.objective(x.map((xi, j) => xi + h * v[j]!), gp);
  f.objective(x.map((xi, j) => xi - h * v[j]!), gm);
  for (let j = 0; j < n; j++) expect(hv[j]).toBeCloseTo((gp[j]! - gm[j]!) / (2 * h), 5);
}

describe('parameters with named sizes', () => {
  it('type-checks strictly and compiles byte-identically twice', () => {
    expect(typeCheckModule(source)).toEqual([]);
    expect(compileModelFile('models/sized.model.ts', { text: MODEL }).files[0]!.content).toBe(source);
  });

  it('every kind of function compiles and type-checks with named parameter sizes, tensor outputs too', () => {
    const all = ['value', 'gradient', 'jvp', 'vjp', 'hvp', 'ggnvp', 'hessian', 'jacobian', 'flat'] as const;
    const text = `${MODEL}
/** A tensor output over parameters of named sizes. */
export function scores(W: Param<Tensor<['k', 'd']>>, X: Tensor<['batch', 'd']>): Tensor<['batch', 'k']> {
  return matmul(X, transpose(W));
}
`.replace('import { add,', 'import { add, transpose,');
    const built = compileModelFile('models/sized.model.ts', { text, emit: all }).files[0]!.content;
    expect(typeCheckModule(built)).toEqual([]);
    const m = loadModule(built);
    // The dense Jacobian of X Wᵀ in W: row (r, i) holds X[r, :] at W's row i.
    const X = Float64Array.of(1, 2, 3, 4, 5, 6);
    const W = Float64Array.of(1, 0, 1, 0, 1, 1, 2, 2, 2, 0.5, -1, 3);
    // No argument gives k, d or batch alone (each shape has two unknowns): k is passed, then W gives d and X batch.
    const J = (m['scoresJacobian'] as Fn)(W, X, 4) as Float64Array;
    const k2 = 4;
    const d = 3;
    expect(J.length).toBe(2 * k2 * k2 * d);
    for (let r = 0; r < 2; r++) {
      for (let i = 0; i < k2; i++) {
        for (let p = 0; p < k2 * d; p++) {
          const expected = Math.floor(p / d) === i ? X[r * d + (p % d)]! : 0;
          expect(J[(r * k2 + i) * k2 * d + p]).toBe(expected);
        }
      }
    }
    const H = (m['lseHessian'] as Fn)(Float64Array.of(0, 0)) as Float64Array;
    expect(Array.from(H)).toEqual([0.25, -0.25, -0.25, 0.25]);
  });

  it('the layout is a function of the sizes', () => {
    expect(k('lseLayout')(5)).toEqual({ size: 5, params: [{ name: 'x', shape: [5], offset: 0, size: 5 }] });
    expect(k('leastSquaresLayout')(3)).toEqual({
      size: 4,
      params: [
        { name: 'w', shape: [3], offset: 0, size: 3 },
        { name: 'b', shape: [], offset: 3, size: 1 },
      ],
    });
    expect(k('bilinearLayout')(2, 3)).toEqual({
      size: 9,
      params: [
        { name: 'W', shape: [2, 3], offset: 0, size: 6 },
        { name: 'u', shape: [3], offset: 6, size: 3 },
      ],
    });
    expect(() => k('lseLayout')(2.5)).toThrow(/lseLayout: the size n = 2.5: a size must be a whole number/);
  });

  it('one module, every length: log-sum-exp and its softmax gradient at n = 1, 4, 33', () => {
    for (const n of [1, 4, 33]) {
      const x = vector(n);
      const m = Math.max(...x);
      const z = x.reduce((s, xi) => s + Math.exp(xi - m), 0);
      expect(k('lse')(x)).toBeCloseTo(m + Math.log(z), 13);
      const g = k('lseGradient')(x) as Float64Array;
      expect(g.length).toBe(n);
      x.forEach((xi, i) => expect(g[i]).toBeCloseTo(Math.exp(xi - m) / z, 14));
      checkFlat(k('lseFlat')(n) as Flat, x);
    }
  });

  it('named JVP and HVP read the size off the parameters and allocate the output', () => {
    const x = vector(6);
    const v = vector(6);
    const g = k('lseGradient')(x) as Float64Array;
    expect(k('lseJvp')(x, v)).toBeCloseTo(g.reduce((s, gi, i) => s + gi * v[i]!, 0), 13);
    // ∇²lse = diag(p) − p pᵀ
    const hv = k('lseHvp')(x, v) as Float64Array;
    const pv = g.reduce((s, p, i) => s + p * v[i]!, 0);
    g.forEach((p, i) => expect(hv[i]).toBeCloseTo(p * v[i]! - p * pv, 13));
    expect(() => k('lseHvp')(x, vector(5))).toThrow(/lseHvp: v has 5 elements, but lseLayout\(n\)\.size needs 6/);
  });

  it('pack reads the sizes off the values, unpack takes them, and views share the vector', () => {
    const w = Float64Array.of(1, 2, 3);
    const flat = k('packLeastSquares')({ w, b: 4 }) as Float64Array;
    expect(Array.from(flat)).toEqual([1, 2, 3, 4]);
    const views = k('unpackLeastSquares')(flat, 3) as { w: Float64Array; b: Float64Array };
    views.b[0] = 9;
    expect(flat[3]).toBe(9);
    expect(Array.from(views.w)).toEqual([1, 2, 3]);
    expect(() => k('unpackLeastSquares')(flat, 4)).toThrow(/unpackLeastSquares: x has 4 elements, but leastSquaresLayout\(d\)\.size needs 5/);
    expect(Array.from(k('packBilinear')({ W: [1, 2, 3, 4, 5, 6], u: [7, 8] }) as Float64Array)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('least squares: d from the data; new batches rebind, a new d is refused; L-BFGS reaches the normal equations', () => {
    const d = 3;
    const batch = 40;
    const X = vector(batch * d);
    const truth = [0.5, -2, 1.25];
    const y = Float64Array.from({ length: batch }, (_, r) => truth.reduce((s, t, j) => s + t * X[r * d + j]!, 0) - 0.75 + 0.01 * rng.normal());
    const f = k('leastSquaresFlat')(X, y) as Flat;
    expect(f.size).toBe(d + 1);
    checkFlat(f, vector(d + 1));
    const result = minimizeLBFGS(f.objective, new Float64Array(d + 1), { gradTol: 1e-12 });
    // The normal equations of [X 1]θ ≈ y, solved directly.
    const A = Array.from({ length: d + 1 }, (_, i) => Array.from({ length: d + 1 }, (_, j) => {
      let s = 0;
      for (let r = 0; r < batch; r++) s += (i < d ? X[r * d + i]! : 1) * (j < d ? X[r * d + j]! : 1);
      return s;
    }));
    const rhs = Array.from({ length: d + 1 }, (_, i) => {
      let s = 0;
      for (let r = 0; r < batch; r++) s += (i < d ? X[r * d + i]! : 1) * y[r]!;
      return s;
    });
    const theta = solve(A, rhs);
    theta.forEach((t, i) => expect(result.x[i]).toBeCloseTo(t, 6));
    f.setData(X.subarray(0, 10 * d), y.subarray(0, 10));
    expect(f.value(result.x)).toBeCloseTo(k('leastSquares')(result.x.subarray(0, d), result.x[d], X.subarray(0, 10 * d), y.subarray(0, 10)) as number, 14);
    expect(() => f.setData(vector(10 * 4), vector(10))).toThrow(
      /leastSquaresFlat\(…\)\.setData: the new data has d = 4, but the flat parameter vector is laid out for d = 3/,
    );
  });

  it('sizes no data gives are arguments of the flat variants, checked', () => {
    for (const [n, m] of [[2, 3], [5, 1]] as const) {
      const f = k('bilinearFlat')(n, m) as Flat;
      expect(f.size).toBe(n * m + m);
      checkFlat(f, vector(n * m + m));
      const W = vector(n * m);
      const u = vector(m);
      const g = k('bilinearGradient')(W, u) as Float64Array;
      const x = new Float64Array(n * m + m);
      x.set(W);
      x.set(u, n * m);
      const flat = new Float64Array(n * m + m);
      f.objective(x, flat);
      expect(Array.from(g)).toEqual(Array.from(flat));
    }
    expect(() => k('bilinearFlat')(2, -1)).toThrow(/bilinearFlat: the size m = -1: a size must be a whole number/);
    expect(() => k('bilinear')(vector(7), vector(3))).toThrow(/bilinear: W has 7 elements, not a multiple of 3/);
  });
});

/** Gaussian elimination with partial pivoting (a small dense system). */
function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    for (let r = c + 1; r < n; r++) {
      const f = M[r]![c]! / M[c]![c]!;
      for (let j = c; j <= n; j++) M[r]![j]! -= f * M[c]![j]!;
    }
  }
  const x = new Array<number>(n).fill(0);
  for (let r = n - 1; r >= 0; r--) {
    let s = M[r]![n]!;
    for (let j = r + 1; j < n; j++) s -= M[r]![j]! * x[j]!;
    x[r] = s / M[r]![r]!;
  }
  return x;
}
