import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `gradc/…` inside the checkout names the sources, as tsconfig.json's `paths` do for
 * tsc and tsx; package.json's `exports` name the build an installed package runs
 * (test/package/entries.test.ts checks that the three agree).
 */
export const SOURCE_ENTRIES: Readonly<Record<string, string>> = {
  gradc: './compiler/index.ts',
  'gradc/runtime': './runtime/index.ts',
  'gradc/prelude': './compiler/prelude/index.ts',
  'gradc/config': './compiler/config.ts',
  'gradc/unplugin': './compiler/build/unplugin.ts',
};

export default defineConfig({
  resolve: {
    alias: Object.entries(SOURCE_ENTRIES).map(([name, source]) => ({
      find: new RegExp(`^${name.replace('/', '\\/')}$`),
      replacement: fileURLToPath(new URL(source, import.meta.url)),
    })),
  },
  test: {
    include: ['test/**/*.test.ts'],
    // Two cores in CI: forks keep memory per test file bounded.
    pool: 'forks',
    testTimeout: 60_000,
  },
});
