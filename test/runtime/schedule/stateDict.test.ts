import { describe, expect, it } from 'vitest';
import {
  ASGD,
  Adadelta,
  Adagrad,
  Adam,
  AdamW,
  CosineAnnealingLR,
  CosineAnnealingWarmRestarts,
  ExponentialLR,
  LinearLR,
  MultiStepLR,
  PolyakAveraging,
  RMSprop,
  ReduceLROnPlateau,
  SGD,
  SequentialLR,
  StepLR,
  type LrTarget,
  type Optimizer,
} from '../../../runtime/index.ts';

type Resumable = ReduceLROnPlateau | StepLR | MultiStepLR | ExponentialLR | CosineAnnealingLR | CosineAnnealingWarmRestarts | LinearLR | SequentialLR;

const makers: [string, (opt: LrTarget) => Resumable][] = [
  ['StepLR', (o) => new StepLR(o, { stepSize: 7, gamma: 0.5 })],
  ['MultiStepLR', (o) => new MultiStepLR(o, { milestones: [10, 30, 45] })],
  ['ExponentialLR', (o) => new ExponentialLR(o, { gamma: 0.97 })],
  ['CosineAnnealingLR', (o) => new CosineAnnealingLR(o, { TMax: 25, etaMin: 1e-3 })],
  ['CosineAnnealingWarmRestarts', (o) => new CosineAnnealingWarmRestarts(o, { T0: 10, TMult: 2, etaMin: 0.01 })],
  ['LinearLR', (o) => new LinearLR(o, { startFactor: 0.2, totalIters: 40 })],
  [
    'SequentialLR',
    (o) =>
      new SequentialLR(o, {
        schedulers: [new LinearLR(o, { totalIters: 10 }), new CosineAnnealingWarmRestarts(o, { T0: 8, TMult: 2 })],
        milestones: [10],
      }),
  ],
  ['ReduceLROnPlateau', (o) => new ReduceLROnPlateau(o, { patience: 2, cooldown: 1, factor: 0.7 })],
];

// A noisy plateauing metric for ReduceLROnPlateau; the others just step.
const metric = (e: number) => 1 / (1 + e) + 0.3 * Math.abs(Math.sin(e * 1.7));
const advance = (s: Resumable, e: number) => (s instanceof ReduceLROnPlateau ? s.step(metric(e)) : s.step());

describe('scheduler stateDict → loadStateDict resumes bit-identically', () => {
  for (const [name, make] of makers) {
    it(name, () => {
      const opt = new SGD({ lr: 0.1 });
      const sched = make(opt);
      for (let e = 1; e <= 23; e++) advance(sched, e);
      const savedOpt = structuredClone(opt.stateDict());
      const savedSched = structuredClone(sched.stateDict());
      expect(opt.lr).not.toBe(0.1); // the schedule has moved the lr
      const uninterrupted: number[] = [];
      for (let e = 24; e < 60; e++) {
        advance(sched, e);
        uninterrupted.push(opt.lr);
      }

      // Resume as PyTorch recommends: build optimizer and scheduler, then load both.
      const opt2 = new SGD({ lr: 0.1 });
      const sched2 = make(opt2);
      opt2.loadStateDict(savedOpt);
      sched2.loadStateDict(savedSched);
      const resumed: number[] = [];
      for (let e = 24; e < 60; e++) {
        advance(sched2, e);
        resumed.push(opt2.lr);
      }
      resumed.forEach((x, i) => expect(Object.is(x, uninterrupted[i])).toBe(true));
      expect(sched2.getLastLr()).toBe(sched.getLastLr());
    });
  }

  it('refuses a state dict from another scheduler', () => {
    const o = { lr: 1 };
    expect(() => new StepLR(o, { stepSize: 2 }).loadStateDict(new ExponentialLR(o, { gamma: 0.5 }).stateDict())).toThrow(
      /ExponentialLR state dict into StepLR/,
    );
  });
});

describe('one schedule drives every optimizer through its lr', () => {
  const optimizers: [string, () => Optimizer][] = [
    ['SGD', () => new SGD({ lr: 0.8 })],
    ['Adagrad', () => new Adagrad({ lr: 0.8 })],
    ['Adadelta', () => new Adadelta({ lr: 0.8 })],
    ['RMSprop', () => new RMSprop({ lr: 0.8 })],
    ['Adam', () => new Adam({ lr: 0.8 })],
    ['AdamW', () => new AdamW({ lr: 0.8 })],
    ['ASGD', () => new ASGD({ lr: 0.8 })],
    ['PolyakAveraging', () => new PolyakAveraging(new SGD({ lr: 0.8 }), { kind: 'ema', decay: 0.9 })],
  ];
  for (const [name, make] of optimizers) {
    it(name, () => {
      const opt = make();
      const sched = new StepLR(opt, { stepSize: 2, gamma: 0.5 });
      const p = new Float64Array([1, 2]);
      const seen: number[] = [];
      for (let e = 0; e < 6; e++) {
        seen.push(opt.lr);
        opt.step(p, new Float64Array([0.5, -0.5]));
        sched.step();
      }
      expect(seen).toEqual([0.8, 0.8, 0.4, 0.4, 0.2, 0.2]);
      expect(opt.stateDict().lr).toBe(0.1);
      expect(opt.stateDict().initialLr).toBe(0.8);
    });
  }
});
