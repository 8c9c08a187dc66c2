/** Every example runs in CI: the Rosenbrock demo reaches the known minimum (1, 1). */
import { describe, expect, it } from 'vitest';
import { train } from '../../examples/rosenbrock/train.ts';

describe('examples/rosenbrock', () => {
  it('minimizes Rosenbrock from (-1.2, 1) to (1, 1) with Adam and warm restarts', () => {
    const result = train();
    expect(result.loss).toBeLessThan(1e-12);
    expect(Math.hypot(result.x[0]! - 1, result.x[1]! - 1)).toBeLessThan(1e-5);
  });
});
