// Truncated backpropagation through time (Williams & Peng 1990, k₁ = k₂ = k): a batch
// of long sequences is split into windows of k steps; each window is one unit of the
// trainer (one optimizer step unless accumulating), and the hidden state at the end
// of a window is the next window's starting state — a constant there, so no gradient
// flows across the boundary (PyTorch's `h = h.detach()` between windows). The state
// starts each batch from the given initial state (zeros by default, as PyTorch's
// `init_hidden`), and is part of every checkpoint, so a run resumed mid-sequence
// continues exactly.
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
  /**
   * Where each batch's first window starts (a constant: no gradient flows into it). A
   * vector of `stateSize` entries is every sequence's start (a fixed h₀); a function fills
   * `out` (indices.length × stateSize, row i for sequence indices[i]) with each sequence's
   * own, e.g. the state it ended an earlier run with (see `state()`). Default zeros.
   */
  readonly initialState?: Float64Array | ((indices: Int32Array, out: Float64Array) => void);
}

/** The carried state and whose it is: row i (stateSize entries) belongs to sequence indices[i]. */
export interface CarriedState {
  readonly indices: Int32Array;
  readonly state: Float64Array;
}

export interface TruncatedBPTT {
  /** The trainer's `loss`. */
  readonly loss: UnitLoss;
  /** The trainer's `recurrent` option: windows per batch and the carried state. */
  readonly carry: RecurrentCarry;
  /**
   * A copy of the state carried out of the last window run, with the sequences it
   * belongs to (after training: each sequence of the last batch's final state, to
   * continue from or to generate with). Empty before the first window, and its indices
   * are unknown (empty) right after a checkpoint is loaded, until the next window runs.
   */
  readonly state: () => CarriedState;
}

export function truncatedBPTT<W>(options: TruncatedBPTTOptions<W>): TruncatedBPTT {
  const { step, stateSize, windows } = options;
  let h: Float64Array = new Float64Array(0);
  let next: Float64Array = new Float64Array(0);
  let owners: Int32Array = new Int32Array(0);
  const loss: UnitLoss = (params, unit, gradOut) => {
    const n = unit.indices.length * stateSize;
    if (unit.window === 0) {
      if (h.length !== n) next = new Float64Array(n);
      h = startState(options, unit.indices);
    } else if (h.length !== n) {
      throw new RangeError(`Truncated BPTT: window ${unit.window} of a batch of ${unit.indices.length} sequences found a carried state of ${h.length} entries, not ${n}; windows of one batch must run in order.`);
    }
    const value = step(params, options.window(unit.indices, unit.window), h, gradOut, next);
    const t = h;
    h = next;
    next = t;
    // Copied once per batch (the trainer's index arrays are its own).
    if (unit.window === 0 || owners.length !== unit.indices.length) owners = unit.indices.slice();
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
      owners = new Int32Array(0);
    },
  };
  return { loss, carry, state: () => ({ indices: owners.slice(), state: h.slice() }) };
}

/** A batch's starting state: zeros, the one vector for every sequence, or each sequence's own. */
function startState<W>(options: TruncatedBPTTOptions<W>, indices: Int32Array): Float64Array {
  const { stateSize, initialState } = options;
  const h = new Float64Array(indices.length * stateSize);
  if (initialState === undefined) return h;
  if (typeof initialState === 'function') {
    initialState(indices, h);
    return h;
  }
  if (initialState.length !== stateSize) {
    throw new RangeError(`Truncated BPTT: initialState has ${initialState.length} entries, but a sequence's state has stateSize = ${stateSize}; pass one sequence's state (it starts every sequence), or a function (indices, out) => void that fills out with indices.length × ${stateSize} entries.`);
  }
  for (let i = 0; i < indices.length; i++) h.set(initialState, i * stateSize);
  return h;
}
