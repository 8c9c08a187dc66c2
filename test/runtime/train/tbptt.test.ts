// Truncated BPTT: each window's gradient treats the carried state as a constant
// (checked by central differences with hIn held fixed), the trainer's recurrent
// mode equals a hand-written loop over windows with the state carried, the carried
// state survives a checkpoint mid-sequence, and the RNN learns a delay task whose
// answer at a window's first step lies in the previous window. A given initial state
// (one vector for every sequence, or each sequence's own) starts each batch instead of
// zeros, and the state carried out of the last window is readable with its sequences.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SGD, SeededRng, epochOrder, train, truncatedBPTT } from '../../../runtime/index.ts';
import { H, PARAMS, delayTask, rnnStep, windowOf, type Window } from './rnn.ts';

const LENGTH = 24;
const K = 6;
const SEQUENCES = 20;
const rand = SeededRng.fromSeed(8).asFunction();
const data = delayTask(SEQUENCES, LENGTH, 1, rand);
const initial = Float64Array.from({ length: PARAMS }, () => 0.4 * (2 * rand() - 1));

function options(params: Float64Array, epochs: number) {
  const tb = truncatedBPTT({ step: rnnStep, stateSize: H, windows: LENGTH / K, window: windowOf(data, LENGTH, K) });
  return { params, examples: SEQUENCES, loss: tb.loss, recurrent: tb.carry, optimizer: new SGD({ lr: 0.2, momentum: 0.5 }), epochs, batchSize: 8, seed: 4, progress: false as const };
}

