// Softmax regression written out by hand: the loss, its gradient, the
// Fisher-vector product and the dense Fisher from its definition, so the natural
// gradient and Krylov subspace descent are checked against nothing of their own making.
//
// θ is W (k × d, row-major); a constant feature 1 in each xᵢ plays the bias.
//   zᵢ = W xᵢ,  pᵢ = softmax(zᵢ),  f(θ) = −(1/n) Σᵢ log pᵢ[yᵢ]
//   ∇f = (1/n) Σᵢ (pᵢ − e_yᵢ) xᵢᵀ
//   F v = (1/n) Σᵢ [(diag pᵢ − pᵢpᵢᵀ)(V xᵢ)] xᵢᵀ          (V: v as a k × d matrix)
import { type Objective, SeededRng } from '../../runtime/index.ts';

export interface SoftmaxProblem {
  readonly n: number;
  readonly d: number;
  readonly k: number;
  /** n × d, row-major; the last column is 1. */
  readonly x: Float64Array;
  readonly y: Int32Array;
}

/** A seeded problem: d − 1 normal features plus the constant 1, labels drawn from a softmax model. */
export function softmaxProblem(n: number, d: number, k: number, seed: number): SoftmaxProblem {
  const rng = SeededRng.fromSeed(seed);
  const normal = () => rng.normal();
  const truth = Float64Array.from({ length: k * d }, normal);
  const x = new Float64Array(n * d);
  const y = new Int32Array(n);
  const z = new Float64Array(k);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d - 1; j++) x[i * d + j] = normal();
    x[i * d + d - 1] = 1;
    // y ∼ softmax(truth · xᵢ): sampled labels keep the classes overlapping, so the fit is finite.
    probabilities({ n, d, k, x, y }, truth, i, z);
    let u = rng.float();
    let c = 0;
    while (c < k - 1 && (u -= z[c]!) >= 0) c++;
    y[i] = c;
  }
  return { n, d, k, x, y };
}

function logits(w: Float64Array, x: Float64Array, i: number, d: number, k: number, z: Float64Array): void {
  for (let c = 0; c < k; c++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += w[c * d + j]! * x[i * d + j]!;
    z[c] = s;
  }
}

/** pᵢ = softmax(W xᵢ) written into p (length k). */
export function probabilities(prob: SoftmaxProblem, w: Float64Array, i: number, p: Float64Array): void {
  logits(w, prob.x, i, prob.d, prob.k, p);
  let m = -Infinity;
  for (let c = 0; c < prob.k; c++) m = Math.max(m, p[c]!);
  let s = 0;
  for (let c = 0; c < prob.k; c++) s += p[c] = Math.exp(p[c]! - m);
  for (let c = 0; c < prob.k; c++) p[c]! /= s;
}

/** All predicted probabilities, n × k. */
export function allProbabilities(prob: SoftmaxProblem, w: Float64Array): Float64Array {
  const out = new Float64Array(prob.n * prob.k);
  for (let i = 0; i < prob.n; i++) probabilities(prob, w, i, out.subarray(i * prob.k, (i + 1) * prob.k));
  return out;
}

export function softmaxObjective(prob: SoftmaxProblem): Objective {
  const { n, d, k, x, y } = prob;
  const p = new Float64Array(k);
  return (w, g) => {
    g.fill(0);
    let f = 0;
    for (let i = 0; i < n; i++) {
      probabilities(prob, w, i, p);
      f -= Math.log(p[y[i]!]!);
      p[y[i]!]! -= 1;
      for (let c = 0; c < k; c++) for (let j = 0; j < d; j++) g[c * d + j]! += (p[c]! * x[i * d + j]!) / n;
    }
    return f / n;
  };
}

/** out ← F(w) v, never forming F. */
export function softmaxFisherProduct(prob: SoftmaxProblem): (w: Float64Array, v: Float64Array, out: Float64Array) => void {
  const { n, d, k, x } = prob;
  const p = new Float64Array(k);
  const u = new Float64Array(k);
  return (w, v, out) => {
    out.fill(0);
    for (let i = 0; i < n; i++) {
      probabilities(prob, w, i, p);
      logits(v, x, i, d, k, u); // u = V xᵢ
      let pu = 0;
      for (let c = 0; c < k; c++) pu += p[c]! * u[c]!;
      for (let c = 0; c < k; c++) {
        const s = p[c]! * (u[c]! - pu); // ((diag p − ppᵀ) u)_c
        for (let j = 0; j < d; j++) out[c * d + j]! += (s * x[i * d + j]!) / n;
      }
    }
  };
}

/**
 * The Fisher matrix from its definition, F = (1/n) Σᵢ E_{c∼pᵢ}[∇log pᵢ[c] ∇log pᵢ[c]ᵀ],
 * with ∇_W log pᵢ[c] = (e_c − pᵢ) xᵢᵀ; dense, row-major.
 */
export function denseFisher(prob: SoftmaxProblem, w: Float64Array): Float64Array {
  const { n, d, k, x } = prob;
  const m = k * d;
  const fisher = new Float64Array(m * m);
  const p = new Float64Array(k);
  const score = new Float64Array(m);
  for (let i = 0; i < n; i++) {
    probabilities(prob, w, i, p);
    for (let c = 0; c < k; c++) {
      for (let a = 0; a < k; a++) for (let j = 0; j < d; j++) score[a * d + j] = ((a === c ? 1 : 0) - p[a]!) * x[i * d + j]!;
      for (let r = 0; r < m; r++) for (let s = 0; s < m; s++) fisher[r * m + s]! += (p[c]! * score[r]! * score[s]!) / n;
    }
  }
  return fisher;
}
