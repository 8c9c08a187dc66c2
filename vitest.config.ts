import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Two cores in CI: forks keep memory per test file bounded.
    pool: 'forks',
    testTimeout: 60_000,
  },
});
