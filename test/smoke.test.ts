import { describe, expect, it } from 'vitest';

describe('toolchain', () => {
  it('runs TypeScript tests under vitest', () => {
    expect(Math.hypot(3, 4)).toBe(5);
  });
});
