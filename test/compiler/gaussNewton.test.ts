/**
 * The generalized Gauss-Newton product G·v = Jᵀ H_L J v: compiled kernel and
 * reference evaluation of its IR against the matrices formed densely (J by
 * central differences of the model outputs, H_L by central differences of
 * the loss gradient in z), against the analytical Fisher matrix of softmax
 * regression and its definition as an expectation, and its structure
 * (symmetric, positive semi-definite, equal to the Hessian for a model linear
 * in θ).
 */
import { describe, expect, it } from 'vitest';
import { gradient } from '../../compiler/autodiff/reverse.ts';
import { compileCurvature } from '../../compiler/api/compileCurvature.ts';
import type { BoundCurvature, CompiledCurvature } from '../../compiler/api/compileCurvature.ts';
import { input } from '../../compiler/ir/build.ts';
import { evaluateTensors } from '../../compiler/ir/evaluate.ts';
import type { Tensor } from '../../compiler/ir/tensor.ts';
import { tensor } from '../../compiler/ir/tensor.ts';
import { close } from './gradcheck.ts';
import {
  CLASSES, FEATURES, centralDifference, dotProduct, mlp, parameterCount, randomData, randomVector, rnn, rnnData, softmaxRegression, unflatten,
} from './curvatureModels.ts';
import type { Model } from './curvatureModels.ts';
import { countFloat64Arrays } from '../allocations.ts';

const BATCH = 4;

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): void {
  expect(actual.length).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < actual.length; i++) {
    if (!close(actual[i]!, expected[i]!, { rtol, atol })) bad.push(`[${i}] ${actual[i]} vs ${expected[i]}`);
  }
  expect(bad).toEqual([]);
}

/** Model outputs z(θ) by the reference evaluator, flattened. */
function outputsAt(model: Model, data: Record<string, Tensor>) {
  return (theta: Float64Array): Float64Array =>
    Float64Array.from(evaluateTensors([model.def.outputs], { ...data, ...unflatten(model.params, theta) }).get(model.def.outputs)!.data);
}

/** ∇_z L at z by the reference evaluator, flattened. */
function lossGradientInZ(model: Model, data: Record<string, Tensor>, batch: number) {
  const z = input('zFree', model.def.outputs.shape);
  const [g] = gradient(model.def.loss(z), [z]);
  return (zValue: Float64Array): Float64Array =>
    Float64Array.from(evaluateTensors([g!], { ...data, zFree: tensor([batch, CLASSES], zValue) }).get(g!)!.data);
}

/** Jᵀ H_L J v with J and H_L formed densely by central differences. */
function denseGaussNewton(model: Model, data: Record<string, Tensor>, theta: Float64Array, v: Float64Array): Float64Array {
  const n = theta.length;
  const zOf = outputsAt(model, data);
  const columns = Array.from({ length: n }, (_, k) => centralDifference(zOf, theta, k));
  const m = columns[0]!.length;
  const gOf = lossGradientInZ(model, data, BATCH);
  const z0 = zOf(theta);
  const hColumns = Array.from({ length: m }, (_, k) => centralDifference(gOf, z0, k));
  const jv = new Float64Array(m);
  columns.forEach((col, k) => col.forEach((c, r) => (jv[r]! += c * v[k]!)));
  const hjv = new Float64Array(m);
  hColumns.forEach((col, k) => col.forEach((h, r) => (hjv[r]! += h * jv[k]!)));
  return Float64Array.from(columns, (col) => dotProduct(col, hjv));
}

function setup(model: Model, seed: number) {
  const compiled = compileCurvature(model.def);
  const data = randomData(model, BATCH, seed);
  const bound = compiled.bind(data);
  const theta = randomVector(compiled.size, seed + 1, 0.8);
  return { compiled, data, bound, theta };
}

/** G·v by the reference evaluation of the Gauss-Newton IR (before compilation). */
function referenceGaussNewton(c: CompiledCurvature, model: Model, data: Record<string, Tensor>, theta: Float64Array, v: Float64Array): Float64Array {
  const tangents = unflatten(c.derivatives.tangents.map((t, i) => ({ ...t, shape: model.params[i]!.shape })), v);
  const values = evaluateTensors(c.gaussNewton, { ...data, ...unflatten(model.params, theta), ...tangents });
  return Float64Array.from(c.gaussNewton.flatMap((g) => Array.from(values.get(g)!.data)));
}

