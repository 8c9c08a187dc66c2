#!/usr/bin/env node
// The installed `gradc` command. It is built to dist/compiler/bin/gradc.js and runs
// as plain JavaScript: no TypeScript loader is registered, so start-up costs only
// what the command itself loads (cli.ts loads each command's dependencies on use).
// From a checkout, `npm run gradc` runs the sources with tsx instead.
import { main } from '../cli.ts';

process.exitCode = await main(process.argv.slice(2), {
  out: (s) => process.stdout.write(`${s}\n`),
  err: (s) => process.stderr.write(`${s}\n`),
});
