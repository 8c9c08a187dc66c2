/**
 * Dense Jacobians and Hessians of tensor programs, and Hessian-vector
 * products: the IR builders (reference evaluation) and the compiled
 * product-by-product versions, against central differences, forward mode
 * against reverse mode, and H·v against the dense H.
 */
import { describe, expect, it } from 'vitest';
import { hessianMatrix, hessianVectorProduct } from '../../compiler/autodiff/hessian.ts';
import { gradient } from '../../compiler/autodiff/reverse.ts';
import { jacobian } from '../../compiler/autodiff/jacobian.ts';
import type { JacobianMode } from '../../compiler/autodiff/jacobian.ts';
import { compileCurvature } from '../../compiler/api/compileCurvature.ts';
import { add, input, mul } from '../../compiler/ir/build.ts';
import { matmul, reshape, sum } from '../../compiler/ir/buildTensor.ts';
import { evaluateTensors } from '../../compiler/ir/evaluate.ts';
import type { InputNode, Node } from '../../compiler/ir/node.ts';
import { logsumexp, outer, tanh } from '../../compiler/frontend/builders/nn.ts';
import type { Tensor } from '../../compiler/ir/tensor.ts';
import { close } from './gradcheck.ts';
import { centralDifference, dotProduct, mlp, randomData, randomVector, rnn, rnnData, unflatten } from './curvatureModels.ts';
import type { Model } from './curvatureModels.ts';

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol: number, atol: number): void {
  expect(actual.length).toBe(expected.length);
  const bad: string[] = [];
  for (let i = 0; i < actual.length; i++) {
    if (!close(actual[i]!, expected[i]!, { rtol, atol })) bad.push(`[${i}] ${actual[i]} vs ${expected[i]}`);
  }
  expect(bad).toEqual([]);
}

const isExactlySymmetric = (h: ArrayLike<number>, n: number): boolean => {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) if (h[i * n + j] !== h[j * n + i]) return false;
  return true;
};

/** The values of `nodes` at flat θ over `wrt`, flattened and concatenated (reference evaluator). */
function evaluateFlat(nodes: readonly Node[], wrt: readonly InputNode[], theta: Float64Array, data: Record<string, Tensor> = {}): Float64Array {
  const values = evaluateTensors(nodes, { ...data, ...unflatten(wrt, theta) });
  return Float64Array.from(nodes.flatMap((n) => Array.from(values.get(n)!.data)));
}

/** The m×n Jacobian, row-major, by central differences column by column. */
function differenceJacobian(f: (theta: Float64Array) => Float64Array, theta: Float64Array): Float64Array {
  const columns = Array.from(theta, (_, k) => centralDifference(f, theta, k));
  const m = columns[0]!.length;
  const out = new Float64Array(m * theta.length);
  columns.forEach((col, k) => col.forEach((v, r) => (out[r * theta.length + k] = v)));
  return out;
}

describe('jacobian() of a tensor program (IR, reference evaluation)', () => {
  const x = input('x', [3]);
  const W = input('W', [2, 3]);
  const theta = randomVector(9, 5);
  const cases: { what: string; outputs: Node[]; wrt: InputNode[]; mode: JacobianMode }[] = [
    {
      what: 'more inputs (9) than outputs (3): reverse mode',
      outputs: [tanh(reshape(matmul(W, reshape(x, [3, 1])), [2])), sum(mul(x, x))],
      wrt: [x, W],
      mode: 'reverse',
    },
    { what: 'fewer inputs (3) than outputs (9): forward mode', outputs: [tanh(outer(x, x))], wrt: [x], mode: 'forward' },
  ];
  for (const c of cases) {
    it(c.what, () => {
      const n = c.wrt.reduce((s, w) => s + (w.shape as number[]).reduce((a, b) => a * b, 1), 0);
      const t = theta.slice(0, n);
      const chosen = jacobian(c.outputs, c.wrt);
      expect(chosen.mode).toBe(c.mode);
      const m = chosen.matrix.shape[0] as number;
      expect(chosen.matrix.shape).toEqual([m, n]);
      expect(chosen.products).toBe(c.mode === 'forward' ? n : m);
      const J = evaluateFlat([chosen.matrix], c.wrt, t);
      expectClose(J, differenceJacobian((th) => evaluateFlat(c.outputs, c.wrt, th), t), 1e-7, 1e-9);
      // The other mode builds the same matrix from the other kind of product.
      const other = jacobian(c.outputs, c.wrt, c.mode === 'forward' ? 'reverse' : 'forward');
      expectClose(evaluateFlat([other.matrix], c.wrt, t), J, 1e-13, 1e-15);
    });
  }
});

