import { describe, expect, it } from 'vitest';
import {
  CosineAnnealingLR,
  ExponentialLR,
  LinearLR,
  MultiStepLR,
  SGD,
  StepLR,
  cosineAnnealingLRAt,
  exponentialLRAt,
  linearLRAt,
  multiStepLRAt,
  stepLRAt,
} from '../../../runtime/index.ts';
import { expectLrsClose, lrSequence, range } from './helpers.ts';

// Expected sequences come from the formulas in PyTorch's documentation, written out
// here; the schedulers themselves step recursively (PyTorch's chainable form).

describe('StepLR', () => {
  it('60 epochs: η₀ γ^⌊e/stepSize⌋', () => {
    const got = lrSequence(new StepLR({ lr: 0.1 }, { stepSize: 7, gamma: 0.5 }));
    expectLrsClose(got, range(60).map((e) => 0.1 * 0.5 ** Math.floor(e / 7)));
    expect(got.slice(5, 9)).toEqual([0.1, 0.1, 0.05, 0.05]);
    expect(got[59]).toBe(0.000390625); // 0.1 / 2⁸, exact in binary steps of ½
  });

  it('default gamma 0.1, and the pure function agrees', () => {
    const got = lrSequence(new StepLR({ lr: 1 }, { stepSize: 30 }));
    expectLrsClose(got, range(60).map((e) => (e < 30 ? 1 : 0.1)));
    expectLrsClose(got, range(60).map((e) => stepLRAt(e, 1, { stepSize: 30 })));
  });

  it('step(epoch) jumps through the closed form', () => {
    const target = { lr: 0.1 };
    const sched = new StepLR(target, { stepSize: 10, gamma: 0.1 });
    sched.step(35);
    expect(target.lr).toBeCloseTo(0.1 * 0.1 ** 3, 18);
    sched.step(); // chainable again from epoch 36
    expect(sched.lastEpoch).toBe(36);
  });
});

describe('MultiStepLR', () => {
  it('60 epochs with a repeated milestone: η₀ γ^(number of milestones ≤ e)', () => {
    const milestones = [10, 25, 25, 40];
    const got = lrSequence(new MultiStepLR({ lr: 0.2 }, { milestones, gamma: 0.3 }));
    const expected = range(60).map((e) => 0.2 * 0.3 ** milestones.filter((m) => m <= e).length);
    expectLrsClose(got, expected);
    expectLrsClose(got, range(60).map((e) => multiStepLRAt(e, 0.2, { milestones, gamma: 0.3 })));
    expect(got[24]).toBeCloseTo(0.06, 15);
    expect(got[25]).toBeCloseTo(0.2 * 0.3 ** 3, 15);
  });
});

describe('ExponentialLR', () => {
  it('60 epochs: η₀ γ^e', () => {
    const got = lrSequence(new ExponentialLR({ lr: 0.1 }, { gamma: 0.95 }));
    expectLrsClose(got, range(60).map((e) => 0.1 * Math.pow(0.95, e)));
    expectLrsClose(got, range(60).map((e) => exponentialLRAt(e, 0.1, { gamma: 0.95 })));
  });
});

describe('CosineAnnealingLR', () => {
  const cosine = (e: number, T: number, hi: number, lo: number) => lo + 0.5 * (hi - lo) * (1 + Math.cos((Math.PI * e) / T));

  it('60 epochs with TMax 20: down, back up, down again, as the closed form says', () => {
    const got = lrSequence(new CosineAnnealingLR({ lr: 0.1 }, { TMax: 20, etaMin: 0.001 }));
    expectLrsClose(got, range(60).map((e) => cosine(e, 20, 0.1, 0.001)));
    expectLrsClose(got, range(60).map((e) => cosineAnnealingLRAt(e, 0.1, { TMax: 20, etaMin: 0.001 })));
    expect(got[0]).toBe(0.1);
    expect(got[10]).toBeCloseTo(0.0505, 15);
    expect(got[20]).toBeCloseTo(0.001, 15);
    expect(got[40]).toBeCloseTo(0.1, 14);
  });

  it('recursive and closed forms differ only by rounding (≤ 1e-15 here)', () => {
    const got = lrSequence(new CosineAnnealingLR({ lr: 1 }, { TMax: 60 }));
    const closed = range(60).map((e) => cosineAnnealingLRAt(e, 1, { TMax: 60 }));
    const worst = Math.max(...got.map((x, e) => Math.abs(x - closed[e]!)));
    expect(worst).toBeLessThan(1e-15);
  });
});

describe('LinearLR', () => {
  it('60 epochs of the default warm-up: factor 1/3 → 1 over 5 epochs, then held', () => {
    const got = lrSequence(new LinearLR({ lr: 0.1 }));
    const expected = range(60).map((e) => 0.1 * (1 / 3 + ((2 / 3) * Math.min(e, 5)) / 5));
    expectLrsClose(got, expected);
    expectLrsClose(got, range(60).map((e) => linearLRAt(e, 0.1)));
    expect(got[0]).toBeCloseTo(0.1 / 3, 16);
    expect(got[3]).toBeCloseTo(0.1 * (1 / 3 + 0.4), 16);
    expect(got.slice(5).every((x) => Math.abs(x - 0.1) < 1e-16)).toBe(true);
  });

  it('a linear decay to zero over 60 epochs', () => {
    const got = lrSequence(new LinearLR({ lr: 0.6 }, { startFactor: 1, endFactor: 0, totalIters: 60 }), 61);
    expectLrsClose(got, range(61).map((e) => 0.6 * (1 - e / 60)));
    expect(got[60]).toBe(0);
  });
});

describe('schedules drive any object with an lr', () => {
  it('sets initialLr once, so a second scheduler on the same optimizer starts from it', () => {
    const opt = new SGD({ lr: 0.3 });
    new LinearLR(opt, { startFactor: 0.5 });
    expect([opt.lr, opt.initialLr]).toEqual([0.15, 0.3]);
    const second = new ExponentialLR(opt, { gamma: 0.5 });
    expect(second.baseLr).toBe(0.3);
  });

  it('rejects invalid options', () => {
    expect(() => new StepLR({ lr: 1 }, { stepSize: 0 })).toThrow(/stepSize/);
    expect(() => new LinearLR({ lr: 1 }, { startFactor: 0 })).toThrow(/startFactor/);
    expect(() => new LinearLR({ lr: 1 }, { endFactor: 2 })).toThrow(/endFactor/);
    expect(() => new CosineAnnealingLR({ lr: 1 }, { TMax: 0 })).toThrow(/TMax/);
  });
});
