import { describe, expect, it } from 'vitest';
import {
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  ExponentialLR,
  LinearLR,
  SGD,
  SequentialLR,
  StepLR,
  cosineAnnealingLRAt,
  linearLRAt,
  sequentialLRAt,
} from '../../../runtime/index.ts';
import { expectLrsClose, range } from './helpers.ts';

function sequence(sched: SequentialLR, n = 60): number[] {
  const out = [sched.getLastLr()];
  for (let e = 1; e < n; e++) {
    sched.step();
    out.push(sched.getLastLr());
  }
  return out;
}

describe('SequentialLR', () => {
  it('LinearLR warm-up for 5 epochs, then cosine annealing over the remaining 55', () => {
    const opt = new SGD({ lr: 0.1 });
    const warm = new LinearLR(opt, { startFactor: 0.1, totalIters: 5 });
    const cos = new CosineAnnealingLR(opt, { TMax: 55, etaMin: 1e-4 });
    const got = sequence(new SequentialLR(opt, { schedulers: [warm, cos], milestones: [5] }));
    const expected = range(60).map((e) =>
      e < 5 ? 0.1 * (0.1 + (0.9 * e) / 5) : 1e-4 + 0.5 * (0.1 - 1e-4) * (1 + Math.cos((Math.PI * (e - 5)) / 55)),
    );
    expectLrsClose(got, expected);
    expect(got[0]).toBeCloseTo(0.01, 17);
    expect(got[5]).toBe(0.1);
    expect(opt.lr).toBe(got[59]);
    const pure = range(60).map((e) =>
      sequentialLRAt(e, [(k) => linearLRAt(k, 0.1, { startFactor: 0.1, totalIters: 5 }), (k) => cosineAnnealingLRAt(k, 0.1, { TMax: 55, etaMin: 1e-4 })], [5]),
    );
    expectLrsClose(got, pure);
  });

  it("three phases: constant warm-up, exponential decay, then warm restarts, as PyTorch's docstring example generalises", () => {
    const opt = { lr: 0.05 };
    const phases = [
      new LinearLR(opt, { startFactor: 0.1, endFactor: 0.1, totalIters: 20 }), // constant 0.005
      new ExponentialLR(opt, { gamma: 0.9 }),
      new CosineAnnealingWarmRestarts(opt, { T0: 5, etaMin: 0.001 }),
    ];
    const got = sequence(new SequentialLR(opt, { schedulers: phases, milestones: [20, 40] }));
    const expected = range(60).map((e) =>
      e < 20 ? 0.005 : e < 40 ? 0.05 * 0.9 ** (e - 20) : 0.001 + 0.5 * 0.049 * (1 + Math.cos((Math.PI * ((e - 40) % 5)) / 5)),
    );
    expectLrsClose(got, expected);
    expectLrsClose(got.slice(19, 23), [0.005, 0.05, 0.045, 0.0405]);
    expect(got[20]).toBe(0.05); // the milestone restarts from the base lr exactly
    expect(got[40]).toBe(0.05);
  });

  it('rejects schedulers on another optimizer, or a wrong number of milestones', () => {
    const a = { lr: 1 };
    const b = { lr: 1 };
    expect(() => new SequentialLR(a, { schedulers: [new StepLR(a, { stepSize: 2 }), new StepLR(b, { stepSize: 2 })], milestones: [3] })).toThrow(
      /same optimizer/,
    );
    expect(() => new SequentialLR(a, { schedulers: [new StepLR(a, { stepSize: 2 })], milestones: [3] })).toThrow(/milestone/);
  });
});
