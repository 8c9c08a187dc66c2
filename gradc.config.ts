// gradc's own config: `npm run gradc -- compile` regenerates every example's
// module, and CI runs `npm run gradc -- compile --check` to fail on a stale one.
import { defineConfig } from 'gradc/config';

export default defineConfig({
  inputs: ['examples/**/*.model.ts'],
});
