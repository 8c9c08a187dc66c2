/**
 * A model file (`*.model.ts`) to the files `gradc compile` writes: the
 * generated module `<name>.grad.ts` beside it (or in `outDir`), or with
 * `emit: 'js'` the pair `<name>.grad.js` + `<name>.grad.d.ts`. Pure apart
 * from reading the model (and the model files it imports) when no text is
 * given; mistakes in the model throw the front end's SourceError.
 */
import { basename, dirname, isAbsolute, join, relative } from 'node:path';
import type { DeriveOptions } from '../autodiff/derive.ts';
import { parseModelFile } from '../frontend/typescript/parseModelFile.ts';
import { withFreshOrigins } from '../ir/origin.ts';
import { emitModelModule } from '../module/emitModelModule.ts';
import { toJavaScript } from '../module/toJavaScript.ts';
import { parseEmit } from '../module/emitSpec.ts';
import type { EmitSpec } from '../module/emitSpec.ts';
import type { HealthBuildOptions } from '../emit/healthOption.ts';

export interface CompileModelFileOptions extends DeriveOptions {
  /** The model file's text; read from `path` when omitted. */
  readonly text?: string;
  /** Parameters to differentiate, overriding the model file's `Param` declarations. */
  readonly wrt?: readonly string[];
  /**
   * The language — `ts` (default): `<name>.grad.ts`; `js`: `<name>.grad.js` and `<name>.grad.d.ts` — and
   * which functions the module carries, in one list: `'js'`, `['value', 'gradient']`, `['js', 'value', 'vjp']`
   * (module/emitSpec.ts; no function kind named means the default set).
   */
  readonly emit?: EmitSpec;
  /** A folder for the generated files instead of beside the model file. */
  readonly outDir?: string;
  /** Finiteness checks after every value, naming the model line of the first NaN or ±Infinity (see EmitModelModuleOptions). */
  readonly checkFinite?: boolean;
  /** A --health build: the value-and-gradient kernel also measures saturation, dead ReLUs and loops' ‖∂L/∂h_t‖, read with `fHealth()` (see EmitModelModuleOptions). */
  readonly health?: boolean | HealthBuildOptions;
}

export interface CompiledModelFile {
  readonly files: readonly { readonly path: string; readonly content: string }[];
}

/** `foo.model.ts` → `foo.grad.ts` (any other `foo.ts` → `foo.grad.ts` too), in `outDir` when given. */
export function generatedModulePath(modelPath: string, outDir?: string): string {
  const name = basename(modelPath).replace(/(\.model)?\.[cm]?tsx?$/, '');
  return join(outDir ?? dirname(modelPath), `${name}.grad.ts`);
}

export function compileModelFile(path: string, options: CompileModelFileOptions = {}): CompiledModelFile {
  const { text, wrt, emit, outDir, ...derive } = options;
  const { language, kinds } = parseEmit(emit);
  // Paths name the model in the header and in every source comment: an
  // absolute path would make the output differ between checkouts.
  const modelPath = isAbsolute(path) ? relative(process.cwd(), path) : path;
  const source = withFreshOrigins(() => {
    const file = parseModelFile(modelPath, { ...(text === undefined ? {} : { text }), ...(wrt === undefined ? {} : { wrt }) });
    return emitModelModule(file, { ...derive, emit: kinds });
  });
  const out = generatedModulePath(path, outDir);
  if (language === 'ts') return { files: [{ path: out, content: source }] };
  const { js, dts } = toJavaScript(source, basename(out));
  const stem = out.replace(/\.ts$/, '');
  return { files: [{ path: `${stem}.js`, content: js }, { path: `${stem}.d.ts`, content: dts }] };
}
