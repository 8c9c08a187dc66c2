/**
 * The hook that lets the runtime's trainer name the model line of a non-finite
 * training step without the user building anything: every kernel of a plain
 * model-file build first asks whether a diagnosis is running (a session object
 * the trainer puts on `globalThis` under `Symbol.for('gradc.finiteDiagnosis')`
 * only while it re-runs a failing step) and, if so, hands its arguments to the
 * same kernel of a checkFinite build of the same model file, which the runtime
 * builds then. Outside a diagnosis the cost is one property read per kernel
 * call (of one object shared through globalThis). The checkFinite build exports its kernels by name for this.
 *
 * The model file's path reaches the code only as a string literal made by the
 * safe-text gate.
 */
import { docComment, stringLiteral } from './safeText.ts';

/** Top-level names the hook defines in a plain build. */
export const FINITE_TWIN_NAMES = ['gradcDiagnosis', 'gradcFiniteTwin'] as const;

/** Top-level name of the kernel table a checkFinite build exports. */
export const TWIN_KERNELS_NAME = 'gradcKernels';

/** The session key the runtime uses (runtime/train/finiteTwins.ts spells the same string). */
export const DIAGNOSIS_KEY = 'gradc.finiteDiagnosis';

/** The module-level lookup a plain build's kernels call; `file` is the model file's path as given to the compiler. */
export function finiteTwinSource(file: string): string {
  return [
    docComment([
      "Shared by every generated module and the runtime (one object on globalThis): its `session` is set only while the runtime re-runs a failing training step to find the model line of its first non-finite value. A kernel's check of it is one property read.",
    ]),
    'const gradcDiagnosis: { session?: { twin(file: string, kernel: string): (...args: unknown[]) => unknown } } = ((globalThis as unknown as { [key: symbol]: { session?: { twin(file: string, kernel: string): (...args: unknown[]) => unknown } } })[',
    `  Symbol.for(${stringLiteral(DIAGNOSIS_KEY)})`,
    '] ??= {});',
    '',
    docComment(['The same kernel of a checkFinite build of this model file, built by the runtime during a diagnosis.']),
    'function gradcFiniteTwin(kernel: string): (...args: unknown[]) => unknown {',
    `  return gradcDiagnosis.session!.twin(${stringLiteral(file)}, kernel);`,
    '}',
  ].join('\n');
}

/** A plain build's kernel's first line: its twin answers while a diagnosis runs. */
export function twinPrologue(kernel: string, returnType: string): string[] {
  return [`if (gradcDiagnosis.session !== undefined) return gradcFiniteTwin(${stringLiteral(kernel)})(...arguments) as ${returnType};`];
}

/** A checkFinite build's export of its kernels by name, for the runtime to call in place of a plain build's. */
export function twinKernelsSource(kernels: readonly string[]): string {
  return [
    docComment(['This checkFinite build\'s kernels by name: the runtime calls them in place of a plain build\'s kernels when it re-runs a non-finite training step.']),
    `export const ${TWIN_KERNELS_NAME}: { readonly [kernel: string]: (...args: never[]) => unknown } = { ${kernels.join(', ')} };`,
  ].join('\n');
}
