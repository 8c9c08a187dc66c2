import { describe, expect, it } from 'vitest';
import { SGD } from '../../../runtime/index.ts';
import {
  expectIteratesClose,
  maxDiff,
  optimizerIterates,
  quadGrad,
  referenceIterates,
  start,
  type RefStep,
} from '../helpers.ts';

interface Cfg {
  lr: number;
  momentum?: number;
  dampening?: number;
  weightDecay?: number;
  nesterov?: boolean;
  maximize?: boolean;
}

// torch.optim.SGD's documented algorithm, on plain arrays.
function refSGD(c: Cfg): RefStep {
  const mu = c.momentum ?? 0;
  const tau = c.dampening ?? 0;
  const wd = c.weightDecay ?? 0;
  let buf: number[] = [];
  return (theta, grad, t) => {
    theta.forEach((th, i) => {
      let g = c.maximize === true ? -grad[i]! : grad[i]!;
      g = g + wd * th;
      if (mu !== 0) {
        buf[i] = t > 1 ? mu * buf[i]! + (1 - tau) * g : g;
        g = c.nesterov === true ? g + mu * buf[i]! : buf[i]!;
      }
      theta[i] = th - c.lr * g;
    });
  };
}

describe('SGD: 20 iterates on a quadratic against the reference formula (1e-12)', () => {
  const cases: [string, Cfg][] = [
    ['plain', { lr: 0.1 }],
    ['momentum', { lr: 0.05, momentum: 0.9 }],
    ['momentum + dampening', { lr: 0.05, momentum: 0.9, dampening: 0.3 }],
    ['nesterov', { lr: 0.05, momentum: 0.8, nesterov: true }],
    ['weight decay', { lr: 0.1, weightDecay: 0.2 }],
    ['momentum + weight decay', { lr: 0.05, momentum: 0.7, weightDecay: 0.1 }],
    ['nesterov + weight decay', { lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.05 }],
  ];
  for (const [name, cfg] of cases) {
    it(name, () => {
      const got = optimizerIterates(new SGD(cfg));
      expectIteratesClose(got, referenceIterates(refSGD(cfg)));
      // The option under test changes the path (it is not silently ignored).
      if (name !== 'plain') expect(maxDiff(got, optimizerIterates(new SGD({ lr: cfg.lr })))).toBeGreaterThan(1e-3);
    });
  }

  it('maximize ascends −f along the same path that minimizing f descends', () => {
    const cfg = { lr: 0.05, momentum: 0.9, weightDecay: 0.1 };
    const negGrad = (th: Float64Array) => quadGrad(th).map((g) => -g);
    const got = optimizerIterates(new SGD({ ...cfg, maximize: true }), 20, start, negGrad);
    expectIteratesClose(got, referenceIterates(refSGD(cfg)));
  });
});

describe('SGD: independent closed forms', () => {
  it('plain SGD on a diagonal quadratic: θ_k = c + (1 − γ(a + λ))^k (θ₀ − λ-shifted c)', () => {
    // f = ½ Σ aᵢ (θᵢ − cᵢ)², with L2 penalty λ: fixed point aᵢcᵢ/(aᵢ + λ).
    const a = [1, 4, 9];
    const c = [0.5, -1, 2];
    const lr = 0.07;
    const wd = 0.3;
    const grad = (th: Float64Array) => a.map((ai, i) => ai * (th[i]! - c[i]!));
    const got = optimizerIterates(new SGD({ lr, weightDecay: wd }), 20, start, grad);
    const expected = got.map((_, k) =>
      a.map((ai, i) => {
        const fixed = (ai * c[i]!) / (ai + wd);
        return fixed + (1 - lr * (ai + wd)) ** (k + 1) * (start[i]! - fixed);
      }),
    );
    expectIteratesClose(got, expected);
  });

  it("momentum without dampening is Polyak's heavy ball: θ_{k+1} = θ_k − γ g_k + μ (θ_k − θ_{k−1})", () => {
    const lr = 0.05;
    const mu = 0.9;
    const got = optimizerIterates(new SGD({ lr, momentum: mu }));
    let prev: number[] = [...start];
    let cur: number[] = [...start];
    const expected: number[][] = [];
    for (let k = 0; k < 20; k++) {
      const g = quadGrad(cur);
      const next = cur.map((x, i) => x - lr * g[i]! + mu * (x - prev[i]!));
      prev = cur;
      cur = next;
      expected.push(next);
    }
    expectIteratesClose(got, expected);
  });

  it('hand-worked steps on f = x² from x = 1 (g = 2x, γ = 0.1)', () => {
    const run = (opt: SGD) => optimizerIterates(opt, 2, [1], (th) => [2 * th[0]!]).map((r) => r[0]!);
    // b₁ = g = 2, x₁ = 0.8; b₂ = 0.9·2 + 0.5·1.6 = 2.6, x₂ = 0.8 − 0.26.
    const damped = run(new SGD({ lr: 0.1, momentum: 0.9, dampening: 0.5 }));
    expect(damped[0]).toBeCloseTo(0.8, 15);
    expect(damped[1]).toBeCloseTo(0.54, 15);
    // b₁ = 2, step g + 0.9 b₁ = 3.8, x₁ = 0.62; g = 1.24, b₂ = 3.04, step 3.976, x₂ = 0.2224.
    const nesterov = run(new SGD({ lr: 0.1, momentum: 0.9, nesterov: true }));
    expect(nesterov[0]).toBeCloseTo(0.62, 15);
    expect(nesterov[1]).toBeCloseTo(0.2224, 15);
  });
});

describe('SGD: contract', () => {
  it('follows an lr changed between steps, and leaves grad untouched', () => {
    const opt = new SGD({ lr: 0.1, momentum: 0.5 });
    const theta = Float64Array.from(start);
    const lrs = [0.1, 0.05, 0.2, 0.01];
    lrs.forEach((lr) => {
      opt.lr = lr;
      const g = Float64Array.from(quadGrad(theta));
      const gCopy = g.slice();
      opt.step(theta, g);
      expect(g).toEqual(gCopy);
    });
    // By hand: the momentum buffer does not depend on lr; each step uses its own lr.
    const theta2: number[] = [...start];
    let buf = [0, 0, 0];
    lrs.forEach((lr, k) => {
      const g = quadGrad(theta2);
      buf = buf.map((bi, i) => (k === 0 ? g[i]! : 0.5 * bi + g[i]!));
      theta2.forEach((x, i) => (theta2[i] = x - lr * buf[i]!));
    });
    expectIteratesClose([[...theta]], [theta2]);
  });

  it('rejects invalid options with a message naming them', () => {
    expect(() => new SGD({ lr: -1 })).toThrow(/learning rate/);
    expect(() => new SGD({ momentum: -0.1 })).toThrow(/momentum/);
    expect(() => new SGD({ nesterov: true })).toThrow(/Nesterov/);
    expect(() => new SGD({ nesterov: true, momentum: 0.9, dampening: 0.1 })).toThrow(/Nesterov/);
    expect(() => new SGD().step(new Float64Array(2), new Float64Array(3))).toThrow(/same length/);
  });

  it("uses PyTorch's defaults", () => {
    const opt = new SGD();
    expect([opt.lr, opt.momentum, opt.dampening, opt.weightDecay, opt.nesterov, opt.maximize]).toEqual([
      1e-3, 0, 0, 0, false, false,
    ]);
  });
});
