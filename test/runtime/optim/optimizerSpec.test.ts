// The declarative optimizer description (optimizerSpec.ts): for every FlatOptimizer
// the spec names exactly the keys of its state dict, in order and of the declared
// kinds; a state dict survives structuredClone and loads into a fresh optimizer that
// then steps exactly as the uninterrupted one; the dict still passes the checkpoint
// schema; a bad dict is refused with a message naming the key, and changes nothing;
// zeroState restores the fresh state; paramGroups reads and writes the optimizer,
// checked as its constructor checks.
import { describe, expect, it } from 'vitest';
import {
  ASGD,
  Adadelta,
  Adagrad,
  Adam,
  AdamW,
  FlatOptimizer,
  NaturalGradient,
  PolyakAveraging,
  RMSprop,
  SGD,
  type OptimizerSpec,
  type OptimizerStateDict,
} from '../../../runtime/index.ts';
import { optimizerStateSchema } from '../../../runtime/train/optimizerStateSchema.ts';
import { A, b, quadGrad, start } from '../helpers.ts';

/** F v for the quadratic's Hessian A, so NaturalGradient has a curvature to solve with. */
const hessianProduct = (_x: Float64Array, v: Float64Array, out: Float64Array): void => {
  for (let i = 0; i < 3; i++) out[i] = A[i]![0] * v[0]! + A[i]![1] * v[1]! + A[i]![2] * v[2]!;
};
/** The quadratic ½ θᵀAθ − bᵀθ up to a constant, for damping adaptation. */
const quadLoss = (x: Float64Array): number => {
  const g = quadGrad(x); // Aθ − b
  let s = 0;
  for (let i = 0; i < 3; i++) s += 0.5 * x[i]! * (g[i]! + b[i]!) - b[i]! * x[i]!;
  return s;
};

const optimizers: [string, () => FlatOptimizer, OptimizerSpec<never>][] = [
  ['SGD', () => new SGD({ lr: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.1 }), SGD.spec],
  ['Adam', () => new Adam({ lr: 0.1, amsgrad: true, weightDecay: 0.1 }), Adam.spec],
  ['AdamW', () => new AdamW({ lr: 0.1, betas: [0.8, 0.99] }), Adam.spec],
  ['Adagrad', () => new Adagrad({ lr: 0.3, lrDecay: 0.1, initialAccumulatorValue: 0.2 }), Adagrad.spec],
  ['Adadelta', () => new Adadelta({ rho: 0.95, weightDecay: 0.1 }), Adadelta.spec],
  ['RMSprop', () => new RMSprop({ lr: 0.01, centered: true, momentum: 0.5 }), RMSprop.spec],
  ['ASGD', () => new ASGD({ lr: 0.1, lambd: 0.1, t0: 3 }), ASGD.spec],
  ['NaturalGradient', () => new NaturalGradient(hessianProduct, { lr: 0.7, damping: 0.5, adaptDamping: true, loss: quadLoss }), NaturalGradient.spec],
];

/** n steps from theta with an lr that changes every step, as a schedule would. */
function advance(opt: FlatOptimizer, theta: Float64Array, n: number): number[][] {
  const out: number[][] = [];
  for (let t = 0; t < n; t++) {
    opt.lr *= 0.97;
    opt.step(theta, Float64Array.from(quadGrad(theta)));
    out.push([...theta]);
  }
  return out;
}

const kindOf = (v: unknown): string => (v === null || v instanceof Float64Array ? 'buffer' : typeof v);

