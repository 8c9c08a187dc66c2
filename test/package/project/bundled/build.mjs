// The build-plugin way: esbuild with gradc's unplugin.
import { build } from 'esbuild';
import gradc from 'gradc/unplugin';

await build({
  entryPoints: [new URL('./app.mjs', import.meta.url).pathname],
  bundle: true,
  platform: 'node',
  format: 'esm',
  outfile: new URL('./out/app.mjs', import.meta.url).pathname,
  plugins: [gradc.esbuild()],
  logLevel: 'warning',
});