describe('truncated BPTT', () => {
  it('gives each window the gradient with the incoming state held constant', () => {
    const win: Window = windowOf(data, LENGTH, K)(Int32Array.from([3, 7]), 2);
    const hIn = Float64Array.from({ length: 2 * H }, (_, i) => Math.sin(i + 1) * 0.5);
    const grad = new Float64Array(PARAMS);
    rnnStep(initial, win, hIn, grad, new Float64Array(2 * H));
    const eps = 1e-6;
    for (let i = 0; i < PARAMS; i++) {
      const at = (d: number): number => {
        const p = initial.slice();
        p[i] += d;
        return rnnStep(p, win, hIn, new Float64Array(PARAMS), new Float64Array(2 * H));
      };
      expect(Math.abs((at(eps) - at(-eps)) / (2 * eps) - grad[i]!)).toBeLessThan(1e-8);
    }
  });

  it('steps once per window, carrying the state across windows and resetting it per batch', async () => {
    const params = initial.slice();
    await train(options(params, 3));
    // The same thing by hand.
    const manual = initial.slice();
    const sgd = new SGD({ lr: 0.2, momentum: 0.5 });
    const window = windowOf(data, LENGTH, K);
    let rng = SeededRng.fromSeed(4);
    for (let epoch = 0; epoch < 3; epoch++) {
      const order = epochOrder(epoch, SEQUENCES, rng, {}, null);
      for (let start = 0; start < SEQUENCES; start += 8) {
        const seqs = order.subarray(start, Math.min(SEQUENCES, start + 8));
        let h = new Float64Array(seqs.length * H);
        for (let w = 0; w < LENGTH / K; w++) {
          const g = new Float64Array(PARAMS);
          const next = new Float64Array(seqs.length * H);
          rnnStep(manual, window(seqs, w), h, g, next);
          sgd.step(manual, g);
          h = next;
        }
      }
      rng = SeededRng.fromState(rng.state());
    }
    expect(Array.from(params)).toEqual(Array.from(manual));
  });

  it("skipping a non-finite window: the diagnosis re-run leaves the carried state as the step left it", async () => {
    // Window 2 of every batch holding sequence 5 turns NaN; 'skip' drops those steps.
    const window = windowOf(data, LENGTH, K);
    const poisoned = (seqs: Int32Array, w: number): Window => {
      const win = window(seqs, w);
      return w === 2 && seqs.includes(5) ? { ...win, x: win.x.map((v, i) => (i === 0 ? NaN : v)) } : win;
    };
    const run = async (diagnose: false | undefined): Promise<{ params: Float64Array; skipped: number; carry: number[][] }> => {
      const tb = truncatedBPTT({ step: rnnStep, stateSize: H, windows: LENGTH / K, window: poisoned });
      const params = initial.slice();
      const carry: number[][] = [];
      const result = await train({
        ...options(params, 2),
        loss: tb.loss,
        recurrent: tb.carry,
        nonFinite: 'skip',
        ...(diagnose === false ? { diagnose } : {}),
        callbacks: { onStep: () => carry.push(Array.from(tb.carry.saveState())) },
      });
      return { params, skipped: result.skippedSteps, carry };
    };
    const plain = await run(false);
    const diagnosed = await run(undefined);
    // Twice per epoch: the poisoned window, and the next one, whose carried state is NaN.
    expect(plain.skipped).toBe(4);
    expect(diagnosed.skipped).toBe(4);
    expect(diagnosed.carry).toEqual(plain.carry);
    expect(Array.from(diagnosed.params)).toEqual(Array.from(plain.params));
  });

  it('saveStateInto copies the carried state into the given array when it fits', () => {
    const tb = truncatedBPTT({ step: rnnStep, stateSize: H, windows: LENGTH / K, window: windowOf(data, LENGTH, K) });
    tb.loss(initial, { indices: Int32Array.from([1, 2]), window: 0, windows: LENGTH / K, epoch: 0 }, new Float64Array(PARAMS));
    const out = new Float64Array(2 * H);
    expect(tb.carry.saveStateInto!(out)).toBe(out);
    expect(Array.from(out)).toEqual(Array.from(tb.carry.saveState()));
    const wrong = new Float64Array(1);
    expect(tb.carry.saveStateInto!(wrong)).not.toBe(wrong);
  });

  it('resumes mid-sequence from a checkpoint with the carried state, bit for bit', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'gradc-tbptt-')), 'ckpt.json');
    const whole = initial.slice();
    await train(options(whole, 3));
    const crashed = initial.slice();
    // 3 batches × 4 windows per epoch; checkpoint at step 6 (window 2 of batch 2), crash at step 8.
    const crash = train({ ...options(crashed, 3), checkpoint: { path, everySteps: 6 }, callbacks: { onStep: ({ step }) => { if (step === 8) throw new Error('crash'); } } });
    await expect(crash).rejects.toThrow('crash');
    const resumed = new Float64Array(PARAMS);
    const result = await train({ ...options(resumed, 3), checkpoint: { path } });
    expect(result.resumedFrom).toEqual({ epoch: 0, step: 6 });
    expect(Buffer.from(resumed.buffer).equals(Buffer.from(whole.buffer))).toBe(true);
  });

  it('learns the delay task, whose target at each window start is in the previous window', async () => {
    const params = initial.slice();
    const result = await train({ ...options(params, 60), optimizer: new SGD({ lr: 0.3, momentum: 0.9 }) });
    const first = result.history[0]!.trainLoss;
    const last = result.history[result.history.length - 1]!.trainLoss;
    expect(last).toBeLessThan(0.1 * first);
  });

  /** Training by hand: each batch from `start(seqs)`, the state carried across its windows; the final states by sequence. */
  function manualRun(epochs: number, start: (seqs: Int32Array) => Float64Array): { params: Float64Array; finals: Map<number, number[]> } {
    const manual = initial.slice();
    const sgd = new SGD({ lr: 0.2, momentum: 0.5 });
    const window = windowOf(data, LENGTH, K);
    const finals = new Map<number, number[]>();
    let rng = SeededRng.fromSeed(4);
    for (let epoch = 0; epoch < epochs; epoch++) {
      const order = epochOrder(epoch, SEQUENCES, rng, {}, null);
      for (let start0 = 0; start0 < SEQUENCES; start0 += 8) {
        const seqs = order.subarray(start0, Math.min(SEQUENCES, start0 + 8));
        let h = start(seqs);
        for (let w = 0; w < LENGTH / K; w++) {
          const g = new Float64Array(PARAMS);
          const next = new Float64Array(seqs.length * H);
          rnnStep(manual, window(seqs, w), h, g, next);
          sgd.step(manual, g);
          h = next;
        }
        seqs.forEach((s, i) => finals.set(s, Array.from(h.subarray(i * H, (i + 1) * H))));
      }
      rng = SeededRng.fromState(rng.state());
    }
    return { params: manual, finals };
  }

  it('starts every batch from a given h₀ vector, and carries it across the windows', async () => {
    const h0 = Float64Array.from({ length: H }, (_, i) => 0.3 * Math.cos(i));
    const tb = truncatedBPTT({ step: rnnStep, stateSize: H, windows: LENGTH / K, window: windowOf(data, LENGTH, K), initialState: h0 });
    const params = initial.slice();
    await train({ ...options(params, 2), loss: tb.loss, recurrent: tb.carry });
    const manual = manualRun(2, (seqs) => {
      const h = new Float64Array(seqs.length * H);
      seqs.forEach((_, i) => h.set(h0, i * H));
      return h;
    });
    expect(Array.from(params)).toEqual(Array.from(manual.params));
    // And it matters: from zeros the run differs.
    expect(Array.from(params)).not.toEqual(Array.from(manualRun(2, (seqs) => new Float64Array(seqs.length * H)).params));
  });

  it("starts each sequence from its own state, and state() gives each sequence's final state to continue from", async () => {
    // Per-sequence states a user keeps, e.g. from an earlier run: row i of out is sequence indices[i]'s.
    const own = (s: number) => Array.from({ length: H }, (_, j) => 0.1 * Math.sin(s + j));
    const initialState = (indices: Int32Array, out: Float64Array): void => indices.forEach((s, i) => out.set(own(s), i * H));
    const tb = truncatedBPTT({ step: rnnStep, stateSize: H, windows: LENGTH / K, window: windowOf(data, LENGTH, K), initialState });
    expect(tb.state().state.length).toBe(0);
    const params = initial.slice();
    await train({ ...options(params, 2), loss: tb.loss, recurrent: tb.carry });
    const manual = manualRun(2, (seqs) => {
      const h = new Float64Array(seqs.length * H);
      initialState(seqs, h);
      return h;
    });
    expect(Array.from(params)).toEqual(Array.from(manual.params));
    const { indices, state } = tb.state();
    expect(indices.length).toBe(SEQUENCES % 8 === 0 ? 8 : SEQUENCES % 8);
    expect(state.length).toBe(indices.length * H);
    indices.forEach((s, i) => expect(Array.from(state.subarray(i * H, (i + 1) * H))).toEqual(manual.finals.get(s)));
  });

  it('refuses an initial state of the wrong length, saying what it takes', () => {
    const tb = truncatedBPTT({ step: rnnStep, stateSize: H, windows: LENGTH / K, window: windowOf(data, LENGTH, K), initialState: new Float64Array(H + 1) });
    expect(() => tb.loss(initial, { indices: Int32Array.from([1, 2]), window: 0, windows: LENGTH / K, epoch: 0 }, new Float64Array(PARAMS)))
      .toThrow(`initialState has ${H + 1} entries, but a sequence's state has stateSize = ${H}`);
  });
});
