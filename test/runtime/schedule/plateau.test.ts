import { describe, expect, it } from 'vitest';
import { ReduceLROnPlateau, reduceLROnPlateauLrs } from '../../../runtime/index.ts';

const repeat = (x: number, n: number) => Array<number>(n).fill(x);

describe('ReduceLROnPlateau', () => {
  it('60 epochs: a loss that falls for 10 epochs then stalls (patience 10, cooldown 5, factor ½)', () => {
    // Worked by hand: best = 1 at epoch 10; bad epochs 11…21 → cut at 21; epochs 22–26
    // are cooldown; bad epochs 27…37 → cut at 37; cooldown 38–42; cut at 53.
    const metrics = [...range1(10).map((k) => 11 - k), ...repeat(1, 50)];
    const got = reduceLROnPlateauLrs(metrics, 1, { patience: 10, cooldown: 5, factor: 0.5 });
    expect(got).toEqual([...repeat(1, 20), ...repeat(0.5, 16), ...repeat(0.25, 16), ...repeat(0.125, 8)]);
  });

  it('patience 2: three epochs without a relative improvement of 1e-4 cut the lr', () => {
    const got = reduceLROnPlateauLrs([10, 9, 9, 9, 9, 8, 8, 8, 8, 7.9995], 1, { patience: 2, factor: 0.5 });
    // 7.9995 is not below 8·(1 − 1e-4) = 7.9992, so it is one more bad epoch.
    expect(got).toEqual([1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25, 0.25]);
  });

  it('cooldown: bad epochs right after a cut do not count', () => {
    const got = reduceLROnPlateauLrs([5, 6, 6, 6, 6, 6], 1, { patience: 0, cooldown: 2, factor: 0.5 });
    expect(got).toEqual([1, 0.5, 0.5, 0.5, 0.25, 0.25]);
  });

  it("mode 'max' with an absolute threshold", () => {
    // Improvements need +0.5: 1 → 1.4 (bad) → 1.6 (good) → 1.7, 1.8 (bad, bad: cut).
    const got = reduceLROnPlateauLrs([1, 1.4, 1.6, 1.7, 1.8], 1, { mode: 'max', thresholdMode: 'abs', threshold: 0.5, patience: 1 });
    expect(got).toEqual([1, 1, 1, 1, 0.1]);
  });

  it('never below minLr, and skips cuts smaller than eps', () => {
    const target = { lr: 1e-3 };
    const sched = new ReduceLROnPlateau(target, { patience: 0, minLr: 5e-4 });
    sched.step(1);
    sched.step(2);
    expect(target.lr).toBe(5e-4);
    sched.step(3);
    expect(target.lr).toBe(5e-4);
    const tiny = { lr: 1e-9 };
    const s2 = new ReduceLROnPlateau(tiny, { patience: 0 });
    s2.step(1);
    s2.step(2);
    expect(tiny.lr).toBe(1e-9); // 1e-9 − 1e-10 < eps = 1e-8
    expect(s2.getLastLr()).toBe(1e-9);
  });

  it('rejects factor ≥ 1 and unknown modes', () => {
    expect(() => new ReduceLROnPlateau({ lr: 1 }, { factor: 1 })).toThrow(/factor/);
    // @ts-expect-error: an invalid mode from untyped input
    expect(() => new ReduceLROnPlateau({ lr: 1 }, { mode: 'lowest' })).toThrow(/mode/);
  });
});

function range1(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i + 1);
}
