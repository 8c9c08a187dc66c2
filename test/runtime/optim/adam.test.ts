import { describe, expect, it } from 'vitest';
import { Adam, AdamW } from '../../../runtime/index.ts';
import { expectIteratesClose, maxDiff, optimizerIterates, quadGrad, referenceIterates, start, type RefStep } from '../helpers.ts';

interface Cfg {
  lr: number;
  betas?: [number, number];
  eps?: number;
  weightDecay?: number;
  amsgrad?: boolean;
  decoupled?: boolean;
}

// Kingma & Ba, Algorithm 1, with bias-corrected m̂ and v̂ written out; amsgrad takes
// the running maximum of v and corrects it by today's 1 − β₂ᵗ; decoupled weight
// decay (Loshchilov & Hutter) subtracts γλθ first. On plain arrays.
function refAdam(c: Cfg): RefStep {
  const [b1, b2] = c.betas ?? [0.9, 0.999];
  const eps = c.eps ?? 1e-8;
  const wd = c.weightDecay ?? 0;
  const m = [0, 0, 0];
  const v = [0, 0, 0];
  const vmax = [0, 0, 0];
  return (theta, grad, t) => {
    theta.forEach((th0, i) => {
      let th = th0;
      let g = grad[i]!;
      if (c.decoupled === true) th = th - c.lr * wd * th;
      else g = g + wd * th;
      m[i] = b1 * m[i]! + (1 - b1) * g;
      v[i] = b2 * v[i]! + (1 - b2) * g * g;
      vmax[i] = Math.max(vmax[i]!, v[i]!);
      const mHat = m[i]! / (1 - b1 ** t);
      const vHat = (c.amsgrad === true ? vmax[i]! : v[i]!) / (1 - b2 ** t);
      theta[i] = th - (c.lr * mHat) / (Math.sqrt(vHat) + eps);
    });
  };
}

describe('Adam: 20 iterates on a quadratic against the reference formula (1e-12)', () => {
  const cases: [string, Cfg][] = [
    ['plain', { lr: 0.1 }],
    ['betas and eps', { lr: 0.1, betas: [0.5, 0.9], eps: 1e-3 }],
    ['L2 weight decay', { lr: 0.1, weightDecay: 0.5 }],
    ['amsgrad', { lr: 0.1, amsgrad: true }],
    ['amsgrad with a short second-moment memory', { lr: 0.1, betas: [0.9, 0.8], amsgrad: true }],
    ['amsgrad + weight decay', { lr: 0.1, betas: [0.8, 0.95], amsgrad: true, weightDecay: 0.2 }],
  ];
  for (const [name, cfg] of cases) {
    it(name, () => {
      const got = optimizerIterates(new Adam(cfg));
      expectIteratesClose(got, referenceIterates(refAdam(cfg)));
      if (name !== 'plain') expect(maxDiff(got, optimizerIterates(new Adam({ lr: cfg.lr })))).toBeGreaterThan(1e-6);
    });
  }

  it('amsgrad takes effect once the second moment falls', () => {
    const cfg = { lr: 0.1, betas: [0.9, 0.8] as [number, number] };
    const diff = maxDiff(optimizerIterates(new Adam({ ...cfg, amsgrad: true })), optimizerIterates(new Adam(cfg)));
    expect(diff).toBeGreaterThan(1e-3);
  });

  it('maximize ascends −f along the minimizing path', () => {
    const negGrad = (th: Float64Array) => quadGrad(th).map((g) => -g);
    const got = optimizerIterates(new Adam({ lr: 0.1, amsgrad: true, maximize: true }), 20, start, negGrad);
    expectIteratesClose(got, referenceIterates(refAdam({ lr: 0.1, amsgrad: true })));
  });

  it('first step by hand: m̂ = g and v̂ = g², so θ₁ = θ₀ − γ g/(|g| + ε)', () => {
    const x1 = optimizerIterates(new Adam({ lr: 0.1 }), 1, [1], (th) => [2 * th[0]!]);
    expect(x1[0]![0]).toBeCloseTo(1 - (0.1 * 2) / (2 + 1e-8), 15);
  });

  it("uses PyTorch's defaults", () => {
    const o = new Adam();
    expect([o.lr, o.betas, o.eps, o.weightDecay, o.amsgrad, o.decoupledWeightDecay]).toEqual([1e-3, [0.9, 0.999], 1e-8, 0, false, false]);
  });
});

describe('AdamW: 20 iterates on a quadratic against the reference formula (1e-12)', () => {
  const cases: [string, Cfg][] = [
    ['default weight decay 1e-2', { lr: 0.1, weightDecay: 1e-2 }],
    ['strong weight decay', { lr: 0.1, weightDecay: 0.5 }],
    ['amsgrad', { lr: 0.1, weightDecay: 0.3, amsgrad: true }],
  ];
  for (const [name, cfg] of cases) {
    it(name, () => {
      const { weightDecay, ...rest } = cfg;
      const opt = name.startsWith('default') ? new AdamW(rest) : new AdamW(cfg);
      const got = optimizerIterates(opt);
      expectIteratesClose(got, referenceIterates(refAdam({ ...cfg, weightDecay, decoupled: true })));
    });
  }

  it('differs from Adam with the same (coupled) weight decay, and equals Adam with decoupledWeightDecay', () => {
    const w = optimizerIterates(new AdamW({ lr: 0.1, weightDecay: 0.5 }));
    expect(maxDiff(w, optimizerIterates(new Adam({ lr: 0.1, weightDecay: 0.5 })))).toBeGreaterThan(1e-3);
    expect(maxDiff(w, optimizerIterates(new Adam({ lr: 0.1, weightDecay: 0.5, decoupledWeightDecay: true })))).toBe(0);
  });
});
