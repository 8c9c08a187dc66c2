#!/usr/bin/env node
// The installed `gradc` command. It is built to dist/compiler/bin/gradc.js and runs
// as plain JavaScript: no TypeScript loader is registered, so start-up costs only
// what the command itself loads (cli.ts loads each command's dependencies on use).
// From a checkout, `npm run gradc` runs the sources with tsx instead.
import nodeModule from 'node:module';

// Node 22.1+ keeps V8's compiled code of the modules a command loads (ts-morph's
// bundled TypeScript is most of a compile's start-up) in a cache between runs. Node 20
// has no such function and runs as before. Called before the CLI is imported, so the
// cache covers it.
(nodeModule as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { main } = await import('../cli.ts');
process.exitCode = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
});