describe('hessianMatrix() of a tensor program (IR, reference evaluation)', () => {
  it('matches central differences of the gradient, is exactly symmetric, and H·v is the HVP', () => {
    const x = input('x', [3]);
    const W = input('W', [2, 3]);
    const f = add(logsumexp(matmul(W, reshape(x, [3, 1]))), sum(mul(tanh(x), mul(x, x))));
    const wrt = [x, W];
    const theta = randomVector(9, 8);
    const H = evaluateFlat([hessianMatrix(f, wrt)], wrt, theta);
    expect(isExactlySymmetric(H, 9)).toBe(true);
    const grad = gradient(f, wrt);
    expectClose(H, differenceJacobian((th) => evaluateFlat(grad, wrt, th), theta), 1e-7, 1e-9);
    const v = randomVector(9, 9);
    const dirs = [input('xDot', [3]), input('WDot', [2, 3])];
    const hv = evaluateFlat(hessianVectorProduct(f, wrt, dirs), wrt, theta, unflatten(dirs, v));
    const Hv = Array.from({ length: 9 }, (_, i) => dotProduct(H.subarray(i * 9, i * 9 + 9), v));
    expectClose(hv, Hv, 1e-12, 1e-14);
  });
});

describe('compiled Jacobian, Hessian and HVP of the MLP', () => {
  const cases: { what: string; model: Model }[] = [
    { what: 'tanh MLP', model: mlp('tanh') },
    { what: 'relu MLP', model: mlp('relu') },
  ];
  for (const [index, { what, model }] of cases.entries()) {
    const compiled = compileCurvature(model.def);
    const n = compiled.size;
    const theta = randomVector(n, 50 + index, 0.8);

    for (const { batch, mode } of [{ batch: 2, mode: 'reverse' }, { batch: 16, mode: 'forward' }] as const) {
      it(`${what}: the Jacobian of the logits at batch ${batch} (${3 * batch} outputs, ${n} parameters) by ${mode} mode matches central differences`, () => {
        const data = randomData(model, batch, 60 + batch);
        const bound = compiled.bind(data);
        expect(bound.jacobianMode).toBe(mode);
        expect(bound.outputSize).toBe(3 * batch);
        const J = new Float64Array(bound.outputSize * n);
        bound.jacobian(theta, J);
        expectClose(J, differenceJacobian((th) => evaluateFlat([model.def.outputs], model.params, th, data), theta), 1e-7, 1e-9);
        const z = new Float64Array(bound.outputSize);
        bound.outputs(theta, z);
        expectClose(z, evaluateFlat([model.def.outputs], model.params, theta, data), 1e-12, 1e-15);
      });
    }

    it(`${what}: the dense Hessian matches central differences of the gradient, is exactly symmetric, and agrees with the HVP`, () => {
      const data = randomData(model, 5, 70 + index);
      const bound = compiled.bind(data);
      const H = new Float64Array(n * n);
      bound.hessian(theta, H);
      expect(isExactlySymmetric(H, n)).toBe(true);
      const gradAt = (th: Float64Array): Float64Array => {
        const g = new Float64Array(n);
        bound.valueAndGradient(th, g);
        return g;
      };
      expectClose(H, differenceJacobian(gradAt, theta), 1e-6, 1e-8);
      for (const seed of [1, 2]) {
        const v = randomVector(n, 80 + seed);
        const hv = new Float64Array(n);
        bound.hessianVectorProduct(theta, v, hv);
        const Hv = Array.from({ length: n }, (_, i) => dotProduct(H.subarray(i * n, (i + 1) * n), v));
        expectClose(hv, Hv, 1e-10, 1e-13);
        // H·v against the directional difference of the gradient, (∇L(θ + hv) − ∇L(θ − hv)) / 2h.
        const along = (t: number) => gradAt(theta.map((th, i) => th + t * v[i]!));
        const h = 1e-5;
        const below = along(-h);
        const fd = along(h).map((g, i) => (g - below[i]!) / (2 * h));
        expectClose(hv, fd, 1e-6, 1e-8);
      }
    });
  }
});

