// Truncated backpropagation through time (Williams & Peng 1990, k₁ = k₂ = k): a batch
// of long sequences is split into windows of k steps; each window is one unit of the
// trainer (one optimizer step unless accumulating), and the hidden state at the end
// of a window is the next window's starting state — a constant there, so no gradient
// flows across the boundary. The state resets at the first window of each batch, and
// is part of every checkpoint, so a run resumed mid-sequence continues exactly.
import type { RecurrentCarry, UnitLoss } from './options.ts';

/**
 * A recurrent model over one window: the loss of the window starting from hidden
 * state `hIn` (treated as a constant), its gradient with respect to the flat
 * parameters into `gradOut`, and the final hidden state into `hOut`.
 */
export type RecurrentStep<W> = (params: Float64Array, window: W, hIn: Float64Array, gradOut: Float64Array, hOut: Float64Array) => number;

export interface TruncatedBPTTOptions<W> {
  readonly step: RecurrentStep<W>;
  /** Hidden-state entries per sequence (the carried state is batch × stateSize). */
  readonly stateSize: number;
  /** Windows per sequence (sequence length / k). */
  readonly windows: number;
  /** The data of window `w` of the sequences `indices` (e.g. their steps w·k … (w+1)·k − 1). */
  readonly window: (indices: Int32Array, w: number) => W;
}

export interface TruncatedBPTT {
  /** The trainer's `loss`. */
  readonly loss: UnitLoss;
  /** The trainer's `recurrent` option: windows per batch and the carried state. */
  readonly carry: RecurrentCarry;
}

export function truncatedBPTT<W>(options: TruncatedBPTTOptions<W>): TruncatedBPTT {
  const { step, stateSize, windows } = options;
  let h = new Float64Array(0);
  let next = new Float64Array(0);
  const loss: UnitLoss = (params, unit, gradOut) => {
    const n = unit.indices.length * stateSize;
    if (unit.window === 0) {
      if (h.length !== n) next = new Float64Array(n);
      h = new Float64Array(n);
    } else if (h.length !== n) {
      throw new RangeError(`Truncated BPTT: window ${unit.window} of a batch of ${unit.indices.length} sequences found a carried state of ${h.length} entries, not ${n}; windows of one batch must run in order.`);
    }
    const value = step(params, options.window(unit.indices, unit.window), h, gradOut, next);
    const t = h;
    h = next;
    next = t;
    return value;
  };
  const carry: RecurrentCarry = {
    windows,
    saveState: () => h.slice(),
    saveStateInto: (out) => {
      if (out.length !== h.length) return h.slice();
      out.set(h);
      return out;
    },
    loadState: (s) => {
      h = s.slice();
      next = new Float64Array(s.length);
    },
  };
  return { loss, carry };
}
