/**
 * examples/mlp/second-order.ts on the generated module, short: the natural
 * gradient and Krylov subspace descent take `lossFlat(…).ggnvp` of
 * mlp.grad.ts as it is and reduce the training loss; that product equals the
 * Gauss-Newton product compileCurvature builds for the same network.
 */
import { describe, expect, it } from 'vitest';
import { add, compileCurvature, input, matmul, relu, softmaxCrossEntropy, tensor } from '../../compiler/index.ts';
import type { Node } from '../../compiler/index.ts';
import { lossFlat } from '../../examples/mlp/mlp.grad.ts';
import { runKrylov, runNaturalGradient, setup } from '../../examples/mlp/second-order.ts';
import { SeededRng } from '../../runtime/index.ts';
import { close } from '../compiler/gradcheck.ts';

const s = setup(600, 200, 100);

describe('examples/mlp/second-order.ts on the generated Gauss-Newton product', () => {
  // Four passes are four steps on batches of 100, so one initialisation says little:
  // the claim is checked from three (the loss ratios are about 0.4–0.6).
  it.each([1, 2, 3])('natural gradient reduces the training loss and raises held-out accuracy (init seed %i)', (seed) => {
    const run = runNaturalGradient(s, 4, 3, 1e-2, seed);
    const first = run.curve[0]!;
    const last = run.curve[run.curve.length - 1]!;
    expect(last.passes).toBeGreaterThanOrEqual(4);
    expect(last.loss).toBeLessThan(0.7 * first.loss);
    expect(last.accuracy).toBeGreaterThan(first.accuracy);
  });

  it('Krylov subspace descent reduces the training loss', () => {
    const run = runKrylov(s, 3, 5, 5);
    const losses = run.curve.map((p) => p.loss);
    expect(losses.length).toBeGreaterThan(1);
    expect(losses[losses.length - 1]!).toBeLessThan(0.7 * losses[0]!);
  });

  it("lossFlat(…).ggnvp equals compileCurvature's Jᵀ H_L J v for the same network", () => {
    const W1 = input('W1', [784, 64]);
    const b1 = input('b1', [64]);
    const W2 = input('W2', [64, 10]);
    const b2 = input('b2', [10]);
    const X = input('X', ['batch', 784]);
    const y = input('y', ['batch']);
    const z = add(matmul(relu(add(matmul(X, W1), b1)), W2), b2);
    const batch = s.batches[1]!;
    const count = batch.labels.length;
    const ir = compileCurvature({ inputs: [W1, b1, W2, b2, X, y], wrt: [W1, b1, W2, b2], outputs: z, loss: (o: Node) => softmaxCrossEntropy(o, y) })
      .bind({ X: tensor([count, 784], batch.X), y: tensor([count], batch.labels) });
    const generated = lossFlat(batch.X, batch.labels);
    const theta = s.init(3);
    const random = SeededRng.fromSeed(4).asFunction();
    const v = Float64Array.from({ length: s.size }, () => 2 * random() - 1);
    const expected = new Float64Array(s.size);
    const actual = new Float64Array(s.size);
    ir.gaussNewtonVectorProduct(theta, v, expected);
    generated.ggnvp(theta, v, actual);
    let worst = 0;
    for (let i = 0; i < s.size; i++) if (!close(actual[i]!, expected[i]!, { rtol: 1e-9, atol: 1e-12 })) worst++;
    expect(worst).toBe(0);
    let vGv = 0;
    for (let i = 0; i < s.size; i++) vGv += v[i]! * actual[i]!;
    expect(vGv).toBeGreaterThan(0);
  });
});
