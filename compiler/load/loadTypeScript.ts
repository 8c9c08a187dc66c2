/**
 * TypeScript's compiler API, loaded on first use. It is large (about a third of
 * a second to load here), and only `gradc compile --check` (type-checking each
 * generated module) and `--emit js` (transpiling one) need it, so a plain compile
 * and `gradc diff` never load it. It is CommonJS, so a synchronous require works
 * from the synchronous compile path.
 */
import { createRequire } from 'node:module';
import type ts from 'typescript';

export type TypeScript = typeof ts;

let loaded: TypeScript | undefined;

export function loadTypeScript(): TypeScript {
  loaded ??= createRequire(import.meta.url)('typescript') as TypeScript;
  return loaded;
}
