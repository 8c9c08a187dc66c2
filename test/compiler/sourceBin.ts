/**
 * The `gradc` bin run from the sources, as a child process: node with tsx's
 * loader, resolved from this checkout (a test's working folder may be a temp
 * folder without node_modules). The built bin, as installed, is exercised by
 * the package test (test/package).
 */
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const BIN = fileURLToPath(new URL('../../compiler/bin/gradc.ts', import.meta.url));
const TSX_LOADER = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

/** Arguments for `process.execPath` that run `gradc <argv…>` from the sources. */
export const sourceBinArgs = (...argv: string[]): string[] => ['--import', TSX_LOADER, BIN, ...argv];