describe.each(optimizers)('%s through its spec', (_name, make, spec) => {
  it('the spec names exactly the state dict keys, in order, of the declared kinds', () => {
    const opt = make();
    advance(opt, Float64Array.from(start), 3);
    const dict = opt.stateDict();
    expect(Object.keys(dict.hyper)).toEqual(Object.keys(spec.hyper));
    expect(Object.keys(dict.state)).toEqual(Object.keys(spec.state));
    for (const [key, kind] of Object.entries(spec.hyper)) expect(typeof dict.hyper[key], key).toBe(kind);
    for (const [key, entry] of Object.entries(spec.state)) {
      expect(kindOf(dict.state[key]), key).toBe(entry.kind === 'buffer' ? 'buffer' : 'number');
    }
    // Every key is live: no entry reads a misnamed field as undefined.
    expect(Object.values(dict.hyper).every((v) => v !== undefined)).toBe(true);
    expect(Object.values(dict.state).every((v) => v !== undefined)).toBe(true);
  });

  it('stateDict → structuredClone → loadStateDict into a fresh optimizer steps as the uninterrupted run', () => {
    const opt = make();
    const theta = Float64Array.from(start);
    advance(opt, theta, 6);
    const saved = structuredClone(opt.stateDict());
    const resumedTheta = theta.slice();
    const uninterrupted = advance(opt, theta, 9);
    const fresh = make();
    fresh.lr = 123; // overwritten by the dict
    fresh.loadStateDict(saved);
    const resumed = advance(fresh, resumedTheta, 9);
    resumed.forEach((row, k) => row.forEach((x, i) => expect(Object.is(x, uninterrupted[k]![i])).toBe(true)));
    expect(fresh.stateDict()).toEqual(opt.stateDict());
  });

  it('its state dict passes the checkpoint schema, so the serialized shape is the one checkpoints hold', () => {
    const opt = make();
    advance(opt, Float64Array.from(start), 4);
    const dict = opt.stateDict();
    expect(optimizerStateSchema(dict, 3).safeParse(dict).success).toBe(true);
  });

  it('zeroState puts the state back to a fresh optimizer’s', () => {
    const opt = make();
    const fresh = make();
    advance(opt, Float64Array.from(start), 4);
    opt.zeroState();
    expect(opt.stateDict().state).toEqual(fresh.stateDict().state);
    // Hyperparameters are not state (NaturalGradient's adapted damping stays); copy them over through the group.
    Object.assign(opt.paramGroups[0]!, fresh.paramGroups[0]);
    expect(opt.stateDict()).toEqual(fresh.stateDict());
    expect(advance(opt, Float64Array.from(start), 5)).toEqual(advance(fresh, Float64Array.from(start), 5));
  });

  it('a dict with a missing or mistyped entry is refused, naming it, and changes nothing', () => {
    const opt = make();
    advance(opt, Float64Array.from(start), 2);
    const before = opt.stateDict();
    const good = opt.stateDict();
    const [hyperKey, hyperKind] = Object.entries(spec.hyper)[0]!;
    const [stateKey] = Object.keys(spec.state);
    const without = (o: Readonly<Record<string, unknown>>, key: string) => Object.fromEntries(Object.entries(o).filter(([k]) => k !== key));
    const missingHyper = { ...good, hyper: without(good.hyper, hyperKey) } as OptimizerStateDict;
    expect(() => opt.loadStateDict(missingHyper)).toThrow(`State dict hyperparameter '${hyperKey}' should be a ${hyperKind} but is undefined.`);
    const wrongHyper = { ...good, lr: 9, hyper: { ...good.hyper, [hyperKey]: 'fast' } } as unknown as OptimizerStateDict;
    expect(() => opt.loadStateDict(wrongHyper)).toThrow(`State dict hyperparameter '${hyperKey}' should be a ${hyperKind} but is fast.`);
    const wrongState = { ...good, state: { ...good.state, [stateKey!]: 'seven' } } as unknown as OptimizerStateDict;
    expect(() => opt.loadStateDict(wrongState)).toThrow(new RegExp(`State dict entry '${stateKey}' should be a .* but is seven\\.`));
    expect(opt.stateDict()).toEqual(before);
  });
});

describe('loading buffers of different lengths', () => {
  it('is refused, naming both buffers, before anything is set', () => {
    const opt = new Adam({ lr: 0.1 });
    advance(opt, Float64Array.from(start), 2);
    const good = opt.stateDict();
    const before = opt.stateDict();
    const bad = { ...good, lr: 5, state: { ...good.state, expAvgSq: new Float64Array(4) } };
    expect(() => opt.loadStateDict(bad)).toThrow("State dict entry 'expAvgSq' has 4 entries but 'expAvg' has 3; every buffer holds one number per parameter.");
    expect(opt.stateDict()).toEqual(before);
  });
});

