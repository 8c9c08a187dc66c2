import { describe, expect, it } from 'vitest';
import { Adadelta } from '../../../runtime/index.ts';
import { expectIteratesClose, maxDiff, optimizerIterates, quadGrad, referenceIterates, start, type RefStep } from '../helpers.ts';

interface Cfg {
  lr?: number;
  rho?: number;
  eps?: number;
  weightDecay?: number;
}

// Zeiler (2012), Algorithm 1, scaled by PyTorch's lr, on plain arrays.
function refAdadelta(c: Cfg): RefStep {
  const rho = c.rho ?? 0.9;
  const eps = c.eps ?? 1e-6;
  const Eg2 = [0, 0, 0];
  const Edx2 = [0, 0, 0];
  return (theta, grad) => {
    theta.forEach((th, i) => {
      const g = grad[i]! + (c.weightDecay ?? 0) * th;
      Eg2[i] = rho * Eg2[i]! + (1 - rho) * g ** 2;
      const dx = -(Math.sqrt(Edx2[i]! + eps) / Math.sqrt(Eg2[i]! + eps)) * g; // RMS[Δx]_{t−1} / RMS[g]_t · g
      Edx2[i] = rho * Edx2[i]! + (1 - rho) * dx ** 2;
      theta[i] = th + (c.lr ?? 1) * dx;
    });
  };
}

describe('Adadelta: 20 iterates on a quadratic against the reference formula (1e-12)', () => {
  const cases: [string, Cfg][] = [
    ['defaults (lr 1)', {}],
    ['lr and rho', { lr: 0.5, rho: 0.95 }],
    ['large eps', { eps: 1e-2 }],
    ['weight decay', { weightDecay: 0.2, eps: 1e-3 }],
  ];
  for (const [name, cfg] of cases) {
    it(name, () => {
      const got = optimizerIterates(new Adadelta(cfg));
      expectIteratesClose(got, referenceIterates(refAdadelta(cfg)));
      if (name !== 'defaults (lr 1)') expect(maxDiff(got, optimizerIterates(new Adadelta()))).toBeGreaterThan(1e-5);
    });
  }

  it('maximize ascends −f along the minimizing path', () => {
    const negGrad = (th: Float64Array) => quadGrad(th).map((g) => -g);
    const got = optimizerIterates(new Adadelta({ eps: 1e-3, maximize: true }), 20, start, negGrad);
    expectIteratesClose(got, referenceIterates(refAdadelta({ eps: 1e-3 })));
  });

  it('first step by hand: Δ = √ε / √((1 − ρ) g² + ε) · g', () => {
    const x1 = optimizerIterates(new Adadelta(), 1, [1], (th) => [2 * th[0]!]);
    expect(x1[0]![0]).toBeCloseTo(1 - (Math.sqrt(1e-6) / Math.sqrt(0.4 + 1e-6)) * 2, 15);
  });

  it("uses PyTorch's defaults", () => {
    const o = new Adadelta();
    expect([o.lr, o.rho, o.eps, o.weightDecay]).toEqual([1, 0.9, 1e-6, 0]);
  });
});
