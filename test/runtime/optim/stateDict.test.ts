import { describe, expect, it } from 'vitest';
import {
  ASGD,
  Adadelta,
  Adagrad,
  Adam,
  AdamW,
  PolyakAveraging,
  RMSprop,
  SGD,
  type Optimizer,
} from '../../../runtime/index.ts';
import { quadGrad, start } from '../helpers.ts';

const factories: [string, () => Optimizer][] = [
  ['SGD nesterov + weight decay', () => new SGD({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.1 })],
  ['SGD dampening', () => new SGD({ lr: 0.05, momentum: 0.9, dampening: 0.2 })],
  ['Adagrad', () => new Adagrad({ lr: 0.3, lrDecay: 0.1, initialAccumulatorValue: 0.2 })],
  ['Adadelta', () => new Adadelta({ rho: 0.95, weightDecay: 0.1 })],
  ['RMSprop centered + momentum', () => new RMSprop({ lr: 0.01, centered: true, momentum: 0.5 })],
  ['RMSprop ε in the root', () => new RMSprop({ lr: 0.01, epsInSqrt: true })],
  ['Adam amsgrad', () => new Adam({ lr: 0.1, amsgrad: true, weightDecay: 0.1 })],
  ['AdamW', () => new AdamW({ lr: 0.1 })],
  ['ASGD averaging', () => new ASGD({ lr: 0.1, lambd: 0.1, t0: 3 })],
  ['Polyak window around Adam', () => new PolyakAveraging(new Adam({ lr: 0.1 }), { kind: 'window', window: 4 })],
  ['Polyak ema around SGD', () => new PolyakAveraging(new SGD({ lr: 0.1, momentum: 0.5 }), { kind: 'ema', decay: 0.8 })],
];

/** Steps `opt` n times from `theta` with an lr that changes every step, as a schedule would. */
function advance(opt: Optimizer, theta: Float64Array, from: number, n: number): number[][] {
  const out: number[][] = [];
  for (let t = from; t < from + n; t++) {
    opt.lr = opt.lr * 0.97;
    opt.step(theta, Float64Array.from(quadGrad(theta)));
    out.push([...theta]);
  }
  return out;
}

/** Bitwise equality, so −0 ≠ 0 and NaN = NaN would show. */
function expectBitIdentical(a: number[][], c: number[][]): void {
  expect(a.length).toBe(c.length);
  a.forEach((row, k) => row.forEach((x, i) => expect(Object.is(x, c[k]![i])).toBe(true)));
}

describe('stateDict → loadStateDict mid-run continues bit-identically', () => {
  for (const [name, make] of factories) {
    it(name, () => {
      const opt = make();
      const theta = Float64Array.from(start);
      advance(opt, theta, 0, 7);
      // A checkpoint is plain data: it survives structured cloning.
      const saved = structuredClone(opt.stateDict());
      const thetaAt7 = theta.slice();
      const uninterrupted = advance(opt, theta, 7, 13);

      const resumed = make();
      resumed.loadStateDict(saved);
      const theta2 = thetaAt7.slice();
      expectBitIdentical(advance(resumed, theta2, 7, 13), uninterrupted);
    });
  }

  it('a state dict is a snapshot: later steps do not change it', () => {
    const opt = new Adam({ lr: 0.1 });
    const theta = Float64Array.from(start);
    advance(opt, theta, 0, 3);
    const saved = opt.stateDict();
    const copy = structuredClone(saved);
    advance(opt, theta, 3, 3);
    expect(saved).toEqual(copy);
  });

  it('zeroState forgets the state: the next run repeats the first', () => {
    const opt = new RMSprop({ lr: 0.01, centered: true, momentum: 0.5 });
    const first = advance(opt, Float64Array.from(start), 0, 5);
    opt.zeroState();
    opt.lr = 0.01;
    expectBitIdentical(advance(opt, Float64Array.from(start), 0, 5), first);
  });

  it('refuses a state dict from another optimizer, or for another vector size', () => {
    expect(() => new SGD().loadStateDict(new Adam().stateDict())).toThrow(/Adam state dict into SGD/);
    expect(() => new Adam().loadStateDict(new AdamW().stateDict())).toThrow(/AdamW/);
    const opt = new Adam();
    opt.step(new Float64Array(3), new Float64Array(3));
    expect(() => opt.step(new Float64Array(4), new Float64Array(4))).toThrow(/zeroState/);
  });
});
