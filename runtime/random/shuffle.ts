// Random orders of 0 … n − 1, drawn from a SeededRng (epoch orders, data splits).
import type { SeededRng } from './seededRng.ts';

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
