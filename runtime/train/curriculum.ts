// Curriculum learning (Bengio et al. 2009): each epoch sees only the easiest
// fraction of the training set, growing to all of it. The fraction comes from a
// pacing function of the epoch; the competence-based forms are from Platanios et al.
// 2019, with c₀ the starting fraction and T the epoch from which everything is seen:
//
//   linear  c(t) = min(1, c₀ + (1 − c₀) t / T)
//   root    c(t) = min(1, √(c₀² + (1 − c₀²) t / T))      (grows fast early, then slows)
//   step    c(t) = min(1, c₀ + (1 − c₀) ⌊t / (T / s)⌋ / s)  (s equal jumps)
//
// The admitted examples are the ⌈c(t) · n⌉ easiest, ties broken by index, so the set
// only ever grows; the trainer shuffles within it with its seed.

/** Fraction in (0, 1] of the easiest examples admitted at `epoch` (0-based). */
export type PacingFunction = (epoch: number) => number;

export type PacingKind = 'linear' | 'root' | 'step';

export interface PacingOptions {
  /** Fraction admitted at epoch 0 (c₀). Default 0.2. */
  readonly startFraction?: number;
  /** First epoch at which every example is admitted (T). */
  readonly fullAtEpoch: number;
  /** Number of jumps for 'step' pacing. Default 4. */
  readonly steps?: number;
}

export function pacing(kind: PacingKind, options: PacingOptions): PacingFunction {
  const c0 = options.startFraction ?? 0.2;
  const T = options.fullAtEpoch;
  if (!(c0 > 0 && c0 <= 1)) throw new RangeError(`Invalid startFraction ${c0}; it must be in (0, 1].`);
  if (!(T > 0)) throw new RangeError(`Invalid fullAtEpoch ${T}; it must be > 0.`);
  switch (kind) {
    case 'linear':
      return (t) => Math.min(1, c0 + ((1 - c0) * t) / T);
    case 'root':
      return (t) => Math.min(1, Math.sqrt(c0 * c0 + ((1 - c0 * c0) * t) / T));
    case 'step': {
      const s = options.steps ?? 4;
      if (!(Number.isInteger(s) && s >= 1)) throw new RangeError(`Invalid steps ${s}; it must be an integer >= 1.`);
      return (t) => Math.min(1, c0 + ((1 - c0) * Math.floor(t / (T / s))) / s);
    }
  }
}

export interface CurriculumOptions {
  /** A difficulty per training example (lower is easier), or a function of its index. */
  readonly difficulty: ArrayLike<number> | ((index: number) => number);
  /** How the admitted fraction grows: a named pacing (with its options) or a function. */
  readonly pacing: PacingFunction | ({ readonly kind: PacingKind } & PacingOptions);
}

/** The examples from easiest to hardest: a stable sort by difficulty. */
export function easiestFirst(difficulty: CurriculumOptions['difficulty'], count: number): Int32Array {
  const score = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const d = typeof difficulty === 'function' ? difficulty(i) : difficulty[i];
    if (d === undefined || Number.isNaN(d)) throw new RangeError(`Example ${i} has no difficulty (got ${d}); give every example a number.`);
    score[i] = d;
  }
  const order = Int32Array.from({ length: count }, (_, i) => i);
  return order.sort((a, b) => score[a]! - score[b]! || a - b);
}

/**
 * How many of `count` examples a fraction admits: ⌈fraction · count⌉, at least one.
 * A product within 1e-9 of an integer counts as that integer, so 0.6 · 10 admits 6
 * examples, not 7 (it is 6.000000000000001 in floating point).
 */
export function admittedCount(fraction: number, count: number): number {
  if (!(fraction > 0 && fraction <= 1)) throw new RangeError(`The pacing function gave ${fraction}; it must return a fraction in (0, 1].`);
  const exact = fraction * count;
  const nearest = Math.round(exact);
  const n = Math.abs(exact - nearest) <= 1e-9 * Math.max(1, exact) ? nearest : Math.ceil(exact);
  return Math.max(1, Math.min(count, n));
}

export function pacingFunction(p: CurriculumOptions['pacing']): PacingFunction {
  return typeof p === 'function' ? p : pacing(p.kind, p);
}
