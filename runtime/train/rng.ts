// The trainer's one source of randomness: xoroshiro128+ from pure-rand, seeded once.
// Its whole state is four 32-bit numbers, so a checkpoint can store it and a resumed
// run draws exactly the numbers the uninterrupted run would have drawn.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

export class SeededRng {
  private generator: JumpableRandomGenerator;

  private constructor(generator: JumpableRandomGenerator) {
    this.generator = generator;
  }

  static fromSeed(seed: number): SeededRng {
    if (!Number.isInteger(seed)) throw new RangeError(`Invalid seed ${seed}; pass an integer.`);
    return new SeededRng(xoroshiro128plus(seed));
  }

  static fromState(state: readonly number[]): SeededRng {
    return new SeededRng(xoroshiro128plusFromState(state));
  }

  /** A copy of the generator's state, for checkpoints. */
  state(): number[] {
    return [...this.generator.getState()];
  }

  /** A uniform integer in [from, to], both included. */
  int(from: number, to: number): number {
    return uniformInt(this.generator, from, to);
  }

  /** A uniform double in [0, 1) (53 random bits). */
  float(): number {
    return uniformFloat64(this.generator);
  }

  /** A standard normal sample (Box–Muller, two uniform draws; 1 − u is in (0, 1], so the logarithm is finite). */
  normal(): number {
    const u = 1 - this.float();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.float());
  }
}

/** Shuffles `items` in place (Fisher–Yates: every permutation equally likely). */
export function shuffleInPlace(items: Int32Array, rng: SeededRng): Int32Array {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(0, i);
    const t = items[i]!;
    items[i] = items[j]!;
    items[j] = t;
  }
  return items;
}

/** 0, 1, …, n − 1. */
export function range(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}
