// One declaration per optimizer of what its state dict holds, from which the
// snapshot, the restore, zeroState and the live parameter group are written once.
//
// Hyperparameters are public properties of the optimizer, named as in the state dict
// (Adam's `beta1` is an accessor over `betas`). State entries name the field holding
// them when it is called something else (`step` lives in `t`: `step` is the method).
// The hot loops keep reading plain fields; only checkpoints and groups go through here.
import type { HyperValue, StateValue } from './optimizer.ts';

/** The kind of a hyperparameter, checked when a state dict or a group write sets it. */
export type HyperKind = 'number' | 'boolean';

/** One state entry: a step counter, a scalar, or a buffer (null until the first step), and where it lives. */
export interface StateField {
  readonly kind: 'count' | 'number' | 'buffer';
  /** The optimizer's field holding the entry; the entry's key when absent. */
  readonly field?: string;
  /** The value zeroState() restores: 0 for a count, null for a buffer. */
  readonly initial: number | null;
}

export interface OptimizerSpec<T> {
  /** Hyperparameters by state-dict key, in state-dict order; each is a public property of `T`. */
  readonly hyper: { readonly [K in keyof T & string]?: HyperKind };
  /** Per-parameter state by state-dict key, in state-dict order. */
  readonly state: Readonly<Record<string, StateField>>;
  /**
   * Throws a RangeError naming a hyperparameter that is out of range. The constructor
   * runs it, and so does a write through `paramGroups`, which it then undoes.
   */
  check(optimizer: T): void;
}

/** A step counter held in `field` (0 after zeroState). */
export const count = (field?: string): StateField => ({ kind: 'count', field, initial: 0 });
/** A scalar held in `field`, `initial` after zeroState. */
export const scalar = (initial: number, field?: string): StateField => ({ kind: 'number', field, initial });
/** A buffer of one number per parameter held in `field`, null until the first step. */
export const buffer = (field?: string): StateField => ({ kind: 'buffer', field, initial: null });

// Hyperparameters and state are read and written by name, which TypeScript cannot
// type for private fields: this one view of the optimizer is the only cast.
type Fields = Record<string, HyperValue | StateValue>;
const fieldsOf = (optimizer: object): Fields => optimizer as Fields;

export function hyperKeys<T>(spec: OptimizerSpec<T>): string[] {
  return Object.keys(spec.hyper);
}

/** The hyperparameters' current values, in state-dict order. */
export function readHyper<T extends object>(optimizer: T, spec: OptimizerSpec<T>): Record<string, HyperValue> {
  const fields = fieldsOf(optimizer);
  const out: Record<string, HyperValue> = {};
  for (const key of hyperKeys(spec)) out[key] = fields[key] as HyperValue;
  return out;
}

/** Live references to the state; the caller copies buffers. */
export function readState<T extends object>(optimizer: T, spec: OptimizerSpec<T>): Record<string, StateValue> {
  const fields = fieldsOf(optimizer);
  const out: Record<string, StateValue> = {};
  for (const [key, entry] of Object.entries(spec.state)) out[key] = fields[entry.field ?? key] as StateValue;
  return out;
}

/**
 * Checks every hyperparameter and state entry of a state dict against the spec (its
 * kind, and that all buffers have one length), then sets them all; on an error,
 * none. The optimizer keeps the buffers of `state`: the caller passes copies.
 */
export function writeHyperAndState<T extends object>(
  optimizer: T,
  spec: OptimizerSpec<T>,
  hyper: Readonly<Record<string, HyperValue>>,
  state: Readonly<Record<string, StateValue>>,
): void {
  const values: [string, HyperValue | StateValue][] = [];
  for (const key of hyperKeys(spec)) values.push([key, hyperValue(hyper, key, spec.hyper[key as keyof T & string]!)]);
  for (const [key, entry] of Object.entries(spec.state)) values.push([entry.field ?? key, stateValue(state, key, entry)]);
  checkBufferLengths(spec, state);
  const fields = fieldsOf(optimizer);
  for (const [field, value] of values) fields[field] = value;
}

function checkBufferLengths<T>(spec: OptimizerSpec<T>, state: Readonly<Record<string, StateValue>>): void {
  let first: string | null = null;
  for (const [key, entry] of Object.entries(spec.state)) {
    const v = state[key];
    if (entry.kind !== 'buffer' || !(v instanceof Float64Array)) continue;
    first ??= key;
    const n = (state[first] as Float64Array).length;
    if (v.length !== n) {
      throw new RangeError(`State dict entry '${key}' has ${v.length} entries but '${first}' has ${n}; every buffer holds one number per parameter.`);
    }
  }
}

/** Puts every state entry back to its initial value, as if no step had been taken. */
export function resetState<T extends object>(optimizer: T, spec: OptimizerSpec<T>): void {
  const fields = fieldsOf(optimizer);
  for (const [key, entry] of Object.entries(spec.state)) fields[entry.field ?? key] = entry.initial;
}

function hyperValue(hyper: Readonly<Record<string, HyperValue>>, key: string, kind: HyperKind): HyperValue {
  return kind === 'number' ? hyperNumber(hyper, key) : hyperBoolean(hyper, key);
}

function stateValue(state: Readonly<Record<string, StateValue>>, key: string, entry: StateField): StateValue {
  return entry.kind === 'buffer' ? stateBuffer(state, key) : stateNumber(state, key);
}

/** Reads a numeric hyperparameter from a state dict, or throws naming it. */
export function hyperNumber(hyper: Readonly<Record<string, HyperValue>>, key: string): number {
  const v = hyper[key];
  if (typeof v !== 'number') throw new TypeError(`State dict hyperparameter '${key}' should be a number but is ${String(v)}.`);
  return v;
}

/** Reads a boolean hyperparameter from a state dict, or throws naming it. */
export function hyperBoolean(hyper: Readonly<Record<string, HyperValue>>, key: string): boolean {
  const v = hyper[key];
  if (typeof v !== 'boolean') throw new TypeError(`State dict hyperparameter '${key}' should be a boolean but is ${String(v)}.`);
  return v;
}

/** Reads a numeric state entry, or throws naming it. */
export function stateNumber(state: Readonly<Record<string, StateValue>>, key: string): number {
  const v = state[key];
  if (typeof v !== 'number') throw new TypeError(`State dict entry '${key}' should be a number but is ${String(v)}.`);
  return v;
}

/** Reads a buffer (or null: not yet allocated) from a state dict, or throws naming it. */
export function stateBuffer(state: Readonly<Record<string, StateValue>>, key: string): Float64Array | null {
  const v = state[key];
  if (v === null || v instanceof Float64Array) return v;
  throw new TypeError(`State dict entry '${key}' should be a Float64Array or null but is ${String(v)}.`);
}
