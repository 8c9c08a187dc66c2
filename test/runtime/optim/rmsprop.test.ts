import { describe, expect, it } from 'vitest';
import { RMSprop } from '../../../runtime/index.ts';
import { expectIteratesClose, maxDiff, optimizerIterates, quadGrad, referenceIterates, start, type RefStep } from '../helpers.ts';

interface Cfg {
  lr: number;
  alpha?: number;
  eps?: number;
  weightDecay?: number;
  momentum?: number;
  centered?: boolean;
  epsInSqrt?: boolean;
}

// Hinton's RMSprop (lecture 6e), with Graves' centering and PyTorch's momentum,
// on plain arrays. epsInSqrt: u = −η g / √(μ + ε); otherwise u = −η g / (√μ + ε).
function refRMSprop(c: Cfg): RefStep {
  const alpha = c.alpha ?? 0.99;
  const eps = c.eps ?? 1e-8;
  const mu = c.momentum ?? 0;
  const ms = [0, 0, 0];
  const mg = [0, 0, 0];
  const buf = [0, 0, 0];
  return (theta, grad) => {
    theta.forEach((th, i) => {
      const g = grad[i]! + (c.weightDecay ?? 0) * th;
      ms[i] = alpha * ms[i]! + (1 - alpha) * g * g;
      mg[i] = alpha * mg[i]! + (1 - alpha) * g;
      const v = c.centered === true ? ms[i]! - mg[i]! ** 2 : ms[i]!;
      const denom = c.epsInSqrt === true ? Math.sqrt(v + eps) : Math.sqrt(v) + eps;
      if (mu > 0) {
        buf[i] = mu * buf[i]! + g / denom;
        theta[i] = th - c.lr * buf[i]!;
      } else {
        theta[i] = th - (c.lr * g) / denom;
      }
    });
  };
}

describe('RMSprop: 20 iterates on a quadratic against the reference formula (1e-12)', () => {
  const cases: [string, Cfg][] = [
    ['plain, ε outside the root (PyTorch)', { lr: 0.01 }],
    ['plain, ε inside the root', { lr: 0.01, eps: 1e-2, epsInSqrt: true }],
    ['alpha', { lr: 0.01, alpha: 0.9 }],
    ['centered, ε outside', { lr: 0.01, centered: true }],
    ['centered, ε inside', { lr: 0.01, centered: true, eps: 1e-2, epsInSqrt: true }],
    ['momentum, ε outside', { lr: 0.01, momentum: 0.9 }],
    ['momentum, ε inside', { lr: 0.01, momentum: 0.9, eps: 1e-2, epsInSqrt: true }],
    ['weight decay', { lr: 0.01, weightDecay: 0.5 }],
    ['centered + momentum + weight decay', { lr: 0.005, alpha: 0.95, centered: true, momentum: 0.5, weightDecay: 0.1, eps: 1e-4 }],
  ];
  for (const [name, cfg] of cases) {
    it(name, () => {
      const got = optimizerIterates(new RMSprop(cfg));
      expectIteratesClose(got, referenceIterates(refRMSprop(cfg)));
      if (!name.startsWith('plain, ε outside')) {
        expect(maxDiff(got, optimizerIterates(new RMSprop({ lr: cfg.lr })))).toBeGreaterThan(1e-4);
      }
    });
  }

  it('the two ε placements differ by the predicted amount on the first step', () => {
    // x = 1, g = 2: v = 0.01·4 = 0.04. Outside: 2/(0.2 + ε); inside: 2/√(0.04 + ε).
    const eps = 1e-2;
    const run = (epsInSqrt: boolean) => optimizerIterates(new RMSprop({ lr: 0.1, eps, epsInSqrt }), 1, [1], (th) => [2 * th[0]!])[0]![0]!;
    expect(run(false)).toBeCloseTo(1 - (0.1 * 2) / (0.2 + eps), 15);
    expect(run(true)).toBeCloseTo(1 - (0.1 * 2) / Math.sqrt(0.04 + eps), 15);
  });

  it('maximize ascends −f along the minimizing path', () => {
    const negGrad = (th: Float64Array) => quadGrad(th).map((g) => -g);
    const cfg = { lr: 0.01, centered: true, momentum: 0.5 };
    const got = optimizerIterates(new RMSprop({ ...cfg, maximize: true }), 20, start, negGrad);
    expectIteratesClose(got, referenceIterates(refRMSprop(cfg)));
  });

  it("uses PyTorch's defaults", () => {
    const o = new RMSprop();
    expect([o.lr, o.alpha, o.eps, o.weightDecay, o.momentum, o.centered, o.epsInSqrt]).toEqual([1e-2, 0.99, 1e-8, 0, 0, false, false]);
  });
});
