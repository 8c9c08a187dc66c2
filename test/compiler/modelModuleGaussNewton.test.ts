/**
 * The generated Gauss-Newton product: a model function that returns a convex
 * loss of its outputs (softmaxCrossEntropy(z, …), mse(z, …)) gets `fGgnvp`
 * and `fFlat(…).ggnvp`, equal to Jᵀ H_L J v formed densely (J by central
 * differences of the generated outputs, H_L the loss's Hessian in z), to the
 * analytic Fisher matrix of softmax regression, positive semi-definite, the
 * flat variant equal to the named one. Functions where the rule does not hold
 * (a regularizer added, a target that depends on the parameters) get none.
 */
import { describe, expect, it } from 'vitest';
import { compileModelFile } from '../../compiler/api/compileModelFile.ts';
import { loadModule } from '../../compiler/load/loadModule.ts';
import { parseModelFile } from '../../compiler/frontend/typescript/parseModelFile.ts';
import { SeededRng } from '../../runtime/index.ts';
import { close } from './gradcheck.ts';
import { exported } from './modelModuleCheck.ts';

const MODEL = `import { add, matmul, mse, mul, sigmoidBinaryCrossEntropy, softmaxCrossEntropy, square, sum, tanh } from 'gradc/prelude';
import type { Param, Tensor } from 'gradc/prelude';

/** Class scores of softmax regression. */
export function scores(W: Param<Tensor<[3, 4]>>, b: Param<Tensor<[4]>>, X: Tensor<['batch', 3]>): Tensor<['batch', 4]> {
  return add(matmul(X, W), b);
}

/** Softmax regression: the outer loss through a helper call. */
export function softmaxLoss(W: Param<Tensor<[3, 4]>>, b: Param<Tensor<[4]>>, X: Tensor<['batch', 3]>, labels: Tensor<['batch']>): number {
  const l = softmaxCrossEntropy(scores(W, b, X), labels);
  return l;
}

function hidden(W1: Tensor<[3, 5]>, b1: Tensor<[5]>, X: Tensor<['batch', 3]>): Tensor<['batch', 5]> {
  return tanh(add(matmul(X, W1), b1));
}

/** A tanh network's two outputs. */
export function net(W1: Param<Tensor<[3, 5]>>, b1: Param<Tensor<[5]>>, W2: Param<Tensor<[5, 2]>>, X: Tensor<['batch', 3]>): Tensor<['batch', 2]> {
  return matmul(hidden(W1, b1, X), W2);
}

/** Mean squared error of the network against targets. */
export function netLoss(W1: Param<Tensor<[3, 5]>>, b1: Param<Tensor<[5]>>, W2: Param<Tensor<[5, 2]>>, X: Tensor<['batch', 3]>, T: Tensor<['batch', 2]>): number {
  return mse(net(W1, b1, W2, X), T);
}

/** A regularizer added: G = Jᵀ H_L J + the regularizer's Hessian, 0.02 I on W. */
export function regularized(W: Param<Tensor<[3, 4]>>, b: Param<Tensor<[4]>>, X: Tensor<['batch', 3]>, labels: Tensor<['batch']>): number {
  return softmaxCrossEntropy(scores(W, b, X), labels) + 0.01 * sum(mul(W, W));
}

/** A halved loss and a weight decay of the first layer, the decay written first: mse/2 + λ/2 Σ W1² (λ = 0.3). */
export function decayed(W1: Param<Tensor<[3, 5]>>, b1: Param<Tensor<[5]>>, W2: Param<Tensor<[5, 2]>>, X: Tensor<['batch', 3]>, T: Tensor<['batch', 2]>): number {
  const lambda = 0.3;
  return 0.5 * lambda * sum(square(W1)) + mse(net(W1, b1, W2, X), T) / 2;
}

/** A loss subtracted is concave in z: no Gauss-Newton product. */
export function subtracted(W: Param<Tensor<[3, 4]>>, b: Param<Tensor<[4]>>, X: Tensor<['batch', 3]>, labels: Tensor<['batch']>): number {
  return sum(mul(W, W)) - softmaxCrossEntropy(scores(W, b, X), labels);
}

/** A binary classifier: a tanh network's logits under sigmoid cross-entropy. */
export function binaryLoss(W1: Param<Tensor<[3, 5]>>, b1: Param<Tensor<[5]>>, W2: Param<Tensor<[5, 2]>>, X: Tensor<['batch', 3]>, Y: Tensor<['batch', 2]>): number {
  return sigmoidBinaryCrossEntropy(net(W1, b1, W2, X), Y);
}

/** The target depends on the parameters: L is not a function of z alone. */
export function movingTarget(W: Param<Tensor<[3, 4]>>, b: Param<Tensor<[4]>>, X: Tensor<['batch', 3]>): number {
  return mse(scores(W, b, X), mul(2, scores(W, b, X)));
}
`;