describe('paramGroups', () => {
  it('is one live group { lr, initialLr, ...hyperparameters } with the state dict’s keys', () => {
    const opt = new SGD({ lr: 0.05, momentum: 0.9, weightDecay: 0.1 });
    const [group, ...rest] = opt.paramGroups;
    expect(rest).toEqual([]);
    expect({ ...group }).toEqual({ lr: 0.05, initialLr: undefined, momentum: 0.9, dampening: 0, weightDecay: 0.1, nesterov: false, maximize: false });
    expect(Object.keys(group!)).toEqual(['lr', 'initialLr', ...Object.keys(opt.stateDict().hyper)]);
    opt.lr = 0.01;
    opt.momentum = 0.5;
    expect(group!.lr).toBe(0.01);
    expect(group!['momentum']).toBe(0.5);
    expect(opt.paramGroups[0]).toBe(group);
  });

  it('a write changes the optimizer, and its next step', () => {
    const viaGroup = new SGD({ lr: 0.05, momentum: 0.9 });
    const direct = new SGD({ lr: 0.05, momentum: 0.9 });
    viaGroup.paramGroups[0]!.lr = 0.02;
    viaGroup.paramGroups[0]!['momentum'] = 0.3;
    viaGroup.paramGroups[0]!.initialLr = 0.05;
    direct.lr = 0.02;
    direct.momentum = 0.3;
    direct.initialLr = 0.05;
    expect(viaGroup.stateDict()).toEqual(direct.stateDict());
    expect(advance(viaGroup, Float64Array.from(start), 4)).toEqual(advance(direct, Float64Array.from(start), 4));
  });

  it('a write is checked as the constructor checks it, and a refused one leaves the optimizer as it was', () => {
    const opt = new SGD({ lr: 0.05, momentum: 0.9, nesterov: true });
    const group = opt.paramGroups[0]!;
    const constructorMessage = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return (e as Error).message;
      }
      throw new Error('no error');
    };
    expect(() => (group['momentum'] = -1)).toThrow(constructorMessage(() => new SGD({ momentum: -1 })));
    expect(() => (group['momentum'] = 0)).toThrow(constructorMessage(() => new SGD({ momentum: 0, nesterov: true })));
    expect(() => (group['dampening'] = 0.5)).toThrow('Nesterov momentum requires a momentum > 0 and zero dampening.');
    expect(() => (group.lr = -0.1)).toThrow(constructorMessage(() => new SGD({ lr: -0.1 })));
    expect(() => (group['nesterov'] = 1)).toThrow('SGD.paramGroups[0].nesterov should be a boolean but is 1.');
    expect(() => ((group as unknown as Record<string, unknown>)['lr'] = '0.1')).toThrow('SGD.paramGroups[0].lr should be a number but is 0.1.');
    expect(opt.stateDict().hyper).toEqual(new SGD({ momentum: 0.9, nesterov: true }).stateDict().hyper);
    expect(opt.lr).toBe(0.05);
  });

  it('a misspelt key is an error naming the real ones', () => {
    const group = new Adagrad().paramGroups[0]!;
    expect(() => (group['lr_decay'] = 0.1)).toThrow("Adagrad has no hyperparameter 'lr_decay'; its parameter group holds lr, initialLr, lrDecay, weightDecay, initialAccumulatorValue, eps, maximize.");
    expect(() => delete group['eps']).toThrow(/cannot lose 'eps'/);
    expect('lr_decay' in group).toBe(false);
    expect('lrDecay' in group).toBe(true);
  });

  it('Adam’s β₁ and β₂ are keys of their own over betas, checked per index', () => {
    const opt = new Adam({ betas: [0.9, 0.999] });
    const group = opt.paramGroups[0]!;
    group['beta1'] = 0.8;
    expect(opt.betas).toEqual([0.8, 0.999]);
    expect(() => (group['beta2'] = 1)).toThrow('Invalid beta parameter at index 1: 1; it must be in [0, 1).');
    expect(opt.betas).toEqual([0.8, 0.999]);
  });

  it('NaturalGradient’s solver settings are its hyperparameters', () => {
    const opt = new NaturalGradient(hessianProduct, { damping: 0.1 });
    const group = opt.paramGroups[0]!;
    expect({ ...group }).toEqual({ lr: 1, initialLr: undefined, damping: 0.1, cgMaxIter: 50, cgTol: 1e-6, adaptDamping: false });
    group['cgMaxIter'] = 7;
    expect(opt.cgMaxIter).toBe(7);
    expect(() => (group['cgMaxIter'] = 0)).toThrow('Invalid cgMaxIter: 0; it must be >= 1.');
    expect(() => (group['adaptDamping'] = true)).toThrow(/adaptDamping needs options.loss/);
    expect(opt.adaptDamping).toBe(false);
  });

  it('PolyakAveraging hands out its inner optimizer’s group', () => {
    const inner = new RMSprop({ lr: 0.01 });
    const avg = new PolyakAveraging(inner, { kind: 'ema', decay: 0.9 });
    avg.paramGroups![0]!['alpha'] = 0.9;
    expect(inner.alpha).toBe(0.9);
    avg.paramGroups![0]!.lr = 0.003;
    expect(avg.lr).toBe(0.003);
  });
});
