import { describe, expect, it } from 'vitest';
import {
  CosineAnnealingWarmRestarts,
  cosineAnnealingWarmRestartsAt,
  warmRestartCycle,
} from '../../../runtime/index.ts';
import { expectLrsClose, lrSequence, range } from './helpers.ts';

// The loop from the optimization notes, transcribed: restart when T_cur reaches T_i,
// then T_i ← T_i · T_mult.
function notesSchedule(epochs: number, tI: number, tMult: number, maxLr: number, minLr: number): number[] {
  const out: number[] = [];
  let tCur = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    if (epoch > 0 && tCur === tI) {
      tCur = 0;
      tI *= tMult;
    }
    out.push(minLr + 0.5 * (maxLr - minLr) * (1 + Math.cos((Math.PI * tCur) / tI)));
    tCur += 1;
  }
  return out;
}

describe('CosineAnnealingWarmRestarts', () => {
  it('the classic T0 = 10, TMult = 2, η_max = 0.1, η_min = 0.01 over 60 epochs', () => {
    const got = lrSequence(new CosineAnnealingWarmRestarts({ lr: 0.1 }, { T0: 10, TMult: 2, etaMin: 0.01 }));
    expectLrsClose(got, notesSchedule(60, 10, 2, 0.1, 0.01));
    // Restarts at 10 and 30 (cycles of 10, 20, 40); midpoints at 5, 20 and 50.
    for (const e of [0, 10, 30]) expect(got[e]).toBe(0.1);
    for (const e of [5, 20, 50]) expect(got[e]).toBeCloseTo(0.055, 15);
    expect(got[9]).toBeCloseTo(0.01 + 0.045 * (1 + Math.cos(0.9 * Math.PI)), 15);
    expect(got[29]).toBeCloseTo(0.01 + 0.045 * (1 + Math.cos((19 / 20) * Math.PI)), 15);
    expect(Math.min(...got)).toBeGreaterThan(0.01);
    expectLrsClose(got, range(60).map((e) => cosineAnnealingWarmRestartsAt(e, 0.1, { T0: 10, TMult: 2, etaMin: 0.01 })));
  });

  it('TMult = 1 restarts every T0 epochs', () => {
    const got = lrSequence(new CosineAnnealingWarmRestarts({ lr: 0.5 }, { T0: 7 }));
    expectLrsClose(got, notesSchedule(60, 7, 1, 0.5, 0));
  });

  it('fractional epochs: step(epoch + i / iters) after each batch', () => {
    const target = { lr: 0.1 };
    const sched = new CosineAnnealingWarmRestarts(target, { T0: 10, TMult: 2, etaMin: 0.01 });
    const iters = 4;
    for (let epoch = 0; epoch < 40; epoch++) {
      for (let i = 0; i < iters; i++) {
        const at = epoch + i / iters;
        sched.step(at);
        // T_i = 10, 20, 40 from epochs 0, 10, 30.
        const [start, Ti] = at < 10 ? [0, 10] : at < 30 ? [10, 20] : [30, 40];
        expect(target.lr).toBeCloseTo(0.01 + 0.045 * (1 + Math.cos((Math.PI * (at - start)) / Ti)), 15);
        expect(sched.lastEpoch).toBe(epoch);
      }
    }
  });

  it("interleaves step() and step(epoch) as PyTorch's docstring shows", () => {
    const target = { lr: 0.1 };
    const sched = new CosineAnnealingWarmRestarts(target, { T0: 10, TMult: 2, etaMin: 0.01 });
    for (let e = 0; e < 20; e++) sched.step();
    sched.step(26);
    sched.step(); // = step(27)
    expect(target.lr).toBeCloseTo(cosineAnnealingWarmRestartsAt(27, 0.1, { T0: 10, TMult: 2, etaMin: 0.01 }), 15);
    sched.step(5.5);
    sched.step(); // T_cur 6.5 in the first cycle
    expect(target.lr).toBeCloseTo(0.01 + 0.045 * (1 + Math.cos((Math.PI * 6.5) / 10)), 15);
  });

  it('finds restart cycles exactly, even where a floating-point log would round down', () => {
    expect(warmRestartCycle(70, 10, 2)).toEqual({ Ti: 80, Tcur: 0 });
    expect(warmRestartCycle(69.5, 10, 2)).toEqual({ Ti: 40, Tcur: 39.5 });
    // T0 = 1, TMult = 10: cycles start at 0, 1, 11, 111. log₁₀(1000) rounds to 2.999…
    expect(warmRestartCycle(111, 1, 10)).toEqual({ Ti: 1000, Tcur: 0 });
    const target = { lr: 1 };
    new CosineAnnealingWarmRestarts(target, { T0: 1, TMult: 10 }).step(111);
    expect(target.lr).toBe(1);
  });

  it('rejects a non-integer T0 or TMult, and negative epochs', () => {
    expect(() => new CosineAnnealingWarmRestarts({ lr: 1 }, { T0: 0 })).toThrow(/T0/);
    expect(() => new CosineAnnealingWarmRestarts({ lr: 1 }, { T0: 10, TMult: 1.5 })).toThrow(/TMult/);
    expect(() => new CosineAnnealingWarmRestarts({ lr: 1 }, { T0: 10 }).step(-1)).toThrow(/non-negative/);
  });
});