const PATH = 'test/ggn.model.ts';
const BATCH = 6;
const mod = loadModule(compileModelFile(PATH, { text: MODEL }).files[0]!.content);

type Named = (...args: Float64Array[]) => Float64Array;
interface FlatLoss {
  readonly size: number;
  readonly ggnvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
  readonly hvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
}

function randomVector(n: number, seed: number, scale = 1): Float64Array {
  const r = SeededRng.fromSeed(seed).asFunction();
  return Float64Array.from({ length: n }, () => scale * (2 * r() - 1));
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): void {
  expect(actual.length).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < actual.length; i++) if (!close(actual[i]!, expected[i]!, { rtol, atol })) bad.push(`[${i}] ${actual[i]} vs ${expected[i]}`);
  expect(bad).toEqual([]);
}

/** Columns of J = ∂z/∂θ by central differences of the generated outputs z(θ). */
function jacobianColumns(z: (theta: Float64Array) => Float64Array, theta: Float64Array): Float64Array[] {
  const h = 1e-5;
  return Array.from(theta, (_, k) => {
    const plus = Float64Array.from(theta);
    const minus = Float64Array.from(theta);
    plus[k]! += h;
    minus[k]! -= h;
    const zp = z(plus);
    const zm = z(minus);
    return zp.map((p, i) => (p - zm[i]!) / (2 * h));
  });
}

/** Jᵀ H_L J v, with H_L applied by `hl`. */
function denseGaussNewton(columns: readonly Float64Array[], hl: (u: Float64Array) => Float64Array, v: Float64Array): Float64Array {
  const jv = new Float64Array(columns[0]!.length);
  columns.forEach((col, k) => col.forEach((c, r) => (jv[r]! += c * v[k]!)));
  const h = hl(jv);
  return Float64Array.from(columns, (col) => dot(col, h));
}

