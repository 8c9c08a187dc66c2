// The compiled generalized Gauss–Newton product (compileCurvature) as the natural
// gradient's Fisher-vector product: for softmax regression it equals F v with F
// formed densely from the Fisher's definition (naturalGradientSoftmax.ts, written
// by hand), and the natural gradient driven by the compiled kernels alone — no
// glue — takes the same steps as the one driven by the hand-written product. For
// an MLP (not linear in θ) the GGN still equals the Fisher of the model's
// predictive distribution, formed from the compiled Jacobian.
import { describe, expect, it } from 'vitest';
import { add, compileCurvature, input, matmul, relu, softmaxCrossEntropy, type Node } from '../../compiler/index.ts';
import { tensor } from '../../compiler/ir/tensor.ts';
import { minimizeNaturalGradient, SeededRng } from '../../runtime/index.ts';
import { maxAbsDiff } from './minimize/problems.ts';
import { denseFisher, softmaxFisherProduct, softmaxObjective, softmaxProblem, type SoftmaxProblem } from './naturalGradientSoftmax.ts';

const prob = softmaxProblem(30, 4, 3, 21); // features 0..2 and the constant 1 (column 3)
const features = prob.d - 1;
const m = prob.k * prob.d;

/** X without the constant column, and the labels, as the compiled model's data. */
function modelData(p: SoftmaxProblem) {
  const x = Float64Array.from({ length: p.n * features }, (_, idx) => p.x[Math.floor(idx / features) * p.d + (idx % features)]!);
  return { X: tensor([p.n, features], x), y: tensor([p.n], Float64Array.from(p.y)) };
}

// z = X W + b with W [features, classes], b [classes]: the flat layout is W row-major, then b.
const X = input('X', ['batch', features]);
const y = input('y', ['batch']);
const W = input('W', [features, prob.k]);
const b = input('b', [prob.k]);
const regression = compileCurvature({ inputs: [W, b, X, y], wrt: [W, b], outputs: add(matmul(X, W), b), loss: (z: Node) => softmaxCrossEntropy(z, y) }).bind(modelData(prob));

/** compiled index → hand index: W[j, c] is the hand model's W'[c, j], b[c] its W'[c, d − 1]. */
const toHand = Int32Array.from({ length: m }, (_, i) => (i < features * prob.k ? (i % prob.k) * prob.d + Math.floor(i / prob.k) : (i - features * prob.k) * prob.d + features));
const fromCompiled = (v: Float64Array) => {
  const out = new Float64Array(m);
  toHand.forEach((h, i) => (out[h] = v[i]!));
  return out;
};
const rand = SeededRng.fromSeed(77).asFunction();
const randomVector = (len: number, scale = 1) => Float64Array.from({ length: len }, () => scale * (2 * rand() - 1));

describe('compiled Gauss–Newton product as the Fisher-vector product', () => {
  it('softmax regression: G v equals F v with F formed densely from its definition', () => {
    const theta = randomVector(m, 0.5);
    const fisher = denseFisher(prob, fromCompiled(theta));
    const out = new Float64Array(m);
    for (let trial = 0; trial < 4; trial++) {
      const v = randomVector(m);
      regression.gaussNewtonVectorProduct(theta, v, out);
      const vHand = fromCompiled(v);
      const expected = Float64Array.from({ length: m }, (_, r) => fisher.subarray(r * m, (r + 1) * m).reduce((s, f, c) => s + f * vHand[c]!, 0));
      expect(maxAbsDiff(fromCompiled(out), expected)).toBeLessThan(1e-13);
    }
  });

  it('natural gradient on the compiled kernels alone takes the same steps as on the hand-written ones', () => {
    const options = { gradTol: 1e-10, damping: 1e-3, cgTol: 1e-12, cgMaxIter: 100 };
    const compiled = minimizeNaturalGradient(regression.valueAndGradient, regression.gaussNewtonVectorProduct, new Float64Array(m), options);
    const byHand = minimizeNaturalGradient(softmaxObjective(prob), softmaxFisherProduct(prob), new Float64Array(m), options);
    expect(compiled.status, compiled.reason).toBe('gradient-tolerance');
    expect(compiled.iterations).toBe(byHand.iterations);
    expect(compiled.f).toBeCloseTo(byHand.f, 13);
    expect(maxAbsDiff(fromCompiled(compiled.x), byHand.x)).toBeLessThan(1e-8);
  });

  it('an MLP: G v equals F v with F = (1/n) Σᵢ E_{c∼pᵢ}[sᵢc sᵢcᵀ], sᵢc = Jᵢᵀ(e_c − pᵢ) from the compiled Jacobian', () => {
    const hidden = 4;
    const W1 = input('W1', [features, hidden]);
    const b1 = input('b1', [hidden]);
    const W2 = input('W2', [hidden, prob.k]);
    const b2 = input('b2', [prob.k]);
    const z = add(matmul(relu(add(matmul(X, W1), b1)), W2), b2);
    const net = compileCurvature({ inputs: [W1, b1, W2, b2, X, y], wrt: [W1, b1, W2, b2], outputs: z, loss: (s: Node) => softmaxCrossEntropy(s, y) }).bind(modelData(prob));
    const n = net.size;
    const theta = randomVector(n, 0.8);
    const jac = new Float64Array(net.outputSize * n);
    net.jacobian(theta, jac);
    const logits = new Float64Array(net.outputSize);
    net.outputs(theta, logits);
    const fisher = new Float64Array(n * n);
    const p = new Float64Array(prob.k);
    const score = new Float64Array(n);
    for (let i = 0; i < prob.n; i++) {
      softmaxOf(logits.subarray(i * prob.k, (i + 1) * prob.k), p);
      for (let c = 0; c < prob.k; c++) {
        score.fill(0);
        for (let a = 0; a < prob.k; a++) {
          const w = (a === c ? 1 : 0) - p[a]!;
          for (let j = 0; j < n; j++) score[j]! += w * jac[(i * prob.k + a) * n + j]!;
        }
        for (let r = 0; r < n; r++) for (let s = 0; s < n; s++) fisher[r * n + s]! += (p[c]! * score[r]! * score[s]!) / prob.n;
      }
    }
    const out = new Float64Array(n);
    for (let trial = 0; trial < 3; trial++) {
      const v = randomVector(n);
      net.gaussNewtonVectorProduct(theta, v, out);
      const expected = Float64Array.from({ length: n }, (_, r) => fisher.subarray(r * n, (r + 1) * n).reduce((s, f, col) => s + f * v[col]!, 0));
      expect(maxAbsDiff(out, expected)).toBeLessThan(1e-12);
    }
  });
});

/** p ← softmax(z). */
function softmaxOf(z: Float64Array, p: Float64Array): void {
  const top = Math.max(...z);
  let total = 0;
  z.forEach((v, c) => (total += p[c] = Math.exp(v - top)));
  p.forEach((v, c) => (p[c] = v / total));
}
