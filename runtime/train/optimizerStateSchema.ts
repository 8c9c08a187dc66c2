// What a checkpointed optimizer state dict must look like, per optimizer type:
// the hyperparameters (finite, of the right kind) and the state (counters that are
// integers, buffers of one number per parameter or null before the first step). An
// optimizer the table does not know (a user's own) is checked against the shape of
// the live optimizer's state dict instead: the same keys, each of the same kind.
import { z } from 'zod';
import type { OptimizerStateDict } from '../optim/optimizer.ts';
import { anyFloat64, bool, count, expected, finite, finiteNonNegative, float64OrNull } from './stateSchemas.ts';

type Shape = Record<string, z.ZodType>;

interface Spec {
  hyper(live: OptimizerStateDict): Shape;
  state(n: number, live: OptimizerStateDict): Shape;
}

const perParameter = (n: number) => float64OrNull(n, 'one per parameter');
const fixed = (shape: Shape) => (): Shape => shape;

const ADAM: Spec = {
  hyper: fixed({ beta1: finite, beta2: finite, eps: finiteNonNegative, weightDecay: finite, amsgrad: bool, maximize: bool, decoupledWeightDecay: bool }),
  state: (n) => ({ step: count, expAvg: perParameter(n), expAvgSq: perParameter(n), maxExpAvgSq: perParameter(n) }),
};

const SPECS: Readonly<Record<string, Spec>> = {
  SGD: {
    hyper: fixed({ momentum: finite, dampening: finite, weightDecay: finite, nesterov: bool, maximize: bool }),
    state: (n) => ({ momentumBuffer: perParameter(n) }),
  },
  Adam: ADAM,
  AdamW: ADAM,
  Adagrad: {
    hyper: fixed({ lrDecay: finite, weightDecay: finite, initialAccumulatorValue: finite, eps: finiteNonNegative, maximize: bool }),
    state: (n) => ({ step: count, sum: perParameter(n) }),
  },
  Adadelta: {
    hyper: fixed({ rho: finite, eps: finiteNonNegative, weightDecay: finite, maximize: bool }),
    state: (n) => ({ step: count, squareAvg: perParameter(n), accDelta: perParameter(n) }),
  },
  RMSprop: {
    hyper: fixed({ alpha: finite, eps: finiteNonNegative, weightDecay: finite, momentum: finite, centered: bool, maximize: bool, epsInSqrt: bool }),
    state: (n) => ({ step: count, squareAvg: perParameter(n), gradAvg: perParameter(n), momentumBuffer: perParameter(n) }),
  },
  ASGD: {
    hyper: fixed({ lambd: finite, alpha: finite, t0: finite, weightDecay: finite, maximize: bool }),
    state: (n) => ({ step: count, eta: finite, mu: finite, ax: perParameter(n) }),
  },
  NaturalGradient: {
    hyper: fixed({ damping: finiteNonNegative, cgMaxIter: count, cgTol: finiteNonNegative, adaptDamping: bool }),
    state: fixed({ step: count, fisherVectorProducts: count, cgIterations: count, rejectedSteps: count }),
  },
  PolyakAveraging: {
    // The live wrapper says which averaging it does; the dict must be of the same kind.
    hyper: (live): Shape =>
      'decay' in live.hyper
        ? { decay: expected<number>('a number in [0, 1]', (v) => typeof v === 'number' && v >= 0 && v <= 1) }
        : { window: expected<number>('an integer >= 1 or Infinity', (v) => v === Infinity || (Number.isInteger(v) && (v as number) >= 1)) },
    state: (n, live) => {
      const window = live.hyper['window'];
      const ring = typeof window === 'number' && Number.isFinite(window)
        ? float64OrNull(window * n, `the last ${window} iterates`)
        : expected<null>('null (this averaging keeps no ring of iterates)', (v) => v === null);
      const size = expected<number>(`-1 (no step yet) or ${n}`, (v) => v === -1 || v === n);
      return { count, ring, avg: perParameter(n), size };
    },
  },
};

/** The schema for a state dict that the live optimizer (whose dict is `live`) can load, over `n` parameters. */
export function optimizerStateSchema(live: OptimizerStateDict, n: number): z.ZodType<OptimizerStateDict> {
  const spec = SPECS[live.type];
  const hyper = spec?.hyper(live) ?? shapeLike(live.hyper);
  const state = spec?.state(n, live) ?? shapeLike(live.state);
  const shape: Shape = {
    type: expected<string>(`'${live.type}'`, (v) => v === live.type),
    lr: finiteNonNegative,
    // JSON drops an undefined field, so "no schedule attached yet" is a missing key.
    initialLr: finiteNonNegative.optional(),
    hyper: z.strictObject(hyper, { error: 'an object of hyperparameters' }),
    state: z.strictObject(state, { error: 'an object of optimizer state' }),
  };
  if (live.inner !== undefined) shape['inner'] = optimizerStateSchema(live.inner, n);
  return z.strictObject(shape, { error: 'an optimizer state dict (an object)' }) as unknown as z.ZodType<OptimizerStateDict>;
}

/** Same keys as `template`, each value of the same kind: numbers finite, buffers finite or null. */
function shapeLike(template: Readonly<Record<string, unknown>>): Shape {
  const shape: Shape = {};
  for (const [key, value] of Object.entries(template)) {
    if (typeof value === 'boolean') shape[key] = bool;
    else if (typeof value === 'number') shape[key] = finite;
    else shape[key] = z.union([anyFloat64, z.null()], { error: 'a Float64Array or null' });
  }
  return shape;
}
