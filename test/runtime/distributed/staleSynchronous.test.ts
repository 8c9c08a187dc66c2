// The stale-synchronous rule, against brute force: for small cases, a start or an
// apply is allowed exactly when some order of applying the unapplied gradients keeps
// every one within the bound (the rule claims oldest-first is the best order).
import { describe, expect, it } from 'vitest';
import { mayApply, mayStart } from '../../../runtime/distributed/staleSynchronous.ts';

/** Whether the gradients read at `reads` can all be applied from `version` on, in some order, each within `bound`. */
function feasible(version: number, reads: readonly number[], bound: number): boolean {
  if (reads.length === 0) return true;
  return reads.some((r, i) => version - r <= bound && feasible(version + 1, reads.filter((_, j) => j !== i), bound));
}

describe('stale-synchronous parallel: when a worker may start and a gradient may be applied', () => {
  it('mayApply(V, others, s) holds exactly when, after applying at V, the others can still all be applied within s', () => {
    let cases = 0;
    for (let bound = 0; bound <= 3; bound++) {
      for (let version = 0; version <= 4; version++) {
        // Every multiset of up to 3 read versions in [version − bound, version]: the states the rule keeps.
        const reads = Array.from({ length: bound + 1 }, (_, i) => version - i).filter((r) => r >= 0);
        for (const others of multisets(reads, 3)) {
          expect(mayApply(version, others, bound)).toBe(feasible(version + 1, others, bound));
          cases++;
        }
      }
    }
    expect(cases).toBeGreaterThan(100);
  });

  it('mayStart allows at most s + 1 gradients unapplied, the most that a worst arrival order keeps within s', () => {
    for (let bound = 0; bound <= 3; bound++) {
      for (let unapplied = 0; unapplied <= 5; unapplied++) {
        // All read at the current version: the new one is applied last in the best order, after `unapplied` others.
        expect(mayStart(unapplied, bound)).toBe(feasible(7, Array(unapplied + 1).fill(7), bound));
      }
    }
  });
});

function multisets(values: readonly number[], most: number): number[][] {
  const out: number[][] = [[]];
  const grow = (from: number, current: number[]): void => {
    for (let i = from; i < values.length; i++) {
      const next = [...current, values[i]!];
      out.push(next);
      if (next.length < most) grow(i, next);
    }
  };
  grow(0, []);
  return out;
}
