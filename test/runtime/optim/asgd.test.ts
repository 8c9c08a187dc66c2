import { describe, expect, it } from 'vitest';
import { ASGD } from '../../../runtime/index.ts';
import { expectIteratesClose, quadGrad, referenceIterates, start, type RefStep } from '../helpers.ts';

interface Cfg {
  lr: number;
  lambd?: number;
  alpha?: number;
  t0?: number;
  weightDecay?: number;
}

// torch.optim.ASGD's documented algorithm on plain arrays: η_t and μ_t come from the
// previous step (η₁ = γ, μ₁ = 1).
function refASGD(c: Cfg): RefStep {
  const lambd = c.lambd ?? 1e-4;
  const alpha = c.alpha ?? 0.75;
  let eta = c.lr;
  return (theta, grad, t) => {
    theta.forEach((th, i) => {
      const g = grad[i]! + (c.weightDecay ?? 0) * th;
      theta[i] = th * (1 - lambd * eta) - eta * g;
    });
    eta = c.lr / Math.pow(1 + lambd * c.lr * t, alpha);
  };
}

/** θ₁…θ₂₀ and ā₁…ā₂₀ from the optimizer. */
function run(opt: ASGD): { iterates: number[][]; averages: number[][] } {
  const theta = Float64Array.from(start);
  const iterates: number[][] = [];
  const averages: number[][] = [];
  for (let t = 1; t <= 20; t++) {
    opt.step(theta, Float64Array.from(quadGrad(theta)));
    iterates.push([...theta]);
    averages.push([...opt.averaged()!]);
  }
  return { iterates, averages };
}

/** ā_k as PyTorch defines it: θ_k up to step t₀ + 2, then the mean of θ_{t₀+2}…θ_k. */
function explicitAverages(iterates: number[][], t0: number): number[][] {
  return iterates.map((th, k) => {
    const step = k + 1;
    if (step <= t0 + 2) return th;
    const from = t0 + 2 - 1; // index of θ_{t₀+2}
    const window = iterates.slice(from, k + 1);
    return th.map((_, i) => window.reduce((s, w) => s + w[i]!, 0) / window.length);
  });
}

describe('ASGD: 20 iterates and averages against the reference formula (1e-12)', () => {
  const cases: [string, Cfg][] = [
    ['defaults apart from lr (averaging never starts: t₀ = 1e6)', { lr: 0.05 }],
    ['strong decay term, averaging from step 7', { lr: 0.1, lambd: 0.5, alpha: 0.75, t0: 5 }],
    ['alpha and weight decay, averaging from step 2', { lr: 0.1, lambd: 0.2, alpha: 0.5, t0: 0, weightDecay: 0.3 }],
  ];
  for (const [name, cfg] of cases) {
    it(name, () => {
      const { iterates, averages } = run(new ASGD(cfg));
      const ref = referenceIterates(refASGD(cfg));
      expectIteratesClose(iterates, ref);
      expectIteratesClose(averages, explicitAverages(ref, cfg.t0 ?? 1e6));
    });
  }

  it('the average is not the last iterate once averaging has started', () => {
    const { iterates, averages } = run(new ASGD({ lr: 0.1, t0: 5 }));
    expect(averages[19]).not.toEqual(iterates[19]);
    expect(averages[5]).toEqual(iterates[5]);
  });

  it('swaps the average in for evaluation and the live parameters back out bit for bit', () => {
    const opt = new ASGD({ lr: 0.1, t0: 2 });
    const theta = Float64Array.from(start);
    for (let t = 0; t < 10; t++) opt.step(theta, Float64Array.from(quadGrad(theta)));
    const live = theta.slice();
    opt.swapIn(theta);
    expect(theta).toEqual(opt.averaged());
    expect(() => opt.step(theta, new Float64Array(3))).toThrow(/swapOut/);
    opt.swapOut(theta);
    expect(theta).toEqual(live);
  });

  it("uses PyTorch's defaults", () => {
    const o = new ASGD();
    expect([o.lr, o.lambd, o.alpha, o.t0, o.weightDecay]).toEqual([1e-2, 1e-4, 0.75, 1e6, 0]);
  });
});
