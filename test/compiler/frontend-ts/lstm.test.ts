/**
 * A two-layer LSTM language model over a character sequence of run-time
 * length (issue 15, must show 1): every size named — sequence, vocabulary,
 * hidden — so one compiled module serves them all, each layer one loop node
 * whose per-step hidden states are pushed and stacked. The compiled loss
 * equals the eager run of the same file at two sizes, its gradient matches
 * central differences and its HVP differences of the gradient, and Adam on
 * the flat objective learns a periodic text.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileModelFile } from '../../../compiler/api/compileModelFile.ts';
import { loadModule } from '../../../compiler/load/loadModule.ts';
import { typeCheckModule } from '../../../compiler/load/typeCheckModule.ts';
import { Tensor } from '../../../compiler/prelude/tensor.ts';
import { Adam } from '../../../runtime/optim/adam.ts';
import { SeededRng } from '../../../runtime/random/seededRng.ts';
import * as eager from './fixtures/lstm.model.ts';
import { checkFlatDerivatives } from './flatDerivatives.ts';

const path = relative(process.cwd(), fileURLToPath(new URL('./fixtures/lstm.model.ts', import.meta.url)));
const source = compileModelFile(path).files[0]!.content;
const mod = loadModule(source);

interface Layout {
  readonly size: number;
  readonly params: readonly { readonly name: string; readonly shape: readonly number[]; readonly offset: number; readonly size: number }[];
}
interface Flat {
  readonly size: number;
  readonly value: (x: Float64Array) => number;
  readonly objective: (x: Float64Array, g: Float64Array) => number;
  readonly hvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
}
const layout = (vocab: number, hidden: number) => (mod['nextCharLossLayout'] as (v: number, h: number) => Layout)(vocab, hidden);
const flat = (chars: Float64Array, next: Float64Array, vocab: number, hidden: number) =>
  (mod['nextCharLossFlat'] as (c: Float64Array, n: Float64Array, v: number, h: number) => Flat)(chars, next, vocab, hidden);

/** Parameters drawn uniformly from ±1/√hidden, as PyTorch's nn.LSTM initializes them. */
function init(vocab: number, hidden: number, seed: number): Float64Array {
  const rng = SeededRng.fromSeed(seed);
  const scale = 1 / Math.sqrt(hidden);
  return Float64Array.from({ length: layout(vocab, hidden).size }, () => (2 * rng.float() - 1) * scale);
}

/** A text as inputs and next-character targets. */
function sequence(text: string, alphabet: string): { chars: Float64Array; next: Float64Array } {
  const codes = [...text].map((ch) => alphabet.indexOf(ch));
  return { chars: Float64Array.from(codes.slice(0, -1)), next: Float64Array.from(codes.slice(1)) };
}

/** The eager loss: the model file run as TypeScript on prelude tensors. */
function eagerLoss(x: Float64Array, vocab: number, hidden: number, chars: Float64Array, next: Float64Array): number {
  const args = layout(vocab, hidden).params.map((p) => new Tensor([...p.shape], x.slice(p.offset, p.offset + p.size)));
  const data = [new Tensor([chars.length], Float64Array.from(chars)), new Tensor([next.length], Float64Array.from(next))];
  return (eager.nextCharLoss as unknown as (...a: Tensor[]) => number)(...args, ...data);
}

describe('a two-layer LSTM language model with every size named', () => {
  it('type-checks strictly; its layout is a function of vocab and hidden', () => {
    expect(typeCheckModule(source)).toEqual([]);
    // E, V [vocab, hidden]; 16 [hidden, hidden] matrices and 8 [hidden] biases (2 layers × 4 gates); c [vocab].
    expect(layout(5, 3).size).toBe(2 * 5 * 3 + 16 * 9 + 8 * 3 + 5);
    expect(layout(7, 8).size).toBe(2 * 7 * 8 + 16 * 64 + 8 * 8 + 7);
  });

  for (const [text, alphabet, hidden] of [['abcabcab', 'abc', 3], ['the cat sat on the mat', ' acehmnost', 5]] as const) {
    it(`'${text}' (vocab ${alphabet.length}, hidden ${hidden}): eager value, central differences, HVP`, () => {
      const vocab = alphabet.length;
      const { chars, next } = sequence(text, alphabet);
      const f = flat(chars, next, vocab, hidden);
      const x = init(vocab, hidden, 3);
      expect(f.value(x)).toBeCloseTo(eagerLoss(x, vocab, hidden, chars, next), 12);
      checkFlatDerivatives(f, x, 9);
    });
  }

  it('Adam learns a periodic text: the next-character loss falls from ln 3 to under 0.05', () => {
    const { chars, next } = sequence('abcabcabcabcabcabcabcabc', 'abc');
    const f = flat(chars, next, 3, 6);
    const x = init(3, 6, 1);
    const start = f.value(x);
    expect(start).toBeCloseTo(Math.log(3), 0);
    const adam = new Adam({ lr: 0.05 });
    const g = new Float64Array(f.size);
    for (let step = 0; step < 300; step++) {
      f.objective(x, g);
      adam.step(x, g);
    }
    expect(f.value(x)).toBeLessThan(0.05);
  });
});
