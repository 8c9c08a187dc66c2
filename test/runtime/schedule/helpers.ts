import { expect } from 'vitest';
import type { LRScheduler } from '../../../runtime/index.ts';

/** lr at epochs 0…n−1: the value after construction, then after each step(). */
export function lrSequence(sched: LRScheduler, n = 60): number[] {
  const out = [sched.getLastLr()];
  for (let e = 1; e < n; e++) {
    sched.step();
    expect(sched.optimizer.lr).toBe(sched.getLastLr());
    out.push(sched.getLastLr());
  }
  return out;
}

/** Every entry within 1e-12 relative (absolute below 1). */
export function expectLrsClose(actual: readonly number[], expected: readonly number[], tol = 1e-12): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((x, e) => {
    const want = expected[e]!;
    if (Math.abs(x - want) > tol * Math.max(1, Math.abs(want))) {
      expect.fail(`epoch ${e}: lr ${x} differs from ${want} by ${Math.abs(x - want)}`);
    }
  });
}

export const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