describe('Gauss-Newton product against Jᵀ H_L J formed densely', () => {
  const cases: { what: string; model: Model }[] = [
    { what: 'tanh MLP, softmax cross-entropy', model: mlp('tanh') },
    { what: 'relu MLP, softmax cross-entropy', model: mlp('relu') },
    { what: 'tanh MLP, mean squared error', model: mlp('tanh', 5, 'mse') },
  ];
  for (const [index, { what, model }] of cases.entries()) {
    it(what, () => {
      const { compiled, data, bound, theta } = setup(model, 10 + index);
      for (const seed of [1, 2, 3]) {
        const v = randomVector(compiled.size, 100 * seed + index);
        const dense = denseGaussNewton(model, data, theta, v);
        const out = new Float64Array(compiled.size);
        bound.gaussNewtonVectorProduct(theta, v, out);
        expectClose(out, dense, 1e-6, 1e-9);
        // Compiled code against the reference evaluation of the same IR.
        expectClose(out, referenceGaussNewton(compiled, model, data, theta, v), 1e-12, 1e-15);
      }
    });
  }
});

describe('Gauss-Newton product for softmax regression is the Fisher matrix', () => {
  const model = softmaxRegression();
  const { compiled, data, bound, theta } = setup(model, 7);
  const X = data['X']!.data;
  const labels = data['y']!.data;
  const probabilities = (b: number): number[] => {
    const z = Array.from({ length: CLASSES }, (_, c) => {
      let s = theta[FEATURES * CLASSES + c]!;
      for (let f = 0; f < FEATURES; f++) s += X[b * FEATURES + f]! * theta[f * CLASSES + c]!;
      return s;
    });
    const top = Math.max(...z);
    const e = z.map((v) => Math.exp(v - top));
    const total = e.reduce((a, b) => a + b, 0);
    return e.map((v) => v / total);
  };

  it('equals F v = (1/B) Σ_b (x_b; 1) ⊗ (diag p_b − p_b p_bᵀ)(V_bᵀ x_b + v_b)', () => {
    const v = randomVector(compiled.size, 21);
    const expected = new Float64Array(compiled.size);
    for (let b = 0; b < BATCH; b++) {
      const p = probabilities(b);
      // J v for sample b: dz_c = Σ_f x_f dW[f, c] + db_c.
      const jv = Array.from({ length: CLASSES }, (_, c) => {
        let s = v[FEATURES * CLASSES + c]!;
        for (let f = 0; f < FEATURES; f++) s += X[b * FEATURES + f]! * v[f * CLASSES + c]!;
        return s;
      });
      const pjv = dotProduct(p, jv);
      const u = p.map((pc, c) => (pc * (jv[c]! - pjv)) / BATCH);
      for (let c = 0; c < CLASSES; c++) {
        for (let f = 0; f < FEATURES; f++) expected[f * CLASSES + c]! += X[b * FEATURES + f]! * u[c]!;
        expected[FEATURES * CLASSES + c]! += u[c]!;
      }
    }
    const out = new Float64Array(compiled.size);
    bound.gaussNewtonVectorProduct(theta, v, out);
    expectClose(out, expected, 1e-12, 1e-15);
  });

  it('equals the expected outer product of per-sample gradients under the model (the Fisher by definition)', () => {
    // F = (1/B) Σ_b E_{c ~ p_b} [g_bc g_bcᵀ], g_bc the gradient of −log p_b(c).
    const v = randomVector(compiled.size, 22);
    const expected = new Float64Array(compiled.size);
    const g = new Float64Array(compiled.size);
    for (let b = 0; b < BATCH; b++) {
      const p = probabilities(b);
      const row = Array.from(X.subarray(b * FEATURES, (b + 1) * FEATURES));
      for (let c = 0; c < CLASSES; c++) {
        const single = compiled.bind({ X: [row], y: [c] });
        single.valueAndGradient(theta, g);
        const gv = dotProduct(g, v);
        g.forEach((gi, i) => (expected[i]! += (p[c]! * gi * gv) / BATCH));
      }
    }
    const out = new Float64Array(compiled.size);
    bound.gaussNewtonVectorProduct(theta, v, out);
    expectClose(out, expected, 1e-11, 1e-14);
    expect(labels.length).toBe(BATCH);
  });

  it('equals the Hessian-vector product, since the model is linear in θ', () => {
    const v = randomVector(compiled.size, 23);
    const ggn = new Float64Array(compiled.size);
    const hvp = new Float64Array(compiled.size);
    bound.gaussNewtonVectorProduct(theta, v, ggn);
    bound.hessianVectorProduct(theta, v, hvp);
    expectClose(ggn, hvp, 1e-12, 1e-15);
  });
});

