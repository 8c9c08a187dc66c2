import { describe, expect, it } from 'vitest';
import { Adam, PolyakAveraging, SGD } from '../../../runtime/index.ts';
import { expectIteratesClose, quadGrad, referenceIterates, start } from '../helpers.ts';

// Plain SGD iterates on the quadratic, from a hand-written loop (not the class).
const lr = 0.1;
const sgdIterates = referenceIterates((theta, grad) => theta.forEach((x, i) => (theta[i] = x - lr * grad[i]!)));

/** The wrapper's average after each of 20 steps. */
function averages(avg: PolyakAveraging): number[][] {
  const theta = Float64Array.from(start);
  const out: number[][] = [];
  for (let t = 0; t < 20; t++) {
    avg.step(theta, Float64Array.from(quadGrad(theta)));
    out.push([...avg.averaged()]);
  }
  return out;
}

const mean = (rows: number[][]) => rows[0]!.map((_, i) => rows.reduce((s, r) => s + r[i]!, 0) / rows.length);

describe('PolyakAveraging', () => {
  it('window n: the mean of the last min(t, n) iterates', () => {
    const got = averages(new PolyakAveraging(new SGD({ lr }), { kind: 'window', window: 5 }));
    const expected = sgdIterates.map((_, k) => mean(sgdIterates.slice(Math.max(0, k - 4), k + 1)));
    expectIteratesClose(got, expected);
  });

  it('window ∞: the mean of every iterate (SWA)', () => {
    const got = averages(new PolyakAveraging(new SGD({ lr }), { kind: 'window', window: Infinity }));
    expectIteratesClose(got, sgdIterates.map((_, k) => mean(sgdIterates.slice(0, k + 1))));
  });

  it('ema β: θ̄₁ = θ₁, θ̄ₜ = β θ̄ₜ₋₁ + (1 − β) θₜ', () => {
    const beta = 0.9;
    const got = averages(new PolyakAveraging(new SGD({ lr }), { kind: 'ema', decay: beta }));
    let avg = sgdIterates[0]!;
    const expected = sgdIterates.map((th, k) => (avg = k === 0 ? th : avg.map((a, i) => beta * a + (1 - beta) * th[i]!)));
    expectIteratesClose(got, expected);
  });

  it('swaps the average in and the live parameters back out bit for bit; refuses to train while swapped', () => {
    const avg = new PolyakAveraging(new Adam({ lr: 0.1 }), { kind: 'window', window: 4 });
    const theta = Float64Array.from(start);
    for (let t = 0; t < 12; t++) avg.step(theta, Float64Array.from(quadGrad(theta)));
    const live = theta.slice();
    const averaged = avg.averaged().slice();
    avg.swapIn(theta);
    expect(avg.swapped).toBe(true);
    expect(theta).toEqual(averaged);
    expect(() => avg.step(theta, new Float64Array(3))).toThrow(/swapOut/);
    expect(() => avg.swapIn(theta)).toThrow(/already swapped/);
    avg.swapOut(theta);
    expect(theta).toEqual(live);
    expect(() => avg.swapOut(theta)).toThrow(/nothing is swapped/);
  });

  it('passes lr and initialLr through to the inner optimizer, so schedules can drive the wrapper', () => {
    const inner = new SGD({ lr: 1 });
    const avg = new PolyakAveraging(inner, { kind: 'ema', decay: 0.5 });
    const theta = new Float64Array([1]);
    avg.step(theta, new Float64Array([1]));
    avg.lr = 0.25;
    avg.initialLr = 1;
    avg.step(theta, new Float64Array([1]));
    expect([inner.lr, inner.initialLr, theta[0]]).toEqual([0.25, 1, 1 - 1 - 0.25]);
  });

  it('rejects a bad window or decay', () => {
    expect(() => new PolyakAveraging(new SGD(), { kind: 'window', window: 0 })).toThrow(/window/);
    expect(() => new PolyakAveraging(new SGD(), { kind: 'window', window: 2.5 })).toThrow(/window/);
    expect(() => new PolyakAveraging(new SGD(), { kind: 'ema', decay: 1.5 })).toThrow(/decay/);
    expect(() => new PolyakAveraging(new SGD(), { kind: 'ema', decay: 0.9 }).averaged()).toThrow(/no iterate/);
  });
});
