/**
 * Checkpointing the tape of reverse mode through a loop: at T = 10 000 the
 * kept tape is at most a tenth of the full carry history, and gradients
 * (and H·v) are bit-identical to the full-tape ones, since the backward
 * sweep reruns the very same step code from the snapshots. Evenly spaced
 * snapshots, a halving stack of about log₂ T states, and a memory budget
 * that picks between them.
 */
import { describe, expect, it } from 'vitest';
import { compileModel } from '../../compiler/api/compileModel.ts';
import type { CompiledModel } from '../../compiler/api/compileModel.ts';
import { tapeReport } from '../../compiler/emit/loops/tape.ts';
import type { LoopOptions } from '../../compiler/ir/scan.ts';
import { seededRandom } from './gradcheck.ts';
import { scanRnn } from './scanModel.ts';
import type { RnnSizes } from './scanModel.ts';

type Kernel = (...args: unknown[]) => unknown;

const T = 10_000;
const [B, D, H] = [1, 2, 4];

function compile(sizes: RnnSizes, options: LoopOptions = {}): CompiledModel {
  const m = scanRnn(sizes, options);
  return compileModel({ inputs: [...m.params, ...m.data], loss: m.loss, wrt: m.params });
}

const random = seededRandom(2024);
const fill = (n: number, scale: number) => Float64Array.from({ length: n }, () => scale * (2 * random() - 1));
const values: Record<string, Float64Array> = {
  W: fill(D * H, 0.5), U: fill(H * H, 0.5), b: fill(H, 0.5), h0: fill(B * H, 1), xs: fill(T * B * D, 1), C: fill(T * B * H, 1),
};
const tangents = [fill(D * H, 1), fill(H * H, 1), fill(H, 1), fill(B * H, 1)];

function run(model: CompiledModel, sizeArgs: readonly number[] = []) {
  const args = [...model.derivatives.inputs.map((x) => values[x.name]!), ...sizeArgs];
  const k = (name: string) => model.kernels[name] as Kernel;
  const grad = new Float64Array(model.size);
  const value = k('valueAndGradient')(...args, grad) as number;
  const hvp = k('hvp')(...model.derivatives.inputs.map((x) => values[x.name]!), ...tangents, ...sizeArgs, new Float64Array(model.size)) as Float64Array;
  return { value, grad: [...grad], hvp: [...hvp] };
}

/** Bit for bit, signed zeros included. */
function expectIdentical(a: readonly number[], b: readonly number[], what: string): void {
  expect(a.length, what).toBe(b.length);
  const differ = a.flatMap((x, i) => (Object.is(x, b[i]) ? [] : [i]));
  expect(differ, what).toEqual([]);
}

const tapeOf = (m: CompiledModel, sizes: Record<string, number> = {}) => tapeReport([m.derivatives.value, ...m.derivatives.gradient], sizes);

describe('checkpointed BPTT over T = 10 000 steps', () => {
  const full = compile({ T, B, D, H });
  const reference = run(full);

  // 97 does not divide 10 000: the last segment is short.
  it.each([['sqrt'], [100], [97]] as const)('checkpoint %s: tape at most a tenth of the full one, gradient and H·v bit-identical', (checkpoint) => {
    const model = compile({ T, B, D, H }, { checkpoint });
    const tape = tapeOf(model);
    const fullTape = tapeOf(full);
    expect(fullTape.elements).toBe(T * B * H);
    expect(tape.fullElements).toBe(fullTape.elements);
    expect(tape.elements).toBeLessThanOrEqual(fullTape.elements / 10);
    expect(tape.bytes).toBe(8 * tape.elements);
    const K = checkpoint === 'sqrt' ? Math.ceil(Math.sqrt(T)) : checkpoint;
    // Snapshots every K steps, one segment of K rows and the state being rerun; each segment rerun once.
    expect(tape.elements).toBe((Math.ceil(T / K) + K + 1) * B * H);
    expect(tape.recomputedSteps).toBe(T - Math.ceil(T / K));
    const got = run(model);
    expect(got.value).toBe(reference.value);
    expectIdentical(got.grad, reference.grad, 'gradient');
    expectIdentical(got.hvp, reference.hvp, 'H·v');
  });

  it("checkpoint 'log': a stack of ⌊log₂ T⌋ + 2 states refined by halving, bit-identical, O(T log T) reruns", () => {
    const model = compile({ T, B, D, H }, { checkpoint: 'log' });
    const tape = tapeOf(model);
    const slots = Math.floor(Math.log2(T)) + 2;
    // The stack, its step numbers, and the working state.
    expect(tape.elements).toBe((slots + 1) * B * H + slots);
    expect(tape.recomputedSteps).toBeGreaterThan(T);
    expect(tape.recomputedSteps).toBeLessThanOrEqual((T * Math.ceil(Math.log2(T))) / 2 + T);
    const got = run(model);
    expectIdentical(got.grad, reference.grad, 'gradient');
    expectIdentical(got.hvp, reference.hvp, 'H·v');
  });

  it('a memory budget picks the cheapest scheme that fits, or says what the least budget is', () => {
    const fits = (budget: number) => tapeOf(compile({ T, B, D, H }, { checkpoint: { budget } }));
    // Snapshots fit in 300 states; halving needs only 16 of them; 20 000 keeps the whole history.
    expect(fits(300).elements).toBeLessThanOrEqual(300 * B * H);
    expect(fits(300).recomputedSteps).toBeLessThan(T);
    expect(fits(20).elements).toBeLessThanOrEqual(20 * B * H + 20);
    expect(fits(20).recomputedSteps).toBeGreaterThan(T);
    expect(fits(20_000).elements).toBe(T * B * H);
    expect(() => compile({ T, B, D, H }, { checkpoint: { budget: 10 } })).toThrow('a budget of 10 states is too small for 10000 steps; the least is 16');
    expectIdentical(run(compile({ T, B, D, H }, { checkpoint: { budget: 300 } })).grad, reference.grad, 'gradient');
  });

  it('sizes the tape from a named trip count at run time, with the same gradient', () => {
    for (const checkpoint of ['sqrt', 'log'] as const) {
      const model = compile({ T: 'T', B, D, H }, { checkpoint });
      const tape = tapeOf(model, { T });
      expect(tape.elements).toBeLessThanOrEqual(tapeOf(full).elements / 10);
      expect(model.source).toContain(checkpoint === 'sqrt' ? 'Math.ceil(Math.sqrt(T))' : 'Math.floor(Math.log2(Math.max(T, 1)))');
      const got = run(model, [T]);
      expectIdentical(got.grad, reference.grad, 'gradient');
    }
  });

  it('combines with truncation: bit-identical to the truncated full-tape gradient', () => {
    const truncated = run(compile({ T, B, D, H }, { truncate: 10 }));
    for (const checkpoint of ['sqrt', 'log'] as const) {
      const both = run(compile({ T, B, D, H }, { truncate: 10, checkpoint }));
      expectIdentical(both.grad, truncated.grad, 'gradient');
      expectIdentical(both.hvp, truncated.hvp, 'H·v');
    }
  });

  it('keeps only the forward value kernel free of any tape', () => {
    const model = compile({ T, B, D, H }, { checkpoint: 'sqrt' });
    expect(tapeReport([model.derivatives.value]).elements).toBe(0);
  });
});