describe('Gauss-Newton product structure', () => {
  const model = mlp('tanh');
  const { compiled, bound, theta } = setup(model, 31);
  const product = (b: BoundCurvature, v: Float64Array): Float64Array => {
    const out = new Float64Array(compiled.size);
    b.gaussNewtonVectorProduct(theta, v, out);
    return out;
  };

  it('is symmetric and positive semi-definite, where the Hessian of the MLP is not', () => {
    let indefinite = false;
    for (let seed = 0; seed < 12; seed++) {
      const u = randomVector(compiled.size, 200 + seed);
      const v = randomVector(compiled.size, 300 + seed);
      const uGv = dotProduct(u, product(bound, v));
      const vGu = dotProduct(v, product(bound, u));
      expect(close(uGv, vGu, { rtol: 1e-12, atol: 1e-15 })).toBe(true);
      expect(dotProduct(v, product(bound, v))).toBeGreaterThanOrEqual(0);
      const hv = new Float64Array(compiled.size);
      bound.hessianVectorProduct(theta, v, hv);
      if (dotProduct(v, hv) < 0) indefinite = true;
    }
    // The tanh layer's own curvature makes H indefinite here: G is not just H.
    expect(indefinite).toBe(true);
    expect(compiled.size).toBe(parameterCount(model.params));
  });

  it('allocates no typed arrays per call after the first', () => {
    const v = randomVector(compiled.size, 41);
    const out = new Float64Array(compiled.size);
    bound.gaussNewtonVectorProduct(theta, v, out);
    expect(countFloat64Arrays(() => {
      for (let i = 0; i < 5; i++) bound.gaussNewtonVectorProduct(theta, v, out);
    })).toBe(0);
  });
});

describe('Gauss-Newton product through a loop: the Elman RNN as a scan', () => {
  const T = 5;
  const model = rnn(T);
  const compiled = compileCurvature(model.def);
  const data = rnnData(T, 13);
  const bound = compiled.bind(data);
  const theta = randomVector(compiled.size, 14, 0.7);

  it('equals Jᵀ H_L J v with J by central differences (H_L = I for ½‖z − C‖²) and the unrolled RNN', () => {
    const zOf = outputsAt(model, data);
    const columns = Array.from({ length: compiled.size }, (_, k) => centralDifference(zOf, theta, k));
    const unrolled = compileCurvature(rnn(T, true).def).bind(data);
    for (const seed of [1, 2]) {
      const v = randomVector(compiled.size, 400 + seed);
      const jv = new Float64Array(columns[0]!.length);
      columns.forEach((col, k) => col.forEach((c, r) => (jv[r]! += c * v[k]!)));
      const dense = Float64Array.from(columns, (col) => dotProduct(col, jv));
      const out = new Float64Array(compiled.size);
      bound.gaussNewtonVectorProduct(theta, v, out);
      expectClose(out, dense, 1e-6, 1e-9);
      expectClose(out, referenceGaussNewton(compiled, model, data, theta, v), 1e-12, 1e-15);
      const fromUnrolled = new Float64Array(compiled.size);
      unrolled.gaussNewtonVectorProduct(theta, v, fromUnrolled);
      expectClose(out, fromUnrolled, 1e-12, 1e-15);
    }
  });
});
