import { describe, expect, it } from 'vitest';
import { Adagrad } from '../../../runtime/index.ts';
import { expectIteratesClose, maxDiff, optimizerIterates, quadGrad, referenceIterates, start, type RefStep } from '../helpers.ts';

interface Cfg {
  lr: number;
  lrDecay?: number;
  weightDecay?: number;
  initialAccumulatorValue?: number;
  eps?: number;
}

// Duchi et al. with PyTorch's decayed step size γ/(1 + (t − 1)η), on plain arrays.
function refAdagrad(c: Cfg): RefStep {
  const G = [0, 0, 0].map(() => c.initialAccumulatorValue ?? 0);
  const eps = c.eps ?? 1e-10;
  return (theta, grad, t) => {
    const clr = c.lr / (1 + (t - 1) * (c.lrDecay ?? 0));
    theta.forEach((th, i) => {
      const g = grad[i]! + (c.weightDecay ?? 0) * th;
      G[i] = G[i]! + g ** 2;
      theta[i] = th - (clr * g) / (Math.sqrt(G[i]!) + eps);
    });
  };
}

describe('Adagrad: 20 iterates on a quadratic against the reference formula (1e-12)', () => {
  const cases: [string, Cfg][] = [
    ['plain', { lr: 0.5 }],
    ['lr decay', { lr: 0.5, lrDecay: 0.1 }],
    ['weight decay', { lr: 0.5, weightDecay: 0.3 }],
    ['initial accumulator', { lr: 0.5, initialAccumulatorValue: 2 }],
    ['large eps', { lr: 0.5, eps: 0.5 }],
    ['all together', { lr: 0.3, lrDecay: 0.05, weightDecay: 0.1, initialAccumulatorValue: 0.5, eps: 1e-3 }],
  ];
  for (const [name, cfg] of cases) {
    it(name, () => {
      const got = optimizerIterates(new Adagrad(cfg));
      expectIteratesClose(got, referenceIterates(refAdagrad(cfg)));
      if (name !== 'plain') expect(maxDiff(got, optimizerIterates(new Adagrad({ lr: cfg.lr })))).toBeGreaterThan(1e-3);
    });
  }

  it('maximize ascends −f along the minimizing path', () => {
    const negGrad = (th: Float64Array) => quadGrad(th).map((g) => -g);
    const got = optimizerIterates(new Adagrad({ lr: 0.5, weightDecay: 0.1, maximize: true }), 20, start, negGrad);
    expectIteratesClose(got, referenceIterates(refAdagrad({ lr: 0.5, weightDecay: 0.1 })));
  });

  it('first step by hand: θ₁ = θ₀ − γ g / (√(s₀ + g²) + ε)', () => {
    // x = 1, g = 2x = 2, s₀ = 0.1: x₁ = 1 − 0.1·2/(√4.1 + 1e-10).
    const x1 = optimizerIterates(new Adagrad({ lr: 0.1, initialAccumulatorValue: 0.1 }), 1, [1], (th) => [2 * th[0]!]);
    expect(x1[0]![0]).toBeCloseTo(1 - 0.2 / (Math.sqrt(4.1) + 1e-10), 15);
  });

  it("uses PyTorch's defaults", () => {
    const o = new Adagrad();
    expect([o.lr, o.lrDecay, o.weightDecay, o.initialAccumulatorValue, o.eps]).toEqual([1e-2, 0, 0, 0, 1e-10]);
  });
});
