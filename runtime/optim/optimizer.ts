// The contract every first-order optimizer meets, and the small helpers they share.
//
// Parameters are one flat Float64Array (DESIGN.md, "The generated module"); an
// optimizer is PyTorch's single parameter group over that vector. Buffers are
// allocated on the first step, sized to the vector, and reused: step() allocates
// nothing after that.
import { checkLr } from './check.ts';
import { paramGroup, type ParamGroup } from './paramGroup.ts';
import { readHyper, readState, resetState, writeHyperAndState, type OptimizerSpec } from './optimizerSpec.ts';

/** A scalar hyperparameter as it appears in a state dict. */
export type HyperValue = number | boolean;
/** One entry of an optimizer's state: a step counter, a scalar, or a buffer. */
export type StateValue = number | Float64Array | null;

/**
 * A snapshot of an optimizer, like PyTorch's `state_dict()`: the learning rate and
 * hyperparameters (PyTorch's `param_groups`) and the per-parameter state. Buffers
 * are copies, so the snapshot does not change as training goes on; it survives
 * `structuredClone`.
 */
export interface OptimizerStateDict {
  readonly type: string;
  readonly lr: number;
  /** The learning rate a schedule started from (PyTorch's `group['initial_lr']`). */
  readonly initialLr: number | undefined;
  readonly hyper: Readonly<Record<string, HyperValue>>;
  readonly state: Readonly<Record<string, StateValue>>;
  /** The wrapped optimizer's snapshot, for wrappers such as PolyakAveraging. */
  readonly inner?: OptimizerStateDict;
}

/** What training loops, schedules and wrappers need from any optimizer. */
export interface Optimizer {
  /** The learning rate of the next step; schedules write it between steps. */
  lr: number;
  /** Set by the first schedule attached (PyTorch's `initial_lr`); undefined before. */
  initialLr?: number | undefined;
  /** Updates `params` in place from `grad` (which is left untouched). */
  step(params: Float64Array, grad: Float64Array): void;
  /** Forgets all per-parameter state, as if no step had been taken. */
  zeroState(): void;
  stateDict(): OptimizerStateDict;
  loadStateDict(state: OptimizerStateDict): void;
  /** PyTorch's `param_groups` (one group), where the optimizer has declared its hyperparameters. */
  readonly paramGroups?: ParamGroup[];
}

/**
 * Shared bookkeeping: lr, checkpoints, the parameter group and zeroState, all from
 * the subclass's spec (optimizerSpec.ts). A subclass declares its spec, calls
 * `checkHyper()` at the end of its constructor, and writes `step`.
 */
export abstract class FlatOptimizer implements Optimizer {
  lr: number;
  initialLr: number | undefined = undefined;
  /** Class name, checked when a state dict is loaded. */
  abstract readonly type: string;
  private readonly spec: OptimizerSpec<this>;
  private group: ParamGroup | null = null;

  protected constructor(lr: number, spec: OptimizerSpec<FlatOptimizer>) {
    checkLr(lr);
    this.lr = lr;
    // The subclass's spec names the subclass's fields; `this` is that subclass.
    this.spec = spec as OptimizerSpec<this>;
  }

  abstract step(params: Float64Array, grad: Float64Array): void;

  /** Throws a RangeError naming the first hyperparameter out of range (the spec's check). */
  protected checkHyper(): void {
    this.spec.check(this);
  }

  zeroState(): void {
    resetState(this, this.spec);
  }

  /**
   * PyTorch's `param_groups`: one group, `{ lr, initialLr, ...hyperparameters }`, live.
   * Writing a key sets the optimizer's property, checked as the constructor checks it.
   */
  get paramGroups(): ParamGroup[] {
    return [(this.group ??= paramGroup(this, this.spec))];
  }

  stateDict(): OptimizerStateDict {
    return {
      type: this.type,
      lr: this.lr,
      initialLr: this.initialLr,
      hyper: readHyper(this, this.spec),
      state: copyState(readState(this, this.spec)),
    };
  }

  loadStateDict(state: OptimizerStateDict): void {
    if (state.type !== this.type) {
      throw new TypeError(`Cannot load a ${state.type} state dict into ${this.type}; build a ${state.type} instead.`);
    }
    writeHyperAndState(this, this.spec, state.hyper, copyState(state.state));
    this.lr = state.lr;
    this.initialLr = state.initialLr;
  }
}

export { check, checkLr } from './check.ts';

/**
 * Checks that `params` and `grad` agree with each other and with buffers already
 * sized to `size` (-1 when none exist yet).
 */
export function checkStep(type: string, params: Float64Array, grad: Float64Array, size: number): void {
  if (params.length !== grad.length) {
    throw new RangeError(`${type}.step: params has ${params.length} entries but grad has ${grad.length}; pass a gradient of the same length.`);
  }
  if (size !== -1 && size !== params.length) {
    throw new RangeError(`${type}.step: the optimizer's state is sized for ${size} parameters but params has ${params.length}; call zeroState() to start over with a new vector.`);
  }
}

/** A buffer of `n` entries filled with `value` (used once, on the first step). */
export function filled(n: number, value: number): Float64Array {
  const out = new Float64Array(n);
  if (value !== 0) out.fill(value);
  return out;
}

/**
 * Linear interpolation `a + w (b − a)` exactly as ATen's `lerp` evaluates it: from
 * the nearer end, so a weight near 1 loses no precision. Adam's first moment and
 * centered RMSprop's mean use it, which rounds differently from `β a + (1 − β) b`.
 */
export function lerp(a: number, b: number, w: number): number {
  return Math.abs(w) < 0.5 ? a + w * (b - a) : b - (b - a) * (1 - w);
}

function copyState(state: Readonly<Record<string, StateValue>>): Record<string, StateValue> {
  const out: Record<string, StateValue> = {};
  for (const [key, value] of Object.entries(state)) out[key] = value instanceof Float64Array ? value.slice() : value;
  return out;
}
