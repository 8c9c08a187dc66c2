/**
 * `gradc/unplugin`: model files compile as part of a Vite, Rollup or esbuild
 * build. An import of a generated module — `./foo.grad.ts`, `./foo.grad.js`,
 * `./foo.grad`, or `./foo.model.ts?grad` — next to a model file `foo.model.ts`
 * is served from a fresh compile of that model file (as JavaScript, so no
 * TypeScript plugin is needed after ours), whether or not a generated file is
 * on disk, and the model file is watched in watch mode and the dev server.
 *
 * ```ts
 * // vite.config.ts
 * import gradc from 'gradc/unplugin';
 * export default { plugins: [gradc.vite()] };
 * ```
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { createUnplugin, type UnpluginInstance } from 'unplugin';
import { SourceError } from '../errors.ts';
import type { Generate } from './generate.ts';

export interface GradcPluginOptions {
  /** Parameters to differentiate, overriding those the model files declare. */
  readonly wrt?: readonly string[];
  /** The compile step; the real compiler unless a test passes another. */
  readonly generate?: Generate;
}

/** Imports that name a generated module (query included). */
const GENERATED_IMPORT = /\.grad(\.[cm]?[jt]s)?$|\.model\.ts\?grad$/;
/** What our resolveId returns: the model file's generated JavaScript, by path. */
const RESOLVED = /\.model\.ts\.grad\.js$/;

/** The model file an import names, or undefined when there is none beside it. */
export function modelFileOf(id: string, importer: string | undefined): string | undefined {
  const base = isAbsolute(id) || importer === undefined ? id : resolve(dirname(importer), id);
  const model = base.replace(/\?grad$/, '').replace(/\.grad(\.[cm]?[jt]s)?$/, '.model.ts');
  return model.endsWith('.model.ts') && existsSync(model) ? model : undefined;
}

async function defaultGenerate(): Promise<Generate> {
  return (await import('./compileModelFileStep.ts')).compileModelFileStep;
}

function javascriptOf(generate: Generate, model: string, wrt: readonly string[] | undefined): string {
  try {
    const { files } = generate(model, { emit: 'js', ...(wrt !== undefined ? { wrt } : {}) });
    const js = files.find((f) => f.path.endsWith('.js'));
    if (js === undefined) throw new Error(`gradc: compiling ${model} with emit 'js' produced no .js file`);
    return js.content;
  } catch (e) {
    // The bundler prints the message; a located one, not gradc's stack.
    if (e instanceof SourceError) throw new Error(e.format());
    throw e;
  }
}

export const gradcPlugin: UnpluginInstance<GradcPluginOptions | undefined, false> = createUnplugin((options: GradcPluginOptions | undefined) => {
  let generate = options?.generate;
  return {
    name: 'gradc',
    enforce: 'pre',
    resolveId: {
      filter: { id: GENERATED_IMPORT },
      handler(id, importer) {
        const model = modelFileOf(id, importer);
        return model === undefined ? null : `${model}.grad.js`;
      },
    },
    load: {
      filter: { id: RESOLVED },
      async handler(id) {
        const model = id.replace(/\.grad\.js$/, '');
        this.addWatchFile(model);
        generate ??= await defaultGenerate();
        return javascriptOf(generate, model, options?.wrt);
      },
    },
  };
});

export default gradcPlugin;
