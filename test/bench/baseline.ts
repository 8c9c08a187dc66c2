// The yardstick: a careful hand-written training step in plain TypeScript over
// Float64Array. Every other peer is checked against it and timed as a ratio to
// it, so its gradient is itself checked against finite differences
// (baseline.test.ts).

import { matmulAddBias, matmulNT, matmulTN } from './matmul.ts';
import { paramLayout } from './mlp.ts';
import type { MlpConfig, StepFn } from './mlp.ts';

/** Builds a step for one config; its workspace is allocated here, once. */
export function makeBaselineStep(c: MlpConfig): StepFn {
  const { inputs, hidden, classes, batch } = c;
  const L = paramLayout(c);
  // Z1, later overwritten by dZ1 once Z1's sign is all the backward pass needs.
  const z1 = new Float64Array(batch * hidden);
  // H1, later overwritten by dH1 once dW2 (its last reader) is done.
  const h1 = new Float64Array(batch * hidden);
  // Logits Z2, overwritten by dZ2.
  const z2 = new Float64Array(batch * classes);

  return (params, X, labels, gradOut) => {
    checkSizes(c, L.size, params, X, labels, gradOut);
    const w1 = params.subarray(L.w1, L.b1), b1 = params.subarray(L.b1, L.w2);
    const w2 = params.subarray(L.w2, L.b2), b2 = params.subarray(L.b2, L.size);
    const gw1 = gradOut.subarray(L.w1, L.b1), gb1 = gradOut.subarray(L.b1, L.w2);
    const gw2 = gradOut.subarray(L.w2, L.b2), gb2 = gradOut.subarray(L.b2, L.size);

    matmulAddBias(X, w1, b1, z1, batch, inputs, hidden);
    relu(z1, h1);
    matmulAddBias(h1, w2, b2, z2, batch, hidden, classes);
    const loss = softmaxCrossEntropyGrad(z2, labels, batch, classes);

    matmulTN(h1, z2, gw2, hidden, batch, classes); // dW2 = H1ᵀ·dZ2
    sumRows(z2, gb2, batch, classes); //               db2 = 1ᵀ·dZ2
    matmulNT(z2, w2, h1, batch, classes, hidden); //   dH1 = dZ2·W2ᵀ
    reluGrad(z1, h1); //                               dZ1 = dH1 ⊙ [Z1 > 0]
    matmulTN(X, z1, gw1, inputs, batch, hidden); //    dW1 = Xᵀ·dZ1
    sumRows(z1, gb1, batch, hidden); //                db1 = 1ᵀ·dZ1
    return loss;
  };
}

function checkSizes(
  c: MlpConfig, size: number,
  params: Float64Array, X: Float64Array, labels: Float64Array, gradOut: Float64Array,
): void {
  if (params.length !== size || gradOut.length !== size) {
    throw new RangeError(`params and gradOut must have ${size} entries for ${c.name}.`);
  }
  if (X.length !== c.batch * c.inputs || labels.length !== c.batch) {
    throw new RangeError(`X must be [${c.batch}, ${c.inputs}] and labels [${c.batch}].`);
  }
}

function relu(z: Float64Array, h: Float64Array): void {
  for (let i = 0; i < z.length; i++) h[i] = z[i] > 0 ? z[i] : 0;
}

/** In place: dZ = dH where Z > 0, else 0 (relu'(0) = 0, as in PyTorch). */
function reluGrad(zToGrad: Float64Array, dh: Float64Array): void {
  for (let i = 0; i < zToGrad.length; i++) zToGrad[i] = zToGrad[i] > 0 ? dh[i] : 0;
}

/** out[j] = Σ_r m[r, j] */
function sumRows(m: Float64Array, out: Float64Array, rows: number, cols: number): void {
  out.fill(0);
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    for (let j = 0; j < cols; j++) out[j] += m[o + j];
  }
}

/**
 * Mean softmax cross-entropy of logits z [rows × cols] against integer labels.
 * Overwrites z with ∂loss/∂z = (softmax(z) − onehot(label)) / rows.
 * −log softmax(z)[y] = log Σ exp(z − max) − (z[y] − max): shifting by the row
 * maximum keeps exp from overflowing.
 */
function softmaxCrossEntropyGrad(
  z: Float64Array, labels: Float64Array, rows: number, cols: number,
): number {
  const inv = 1 / rows;
  let total = 0;
  for (let r = 0, o = 0; r < rows; r++, o += cols) {
    const y = labels[r];
    if (!(Number.isInteger(y) && y >= 0 && y < cols)) {
      throw new RangeError(`labels[${r}] = ${y} is not a class id in 0..${cols - 1}.`);
    }
    let max = -Infinity;
    for (let j = 0; j < cols; j++) if (z[o + j] > max) max = z[o + j];
    const zy = z[o + y];
    let sum = 0;
    for (let j = 0; j < cols; j++) {
      const e = Math.exp(z[o + j] - max);
      z[o + j] = e;
      sum += e;
    }
    total += Math.log(sum) - (zy - max);
    const scale = inv / sum;
    for (let j = 0; j < cols; j++) z[o + j] *= scale;
    z[o + y] -= inv;
  }
  return total * inv;
}
