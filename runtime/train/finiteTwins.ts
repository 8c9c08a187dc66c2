// Naming the model line of a non-finite step with nothing passed by the user: while the
// trainer re-runs the failing step, a session sits on the object every generated module
// shares through globalThis (Symbol.for('gradc.finiteDiagnosis')); every kernel of a plain
// model-file build asks it for its checkFinite twin (compiler/emit/finiteTwin.ts) and hands it the call. A twin is
// built the first time a kernel of its model file asks — the compiler is loaded then, and
// only then — so the first re-run stops at that kernel, the twin is built, and the step is
// re-run. Builds are kept for the rest of the training run.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

type Kernel = (...args: unknown[]) => unknown;
type Kernels = { readonly [kernel: string]: Kernel | undefined };

interface Session {
  twin(file: string, kernel: string): Kernel;
}

/** The object every generated module shares through globalThis (compiler/emit/finiteTwin.ts): kernels read its `session`. */
function diagnosisObject(): { session?: Session | undefined } {
  const global = globalThis as unknown as { [key: symbol]: { session?: Session | undefined } | undefined };
  return (global[Symbol.for('gradc.finiteDiagnosis')] ??= {});
}

/** Thrown by the session at a kernel whose twin is not built yet: the re-run stops there, before the kernel computes anything. */
class TwinNeeded extends Error {
  constructor(readonly file: string) {
    super(`the checkFinite build of ${file} is not built yet`);
  }
}

/** What re-running a step against the twins found. */
export type TwinRun =
  /** No kernel of a model-file build ran in the step (a hand-written loss, or an expression module). */
  | { readonly kind: 'unused' }
  /** The step ran through (`error` null) or threw `error`, with twins answering every kernel call. */
  | { readonly kind: 'ran'; readonly error: unknown }
  /** A twin could not be built. */
  | { readonly kind: 'failed'; readonly message: string };

/** The compiler entry that builds a checkFinite twin; loaded on first use, so training never loads the compiler otherwise. */
export type TwinBuilder = (file: string) => Promise<Kernels>;

async function buildTwin(file: string): Promise<Kernels> {
  const path = resolve(file);
  if (!existsSync(path)) throw new Error(`its model file ${file} is not at ${path} (the path is taken relative to the working directory, as it was given to gradc compile)`);
  // A dynamic import: the compiler (ts-morph, mathjs) is loaded only when a step went bad.
  const { loadModelFile } = await import('../../compiler/api/loadModelFile.ts');
  const kernels = loadModelFile(path, { checkFinite: true })['gradcKernels'];
  if (kernels === null || typeof kernels !== 'object') throw new Error(`the checkFinite build of ${file} exports no kernel table`);
  return kernels as Kernels;
}

export class FiniteTwins {
  private readonly built = new Map<string, Kernels>();

  constructor(private readonly build: TwinBuilder = buildTwin) {}

  /**
   * Runs `step` with every model-file kernel answered by its checkFinite twin,
   * building twins as kernels ask for them and re-running `step` after each build
   * (`reset` is called before every run, to put back state a run changed).
   */
  async run(step: () => void, reset: () => void): Promise<TwinRun> {
    for (;;) {
      reset();
      let used = false;
      const session: Session = {
        twin: (file: string, kernel: string): Kernel => {
          used = true;
          const kernels = this.built.get(file);
          if (kernels === undefined) throw new TwinNeeded(file);
          const twin = kernels[kernel];
          if (typeof twin !== 'function') throw new Error(`the checkFinite build of ${file} has no kernel '${kernel}': the model file changed since the module was generated; recompile it`);
          return twin;
        },
      };
      const shared = diagnosisObject();
      const previous = shared.session;
      shared.session = session;
      let error: unknown = null;
      try {
        step();
      } catch (e) {
        error = e;
      } finally {
        shared.session = previous;
      }
      if (!(error instanceof TwinNeeded)) return used ? { kind: 'ran', error } : { kind: 'unused' };
      try {
        this.built.set(error.file, await this.build(error.file));
      } catch (e) {
        return { kind: 'failed', message: `could not build a checkFinite twin of ${error.file}: ${e instanceof Error ? e.message : String(e)}` };
      }
    }
  }
}
