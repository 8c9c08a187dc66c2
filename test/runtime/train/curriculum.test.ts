// The curriculum admits exactly the scheduled fraction of the easiest examples each
// epoch, shuffled with the seed within that set.
import { describe, expect, it } from 'vitest';
import { SGD, admittedCount, pacing, train, type PacingFunction } from '../../../runtime/index.ts';
import { makeRegression, mseLoss } from './problems.ts';

/** Indices seen per epoch (in order) by a training run with the given pacing. */
async function seenPerEpoch(difficulty: number[], pace: PacingFunction | Parameters<typeof pacingOption>[0], epochs: number, seed = 3): Promise<number[][]> {
  const n = difficulty.length;
  const data = makeRegression(n, 2, 0.1, 5);
  const inner = mseLoss(data);
  const seen: number[][] = Array.from({ length: epochs }, () => []);
  await train({
    params: new Float64Array(3),
    examples: n,
    loss: (p, unit, g) => {
      seen[unit.epoch]!.push(...unit.indices);
      return inner(p, unit, g);
    },
    optimizer: new SGD({ lr: 0.01 }),
    epochs,
    batchSize: 7,
    seed,
    curriculum: { difficulty, pacing: typeof pace === 'function' ? pace : pacingOption(pace) },
    progress: false,
  });
  return seen;
}

function pacingOption(kind: 'linear' | 'root' | 'step'): { kind: typeof kind; startFraction: number; fullAtEpoch: number; steps: number } {
  return { kind, startFraction: 0.25, fullAtEpoch: 6, steps: 3 };
}

/** A difficulty per example with ties, so the tie-break by index is exercised. */
const difficulty = Array.from({ length: 60 }, (_, i) => ((i * 37) % 60) % 20);
const byDifficulty = Array.from({ length: 60 }, (_, i) => i).sort((a, b) => difficulty[a]! - difficulty[b]! || a - b);

describe('curriculum learning', () => {
  for (const kind of ['linear', 'root', 'step'] as const) {
    it(`admits exactly the ⌈c(t)·n⌉ easiest examples each epoch (${kind} pacing)`, async () => {
      const c0 = 0.25;
      const T = 6;
      // The pacing formulas, written out here independently of the runtime's.
      const expected: Record<typeof kind, (t: number) => number> = {
        linear: (t) => Math.min(1, c0 + ((1 - c0) * t) / T),
        root: (t) => Math.min(1, Math.sqrt(c0 ** 2 + ((1 - c0 ** 2) * t) / T)),
        step: (t) => Math.min(1, c0 + ((1 - c0) * Math.floor(t / 2)) / 3),
      };
      const seen = await seenPerEpoch(difficulty, kind, 8);
      seen.forEach((indices, t) => {
        const count = Math.ceil(expected[kind](t) * 60 - 1e-9);
        expect(indices.length).toBe(count);
        expect([...indices].sort((a, b) => a - b)).toEqual(byDifficulty.slice(0, count).sort((a, b) => a - b));
      });
      expect(seen[0]!.length).toBe(15);
      expect(seen[7]!.length).toBe(60);
    });
  }

  it('shuffles within the admitted set with the seed: reproducible, and different across epochs and seeds', async () => {
    const flat = (t: number): number => (t < 2 ? 0.5 : 1);
    const a = await seenPerEpoch(difficulty, flat, 3, 3);
    const b = await seenPerEpoch(difficulty, flat, 3, 3);
    const c = await seenPerEpoch(difficulty, flat, 3, 4);
    expect(a).toEqual(b);
    expect(a[0]).not.toEqual(a[1]);
    expect(a[0]).not.toEqual(c[0]);
    expect(a[0]).not.toEqual(byDifficulty.slice(0, 30));
  });

  it('takes a difficulty function and a custom pacing, and rejects fractions outside (0, 1]', async () => {
    const seen = await seenPerEpoch(difficulty, (t) => [0.1, 0.5][t] ?? 1, 3);
    expect(seen.map((s) => s.length)).toEqual([6, 30, 60]);
    expect(admittedCount(0.6, 10)).toBe(6);
    expect(() => admittedCount(0, 10)).toThrow('must return a fraction in (0, 1]');
    expect(pacing('linear', { startFraction: 0.5, fullAtEpoch: 2 })(1)).toBe(0.75);
  });
});