describe('generated Gauss-Newton product (rule: the function returns a convex loss of its outputs)', () => {
  it('is found through helper calls and local names, and only where the rule holds', () => {
    const file = parseModelFile(PATH, { text: MODEL });
    const byName = new Map(file.functions.map((f) => [f.name, f]));
    expect(byName.get('softmaxLoss')!.gaussNewton?.op).toBe('softmaxCrossEntropy');
    expect(byName.get('netLoss')!.gaussNewton?.op).toBe('mse');
    expect(byName.get('binaryLoss')!.gaussNewton?.op).toBe('sigmoidBinaryCrossEntropy');
    expect(byName.get('regularized')!.gaussNewton?.op).toBe('softmaxCrossEntropy');
    expect(byName.get('regularized')!.gaussNewton?.rest).toBeDefined();
    expect(byName.get('decayed')!.gaussNewton?.op).toBe('mse');
    expect(byName.get('softmaxLoss')!.gaussNewton?.rest).toBeUndefined();
    expect(byName.get('subtracted')!.gaussNewton).toBeUndefined();
    expect(byName.get('movingTarget')!.gaussNewton).toBeUndefined();
    for (const name of ['softmaxLossGgnvp', 'netLossGgnvp', 'regularizedGgnvp', 'decayedGgnvp', 'binaryLossGgnvp']) expect(typeof mod[name]).toBe('function');
    for (const name of ['subtractedGgnvp', 'movingTargetGgnvp', 'netGgnvp']) expect(mod[name]).toBeUndefined();
    const flat = exported<(...a: Float64Array[]) => Record<string, unknown>>(mod, 'subtractedFlat')(randomVector(3 * BATCH, 1), new Float64Array(BATCH));
    expect(flat.ggnvp).toBeUndefined();
  });

  describe('softmax regression', () => {
    const X = randomVector(3 * BATCH, 2);
    const labels = Float64Array.from({ length: BATCH }, (_, i) => i % 4);
    const theta = randomVector(16, 3, 0.8);
    const named = exported<Named>(mod, 'softmaxLossGgnvp');
    const flat = exported<(X: Float64Array, labels: Float64Array) => FlatLoss>(mod, 'softmaxLossFlat')(X, labels);
    const W = theta.subarray(0, 12);
    const b = theta.subarray(12);

    /** F = (1/B) Σᵢ (diag pᵢ − pᵢpᵢᵀ) ⊗ aᵢaᵢᵀ with aᵢ = (xᵢ, 1), in the layout order (W row-major, then b). */
    function analyticFisher(): Float64Array {
      const z = exported<Named>(mod, 'scores')(W, b, X);
      const n = 16;
      const F = new Float64Array(n * n);
      const index = (feature: number, c: number) => (feature < 3 ? feature * 4 + c : 12 + c);
      for (let i = 0; i < BATCH; i++) {
        const row = z.subarray(4 * i, 4 * i + 4);
        const m = Math.max(...row);
        const e = row.map((s) => Math.exp(s - m));
        const total = e.reduce((s, t) => s + t, 0);
        const p = e.map((t) => t / total);
        const a = [X[3 * i]!, X[3 * i + 1]!, X[3 * i + 2]!, 1];
        for (let f = 0; f < 4; f++) for (let c = 0; c < 4; c++) for (let g = 0; g < 4; g++) for (let d = 0; d < 4; d++) {
          const h = (c === d ? p[c]! : 0) - p[c]! * p[d]!;
          F[index(f, c) * n + index(g, d)]! += (h * a[f]! * a[g]!) / BATCH;
        }
      }
      return F;
    }

    it('equals the analytic Fisher matrix times v, named and flat', () => {
      const F = analyticFisher();
      for (const seed of [4, 5, 6]) {
        const v = randomVector(16, seed);
        const expected = Float64Array.from({ length: 16 }, (_, r) => dot(F.subarray(16 * r, 16 * r + 16), v));
        const out = named(W, b, X, labels, v);
        expectClose(out, expected, 1e-10, 1e-12);
        const flatOut = new Float64Array(16);
        flat.ggnvp(theta, v, flatOut);
        expect(Array.from(flatOut)).toEqual(Array.from(out));
      }
    });

    it('equals the Hessian for this model linear in θ', () => {
      const v = randomVector(16, 7);
      const g = new Float64Array(16);
      const h = new Float64Array(16);
      flat.ggnvp(theta, v, g);
      flat.hvp(theta, v, h);
      expectClose(g, h, 1e-10, 1e-12);
    });
  });

  describe('a tanh network under mean squared error', () => {
    const X = randomVector(3 * BATCH, 8);
    const T = randomVector(2 * BATCH, 9);
    const size = 15 + 5 + 10;
    const theta = randomVector(size, 10, 0.9);
    const split = (x: Float64Array) => [x.subarray(0, 15), x.subarray(15, 20), x.subarray(20)];
    const net = exported<Named>(mod, 'net');
    const named = exported<Named>(mod, 'netLossGgnvp');
    const flat = exported<(X: Float64Array, T: Float64Array) => FlatLoss>(mod, 'netLossFlat')(X, T);
    const columns = jacobianColumns((x) => Float64Array.from(net(...split(x), X)), theta);
    // mse = mean of squares over the 2·BATCH outputs: H_L = (2 / (2·BATCH)) I.
    const hl = (u: Float64Array) => u.map((x) => (2 / (2 * BATCH)) * x);

    it('equals Jᵀ H_L J v with J by central differences; flat equals named', () => {
      for (const seed of [11, 12, 13]) {
        const v = randomVector(size, seed);
        const out = named(...split(theta), X, T, v);
        expectClose(out, denseGaussNewton(columns, hl, v), 1e-6, 1e-9);
        const flatOut = new Float64Array(size);
        flat.ggnvp(theta, v, flatOut);
        expect(Array.from(flatOut)).toEqual(Array.from(out));
      }
    });

    it('is symmetric and positive semi-definite where the Hessian is not', () => {
      let indefinite = false;
      const u = randomVector(size, 20);
      const gu = new Float64Array(size);
      flat.ggnvp(theta, u, gu);
      for (let seed = 21; seed < 61; seed++) {
        const v = randomVector(size, seed);
        const gv = new Float64Array(size);
        flat.ggnvp(theta, v, gv);
        expect(dot(v, gv)).toBeGreaterThanOrEqual(0);
        expect(close(dot(u, gv), dot(v, gu), { rtol: 1e-10, atol: 1e-12 })).toBe(true);
        const hv = new Float64Array(size);
        flat.hvp(theta, v, hv);
        if (dot(v, hv) < 0) indefinite = true;
      }
      // The tanh layer's own curvature (and the residuals) make the Hessian indefinite somewhere; G never is.
      expect(indefinite).toBe(true);
    });
  });

  describe('a loss plus a regularizer: Jᵀ H_L J of the loss plus the exact Hessian of the rest', () => {
    it('softmax regression + 0.01 ΣW²: the Fisher matrix plus 0.02 on W', () => {
      const X = randomVector(3 * BATCH, 30);
      const labels = Float64Array.from({ length: BATCH }, (_, i) => (i * 3) % 4);
      const theta = randomVector(16, 31, 0.8);
      const [W, b] = [theta.subarray(0, 12), theta.subarray(12)];
      const columns = jacobianColumns((x) => Float64Array.from(exported<Named>(mod, 'scores')(x.subarray(0, 12), x.subarray(12), X)), theta);
      const z = exported<Named>(mod, 'scores')(W, b, X);
      // H_L of the mean cross-entropy: blocks (diag p − p pᵀ) / B per example.
      const hl = (u: Float64Array) => {
        const out = new Float64Array(u.length);
        for (let i = 0; i < BATCH; i++) {
          const row = z.subarray(4 * i, 4 * i + 4);
          const m = Math.max(...row);
          const e = row.map((s) => Math.exp(s - m));
          const p = e.map((t) => t / e.reduce((s, q) => s + q, 0));
          const pu = dot(p, u.subarray(4 * i, 4 * i + 4));
          for (let c = 0; c < 4; c++) out[4 * i + c] = (p[c]! * u[4 * i + c]! - p[c]! * pu) / BATCH;
        }
        return out;
      };
      const named = exported<Named>(mod, 'regularizedGgnvp');
      const flat = exported<(X: Float64Array, labels: Float64Array) => FlatLoss>(mod, 'regularizedFlat')(X, labels);
      for (const seed of [32, 33]) {
        const v = randomVector(16, seed);
        const expected = denseGaussNewton(columns, hl, v).map((g, k) => g + (k < 12 ? 0.02 * v[k]! : 0));
        const out = named(W, b, X, labels, v);
        expectClose(out, expected, 1e-6, 1e-9);
        const flatOut = new Float64Array(16);
        flat.ggnvp(theta, v, flatOut);
        expect(Array.from(flatOut)).toEqual(Array.from(out));
        // The model is linear in θ, so G is the whole Hessian here.
        const hv = new Float64Array(16);
        flat.hvp(theta, v, hv);
        expectClose(flatOut, hv, 1e-10, 1e-12);
      }
    });

    it('0.5·mse of a tanh network + 0.15 ΣW1², terms in either order: ½Jᵀ H_L J + 0.3 on W1, positive definite', () => {
      const X = randomVector(3 * BATCH, 40);
      const T = randomVector(2 * BATCH, 41);
      const size = 30;
      const theta = randomVector(size, 42, 0.9);
      const split = (x: Float64Array) => [x.subarray(0, 15), x.subarray(15, 20), x.subarray(20)];
      const columns = jacobianColumns((x) => Float64Array.from(exported<Named>(mod, 'net')(...split(x), X)), theta);
      const hl = (u: Float64Array) => u.map((x) => (0.5 * 2 * x) / (2 * BATCH));
      const named = exported<Named>(mod, 'decayedGgnvp');
      for (const seed of [43, 44]) {
        const v = randomVector(size, seed);
        const expected = denseGaussNewton(columns, hl, v).map((g, k) => g + (k < 15 ? 0.3 * v[k]! : 0));
        const out = named(...split(theta), X, T, v);
        expectClose(out, expected, 1e-6, 1e-9);
        expect(dot(v, out)).toBeGreaterThan(0);
      }
    });
  });

  describe('sigmoid binary cross-entropy', () => {
    const X = randomVector(3 * BATCH, 50);
    const Y = Float64Array.from({ length: 2 * BATCH }, (_, i) => (i % 3 === 0 ? 1 : 0));
    const size = 30;
    const theta = randomVector(size, 51, 0.9);
    const split = (x: Float64Array) => [x.subarray(0, 15), x.subarray(15, 20), x.subarray(20)];
    const net = exported<Named>(mod, 'net');
    const sigma = (t: number) => 1 / (1 + Math.exp(-t));

    it('is softplus(z) − y·z averaged, stable at large logits', () => {
      const value = exported<(...a: Float64Array[]) => number>(mod, 'binaryLoss');
      const z = net(...split(theta), X);
      const expected = z.reduce((s, t, i) => s - Y[i]! * Math.log(sigma(t)) - (1 - Y[i]!) * Math.log(1 - sigma(t)), 0) / z.length;
      expect(close(value(...split(theta), X, Y), expected, { rtol: 1e-12, atol: 1e-14 })).toBe(true);
      const huge = split(theta.map((t) => 400 * t));
      expect(Number.isFinite(value(...huge, X, Y))).toBe(true);
    });

    it('its Gauss-Newton product equals Jᵀ H_L J v with H_L = diag σ(z)σ(−z) / count, and is positive semi-definite', () => {
      const z = net(...split(theta), X);
      const columns = jacobianColumns((x) => Float64Array.from(net(...split(x), X)), theta);
      const hl = (u: Float64Array) => u.map((x, i) => (sigma(z[i]!) * sigma(-z[i]!) * x) / z.length);
      const named = exported<Named>(mod, 'binaryLossGgnvp');
      for (const seed of [52, 53, 54]) {
        const v = randomVector(size, seed);
        const out = named(...split(theta), X, Y, v);
        expectClose(out, denseGaussNewton(columns, hl, v), 1e-6, 1e-9);
        expect(dot(v, out)).toBeGreaterThanOrEqual(0);
      }
    });
  });
});