describe('Jacobian, Hessian and HVP through a loop: the Elman RNN as a scan', () => {
  // T = 3: 18 outputs, 27 parameters (reverse mode); T = 6: 36 outputs (forward mode).
  for (const { T, mode } of [{ T: 3, mode: 'reverse' }, { T: 6, mode: 'forward' }] as const) {
    const model = rnn(T);
    const compiled = compileCurvature(model.def);
    const n = compiled.size;
    const data = rnnData(T, 90 + T);
    const bound = compiled.bind(data);
    const theta = randomVector(n, 91 + T, 0.7);

    it(`T = ${T}: the Jacobian of the hidden states (${mode} mode) matches central differences and the unrolled RNN`, () => {
      expect(bound.jacobianMode).toBe(mode);
      const J = new Float64Array(bound.outputSize * n);
      bound.jacobian(theta, J);
      expectClose(J, differenceJacobian((th) => evaluateFlat([model.def.outputs], model.params, th, data), theta), 1e-7, 1e-9);
      const unrolled = compileCurvature(rnn(T, true).def).bind(data);
      const Ju = new Float64Array(J.length);
      unrolled.jacobian(theta, Ju);
      expectClose(J, Ju, 1e-12, 1e-14);
    });

    it(`T = ${T}: the dense Hessian matches central differences of the gradient, is exactly symmetric, and agrees with the HVP`, () => {
      const H = new Float64Array(n * n);
      bound.hessian(theta, H);
      expect(isExactlySymmetric(H, n)).toBe(true);
      const gradAt = (th: Float64Array): Float64Array => {
        const g = new Float64Array(n);
        bound.valueAndGradient(th, g);
        return g;
      };
      expectClose(H, differenceJacobian(gradAt, theta), 1e-6, 1e-8);
      const v = randomVector(n, 95 + T);
      const hv = new Float64Array(n);
      bound.hessianVectorProduct(theta, v, hv);
      expectClose(hv, Array.from({ length: n }, (_, i) => dotProduct(H.subarray(i * n, (i + 1) * n), v)), 1e-10, 1e-13);
      const h = 1e-5;
      const above = gradAt(theta.map((th, i) => th + h * v[i]!));
      const below = gradAt(theta.map((th, i) => th - h * v[i]!));
      expectClose(hv, above.map((g, i) => (g - below[i]!) / (2 * h)), 1e-6, 1e-8);
    });
  }

  it('jacobian() and hessianMatrix() as IR through the scan, by the reference evaluator, match central differences', () => {
    const T = 2;
    const model = rnn(T);
    const data = rnnData(T, 97);
    const theta = randomVector(27, 98, 0.7);
    const J = jacobian([model.def.outputs], model.params);
    expect(J.mode).toBe('reverse');
    expectClose(
      evaluateFlat([J.matrix], model.params, theta, data),
      differenceJacobian((th) => evaluateFlat([model.def.outputs], model.params, th, data), theta),
      1e-7,
      1e-9,
    );
    const loss = model.def.loss(model.def.outputs);
    const H = evaluateFlat([hessianMatrix(loss, model.params)], model.params, theta, data);
    expect(isExactlySymmetric(H, 27)).toBe(true);
    const grad = gradient(loss, model.params);
    expectClose(H, differenceJacobian((th) => evaluateFlat(grad, model.params, th, data), theta), 1e-6, 1e-8);
  });
});
