// The benchmark's baseline is the yardstick every peer is checked against, so
// it is itself checked here: its loss against a plain forward pass, its
// gradient against central finite differences, and its blocked kernels against
// naive triple loops on sizes that are not multiples of the blocks.

import { describe, expect, it } from 'vitest';
import { makeBaselineStep } from './baseline.ts';
import { matmulAddBias, matmulNT, matmulTN } from './matmul.ts';
import { makeProblem, makeRng, paramLayout } from './mlp.ts';
import type { MlpConfig } from './mlp.ts';

const TINY: MlpConfig = { name: 'tiny', inputs: 5, hidden: 4, classes: 3, batch: 3 };
// Crosses the 4×8 and 4×4 block edges in every product: 5 = 4 + 1 rows,
// 9 = 8 + 1 hidden units, 10 = 8 + 2 classes.
const EDGES: MlpConfig = { name: 'edges', inputs: 6, hidden: 9, classes: 10, batch: 5 };

/** The loss written as plainly as possible, straight from the definition. */
function naiveLoss(c: MlpConfig, params: Float64Array, X: Float64Array, labels: Float64Array) {
  const L = paramLayout(c);
  let total = 0;
  for (let r = 0; r < c.batch; r++) {
    const h: number[] = [];
    for (let j = 0; j < c.hidden; j++) {
      let s = params[L.b1 + j];
      for (let p = 0; p < c.inputs; p++) s += X[r * c.inputs + p] * params[L.w1 + p * c.hidden + j];
      h.push(Math.max(s, 0));
    }
    const z: number[] = [];
    for (let j = 0; j < c.classes; j++) {
      let s = params[L.b2 + j];
      for (let p = 0; p < c.hidden; p++) s += h[p] * params[L.w2 + p * c.classes + j];
      z.push(s);
    }
    const logSumExp = Math.log(z.reduce((acc, v) => acc + Math.exp(v), 0));
    total += logSumExp - z[labels[r]];
  }
  return total / c.batch;
}

describe.each([TINY, EDGES])('baseline MLP step ($name)', (c) => {
  const { params, X, labels } = makeProblem(c, 1234);
  const step = makeBaselineStep(c);
  const grad = new Float64Array(params.length);
  const loss = step(params, X, labels, grad);

  it('computes the loss of a plain forward pass', () => {
    expect(Math.abs(loss - naiveLoss(c, params, X, labels))).toBeLessThan(1e-13);
  });

  it('matches central finite differences in every parameter', () => {
    const h = 1e-6;
    const p = Float64Array.from(params);
    const scratch = new Float64Array(params.length);
    let worst = 0;
    for (let i = 0; i < p.length; i++) {
      p[i] = params[i] + h;
      const up = step(p, X, labels, scratch);
      p[i] = params[i] - h;
      const down = step(p, X, labels, scratch);
      p[i] = params[i];
      worst = Math.max(worst, Math.abs((up - down) / (2 * h) - grad[i]));
    }
    // Truncation O(h²) ≈ 1e-12 plus rounding ≈ ε·loss/h ≈ 1e-10.
    expect(worst).toBeLessThan(1e-7);
  });

  it('overwrites gradOut rather than adding to it', () => {
    const dirty = new Float64Array(params.length).fill(7);
    step(params, X, labels, dirty);
    expect(Array.from(dirty)).toEqual(Array.from(grad));
  });
});

describe('blocked kernels against naive loops', () => {
  const rng = makeRng(99);
  const random = (n: number) => Float64Array.from({ length: n }, () => 2 * rng() - 1);
  const sizes: ReadonlyArray<readonly [number, number, number]> = [
    [1, 1, 1], [4, 3, 8], [8, 5, 16], [9, 7, 19], [6, 10, 5], [13, 2, 4],
  ];

  it.each(sizes)('m=%i k=%i n=%i', (m, k, n) => {
    const A = random(m * k), B = random(k * n), bias = random(n);
    const At = random(k * m), Bt = random(n * k);
    const nn = new Float64Array(m * n), tn = new Float64Array(m * n), nt = new Float64Array(m * n);
    matmulAddBias(A, B, bias, nn, m, k, n);
    matmulTN(At, B, tn, m, k, n);
    matmulNT(A, Bt, nt, m, k, n);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sNN = bias[j], sTN = 0, sNT = 0;
        for (let p = 0; p < k; p++) {
          sNN += A[i * k + p] * B[p * n + j];
          sTN += At[p * m + i] * B[p * n + j];
          sNT += A[i * k + p] * Bt[j * k + p];
        }
        expect(Math.abs(nn[i * n + j] - sNN)).toBeLessThan(1e-13);
        expect(Math.abs(tn[i * n + j] - sTN)).toBeLessThan(1e-13);
        expect(Math.abs(nt[i * n + j] - sNT)).toBeLessThan(1e-13);
      }
    }
  });
});
