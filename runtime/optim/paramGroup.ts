// PyTorch's `param_groups[0]`: a live view of an optimizer's lr and hyperparameters.
// `opt.paramGroups[0].momentum = 0.5` sets `opt.momentum`, checked as the
// constructor checks it (a rejected value leaves the optimizer as it was), so code
// ported from PyTorch that edits groups keeps working. Reads and writes go to the
// optimizer's own properties: the group holds nothing of its own.
import { checkLr } from './check.ts';
import { hyperKeys, type OptimizerSpec } from './optimizerSpec.ts';
import type { HyperValue } from './optimizer.ts';

/** One parameter group: `lr`, `initialLr` and the optimizer's hyperparameters by state-dict key. */
export interface ParamGroup {
  lr: number;
  initialLr: number | undefined;
  [hyper: string]: HyperValue | undefined;
}

interface Grouped {
  readonly type: string;
  lr: number;
  initialLr: number | undefined;
}

/** The live group of `optimizer`, whose hyperparameters `spec` declares. */
export function paramGroup<T extends Grouped>(optimizer: T, spec: OptimizerSpec<T>): ParamGroup {
  const hyper = hyperKeys(spec);
  const keys = ['lr', 'initialLr', ...hyper];
  // Hyperparameters are public properties named by their keys (optimizerSpec.ts).
  const fields = optimizer as unknown as Record<string, HyperValue | undefined>;
  const unknownKey = (key: string | symbol): TypeError =>
    new TypeError(`${optimizer.type} has no hyperparameter '${String(key)}'; its parameter group holds ${keys.join(', ')}.`);

  const write = (key: string, value: unknown): void => {
    const where = `${optimizer.type}.paramGroups[0].${key}`;
    if (key === 'lr') {
      if (typeof value !== 'number') throw new TypeError(`${where} should be a number but is ${String(value)}.`);
      checkLr(value);
      optimizer.lr = value;
      return;
    }
    if (key === 'initialLr') {
      if (value !== undefined && typeof value !== 'number') throw new TypeError(`${where} should be a number or undefined but is ${String(value)}.`);
      optimizer.initialLr = value;
      return;
    }
    const kind = spec.hyper[key as keyof T & string];
    if (kind === undefined) throw unknownKey(key);
    if (typeof value !== kind) throw new TypeError(`${where} should be a ${kind} but is ${String(value)}.`);
    const before = fields[key];
    fields[key] = value as HyperValue;
    try {
      spec.check(optimizer);
    } catch (e) {
      fields[key] = before;
      throw e;
    }
  };

  // A Proxy rather than accessors so that a misspelt key is an error naming the
  // real ones, not a silently added property.
  return new Proxy({} as ParamGroup, {
    get: (_target, key) => (typeof key === 'string' && keys.includes(key) ? fields[key] : undefined),
    set: (_target, key, value) => {
      if (typeof key !== 'string') throw unknownKey(key);
      write(key, value);
      return true;
    },
    has: (_target, key) => typeof key === 'string' && keys.includes(key),
    ownKeys: () => keys,
    getOwnPropertyDescriptor: (_target, key) =>
      typeof key === 'string' && keys.includes(key) ? { value: fields[key], writable: true, enumerable: true, configurable: true } : undefined,
    deleteProperty: (_target, key) => {
      throw new TypeError(`${optimizer.type}.paramGroups[0] cannot lose '${String(key)}'; set it to another value instead.`);
    },
    defineProperty: (_target, key) => {
      throw unknownKey(key);
    },
  });
}
