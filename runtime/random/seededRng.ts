// The runtime's one source of randomness: xoroshiro128+ from pure-rand, seeded once.
// Its whole state is four 32-bit numbers, so a checkpoint can store it and a resumed
// run draws exactly the numbers the uninterrupted run would have drawn.
//
// Independent streams come from xoroshiro128+'s jump, which advances the generator by
// 2^64 draws in one go: stream k of a generator is its state jumped k times, so
// streams 0, 1, 2, … (one per worker, say) do not overlap until one of them has drawn
// 2^64 numbers. A plain `fromSeed(seed + k)` gives no such guarantee.
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { JumpableRandomGenerator } from 'pure-rand/types/JumpableRandomGenerator';

export class SeededRng {
  private generator: JumpableRandomGenerator;

  private constructor(generator: JumpableRandomGenerator) {
    this.generator = generator;
  }

  /**
   * The generator for `seed`. The seed is spread over the 128 bits of state by
   * splitmix32 (the seeding xoroshiro's authors recommend): pure-rand's own
   * `xoroshiro128plus(seed)` puts the seed in one word beside constants, so its first
   * float is about 1 for every small seed and its second grows in steps of 1/16 with
   * the seed, which biased the first points and shuffle swaps drawn from nearby seeds.
   */
  static fromSeed(seed: number): SeededRng {
    if (!Number.isInteger(seed)) throw new RangeError(`Invalid seed ${seed}; pass an integer.`);
    const next = splitmix32((seed | 0) ^ Math.imul(Math.floor(seed / 0x1_0000_0000) | 0, 0x85eb_ca6b));
    const state = [next(), next(), next(), next()];
    // An all-zero state would draw zeros forever; splitmix32 gives four zeros for no 32-bit seed we know of, but be sure.
    if (!state.some((w) => w !== 0)) state[0] = 1;
    return new SeededRng(xoroshiro128plusFromState(state));
  }

  /** The generator whose `state()` was `state`: it draws what that one would have drawn next. */
  static fromState(state: readonly number[]): SeededRng {
    const words = state.length === 4 && state.every((w) => Number.isInteger(w) && w >= -0x8000_0000 && w <= 0xffff_ffff);
    if (!words || state.every((w) => w === 0)) {
      throw new RangeError(`Invalid generator state [${state.join(', ')}]; pass the four 32-bit integers (not all zero) that SeededRng.state() returned.`);
    }
    return new SeededRng(xoroshiro128plusFromState(state));
  }

  /** A copy of the generator's state, for checkpoints (plain numbers: JSON and structuredClone keep it). */
  state(): number[] {
    return [...this.generator.getState()];
  }

  /** Stream `k` (k = 0, 1, …) from this generator's current state: a new generator `k` jumps (k·2^64 draws) ahead. This one is unchanged. */
  stream(k: number): SeededRng {
    if (!Number.isInteger(k) || k < 0) throw new RangeError(`Invalid stream index ${k}; pass an integer >= 0.`);
    const generator = this.generator.clone();
    for (let i = 0; i < k; i++) generator.jump();
    return new SeededRng(generator);
  }

  /**
   * A new generator on the current stream, after which this one jumps to the next:
   * successive splits of a fresh generator are its streams 0, 1, 2, …, and neither
   * side ever draws the other's numbers (within 2^64 draws).
   */
  split(): SeededRng {
    const child = new SeededRng(this.generator.clone());
    this.generator.jump();
    return child;
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

  /** `float` as a function, for code that takes a `() => number` source of uniforms in [0, 1). */
  asFunction(): () => number {
    return () => this.float();
  }
}

/** splitmix32 (a 32-bit variant of Steele, Lea and Flood's splitmix): well-mixed words from any integer, for seeding only. */
function splitmix32(seed: number): () => number {
  let a = seed | 0;
  return () => {
    a = (a + 0x9e37_79b9) | 0;
    let t = a ^ (a >>> 16);
    t = Math.imul(t, 0x21f0_aaad);
    t ^= t >>> 15;
    t = Math.imul(t, 0x735a_2d97);
    return (t ^ (t >>> 15)) | 0;
  };
}
