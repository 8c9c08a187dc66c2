/**
 * The real compile step of `gradc compile` and the bundler plugin: the
 * TypeScript front end and the model-module emitter, behind the `Generate`
 * signature the build machinery takes. Kept in its own file so the CLI loads
 * ts-morph only when it compiles model files.
 */
import { compileModelFile } from '../api/compileModelFile.ts';
import type { Generate } from './generate.ts';

export const compileModelFileStep: Generate = (path, options) => compileModelFile(path, options);
