/**
 * The adding problem as data, and the RNN of adding.model.ts as the trainer
 * takes it (through the generated adding.grad.ts; nothing is compiled at run
 * time). A sequence of length L has a value u_t ∈ [0, 1] at each step and a
 * marker on two steps, one in each half; the target is the sum of the two
 * marked values. Predicting the mean (1) scores Var(u_a + u_b) = 1/6.
 */
import { SeededRng, type UnitLoss } from '../../runtime/index.ts';
import * as generated from './adding.grad.ts';
import { finalState, lossLayout, loss as lossValue, unpackLoss, type LossParams } from './adding.grad.ts';

/** What the training loss is bound to: the checked-in module, or a build of the same model file with the same API (a --health one). */
export type AddingModule = Pick<typeof generated, 'lossValueAndGradient' | 'unpackLoss'>;

export const HIDDEN = 16;
/** Mean squared error of always predicting 1, the mean of the target. */
export const BASELINE = 1 / 6;

/** Sequences stored padded to the longest, one row of `longest` steps each. */
export interface AddingData {
  readonly count: number;
  readonly longest: number;
  readonly lengths: Int32Array;
  /** [count, longest]: the value of each step (0 past the end). */
  readonly values: Float64Array;
  /** [count, longest]: 1 on the two marked steps. */
  readonly markers: Float64Array;
  readonly targets: Float64Array;
}

/** `count` sequences with lengths drawn uniformly from minLength … maxLength. */
export function addingData(count: number, minLength: number, maxLength: number, seed: number): AddingData {
  const rng = SeededRng.fromSeed(seed);
  const lengths = new Int32Array(count);
  const values = new Float64Array(count * maxLength);
  const markers = new Float64Array(count * maxLength);
  const targets = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const L = minLength + Math.floor(rng.float() * (maxLength - minLength + 1));
    lengths[i] = L;
    for (let t = 0; t < L; t++) values[i * maxLength + t] = rng.float();
    const half = Math.floor(L / 2);
    const a = Math.floor(rng.float() * half);
    const b = half + Math.floor(rng.float() * (L - half));
    markers[i * maxLength + a] = 1;
    markers[i * maxLength + b] = 1;
    targets[i] = values[i * maxLength + a]! + values[i * maxLength + b]!;
  }
  return { count, longest: maxLength, lengths, values, markers, targets };
}

/** The model's data inputs for some sequences: step-major, padded to the longest of them. */
export interface AddingBatch {
  readonly X: Float64Array;
  readonly mask: Float64Array;
  readonly h0: Float64Array;
  readonly target: Float64Array;
  readonly time: number;
}

export function gatherBatch(data: AddingData, indices: ArrayLike<number>): AddingBatch {
  const B = indices.length;
  let time = 0;
  for (let r = 0; r < B; r++) time = Math.max(time, data.lengths[indices[r]!]!);
  const X = new Float64Array(time * B * 2);
  const mask = new Float64Array(time * B);
  const target = new Float64Array(B);
  for (let r = 0; r < B; r++) {
    const i = indices[r]!;
    target[r] = data.targets[i]!;
    for (let t = 0; t < data.lengths[i]!; t++) {
      X[(t * B + r) * 2] = data.values[i * data.longest + t]!;
      X[(t * B + r) * 2 + 1] = data.markers[i * data.longest + t]!;
      mask[t * B + r] = 1;
    }
  }
  return { X, mask, h0: new Float64Array(B * HIDDEN), target, time };
}

/** Named views of a flat vector, made once per vector rather than per step. */
function viewsOnce(unpack: AddingModule['unpackLoss'] = unpackLoss): (x: Float64Array) => LossParams {
  let last: Float64Array | undefined;
  let views: LossParams | undefined;
  return (x) => {
    if (x !== last) [last, views] = [x, unpack(x)];
    return views!;
  };
}

export const PARAMETERS = lossLayout.size;

/** The trainer's loss over `data`: each unit's sequences gathered, run to the longest of them. */
export function addingLoss(data: AddingData, mod: AddingModule = generated): UnitLoss {
  const named = viewsOnce(mod.unpackLoss);
  const { lossValueAndGradient } = mod;
  return (params, unit, gradOut) => {
    const { Wx, Wh, b, Wy, c } = named(params);
    const { X, mask, h0, target } = gatherBatch(data, unit.indices);
    return lossValueAndGradient(Wx, Wh, b, Wy, c[0]!, X, mask, h0, target, gradOut);
  };
}

/** Mean squared error over all of `data`, in batches of `batchSize`. */
export function addingMse(data: AddingData, batchSize = 256): (params: Float64Array) => number {
  const batches: AddingBatch[] = [];
  for (let start = 0; start < data.count; start += batchSize) {
    batches.push(gatherBatch(data, Array.from({ length: Math.min(batchSize, data.count - start) }, (_, r) => start + r)));
  }
  return (params) => {
    const { Wx, Wh, b, Wy, c } = unpackLoss(params);
    let total = 0;
    for (const { X, mask, h0, target } of batches) total += lossValue(Wx, Wh, b, Wy, c[0]!, X, mask, h0, target) * target.length;
    return total / data.count;
  };
}

/** The hidden state after each sequence's end (used by the truncated-BPTT check). */
export function lastHidden(params: Float64Array, batch: AddingBatch): Float64Array {
  const { Wx, Wh, b } = unpackLoss(params);
  return finalState(Wx, Wh, b, batch.X, batch.mask, batch.h0);
}

/**
 * Wx, Wh U(−a, a) with a = √(6 / (fan in + fan out)) (Glorot), Wy likewise
 * with fan out 1; biases and c 0.
 */
export function initAdding(seed: number): Float64Array {
  const rng = SeededRng.fromSeed(seed);
  const params = new Float64Array(lossLayout.size);
  for (const { name, shape, offset, size } of lossLayout.params) {
    if (name === 'b' || name === 'c') continue;
    const fanIn = shape[0]!;
    const fanOut = shape.length === 2 ? shape[1]! : 1;
    const a = Math.sqrt(6 / (fanIn + fanOut));
    for (let i = offset; i < offset + size; i++) params[i] = (2 * rng.float() - 1) * a;
  }
  return params;
}
