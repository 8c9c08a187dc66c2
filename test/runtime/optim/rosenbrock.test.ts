import { describe, expect, it } from 'vitest';
import { ASGD, Adadelta, Adagrad, Adam, AdamW, RMSprop, SGD, type Optimizer } from '../../../runtime/index.ts';
import { rosenbrock, rosenbrockGrad } from '../helpers.ts';

// Each optimizer, at a learning rate suited to it, from the standard start (−1.2, 1)
// where f = 24.2. The valley is narrow and curved, so this exercises the adaptive
// denominators and momentum far from the quadratic regime.
const cases: [string, () => Optimizer][] = [
  ['SGD', () => new SGD({ lr: 1e-3 })],
  ['SGD + momentum', () => new SGD({ lr: 1e-4, momentum: 0.9 })],
  ['SGD + Nesterov', () => new SGD({ lr: 1e-4, momentum: 0.9, nesterov: true })],
  ['Adagrad', () => new Adagrad({ lr: 0.1 })],
  ['Adadelta', () => new Adadelta()],
  ['RMSprop', () => new RMSprop({ lr: 1e-3 })],
  ['RMSprop, ε in the root', () => new RMSprop({ lr: 1e-3, epsInSqrt: true })],
  ['RMSprop centered + momentum', () => new RMSprop({ lr: 1e-3, centered: true, momentum: 0.5 })],
  ['Adam', () => new Adam({ lr: 1e-2 })],
  ['Adam + amsgrad', () => new Adam({ lr: 1e-2, amsgrad: true })],
  ['AdamW', () => new AdamW({ lr: 1e-2 })],
  ['ASGD', () => new ASGD({ lr: 1e-3 })],
];

describe('every optimizer decreases Rosenbrock from (−1.2, 1)', () => {
  for (const [name, make] of cases) {
    it(name, () => {
      const opt = make();
      const p = new Float64Array([-1.2, 1]);
      const g = new Float64Array(2);
      const f0 = rosenbrock(p);
      expect(f0).toBeCloseTo(24.2, 12);
      for (let t = 0; t < 2000; t++) {
        g.set(rosenbrockGrad(p));
        opt.step(p, g);
      }
      expect(rosenbrock(p)).toBeLessThan(1);
      expect(p[0]).toBeGreaterThan(0); // crossed the valley's bend towards (1, 1)
    });
  }
});
