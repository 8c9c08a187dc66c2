/**
 * What the in-memory façades (compileExpression, compileModel,
 * compileCurvature) share: functions in the function IR → the generated
 * module (the format `gradc compile` writes for model files) → loaded in
 * this process, with each function's generated names and signature, and its
 * derivatives in the shape `derive` reports them.
 */
import type { HealthBuildOptions } from '../emit/healthOption.ts';
import type { DeriveOptions, Derivatives, FunctionDerivatives } from '../autodiff/derive.ts';
import { constant } from '../ir/build.ts';
import type { ModuleIR } from '../ir/function.ts';
import { bindData, positionalArguments } from '../load/flatArguments.ts';
import type { DataValue, Kernel } from '../load/flatArguments.ts';
import { loadModule } from '../load/loadModule.ts';
import type { LoadedModule } from '../load/loadModule.ts';
import { buildModule } from '../module/emitModelModule.ts';
import type { EmittedFunction } from '../module/emitModelModule.ts';
import type { ModuleKind } from '../module/emitSpec.ts';
import { parameterLayout } from '../ir/parameterLayout.ts';
import type { LayoutEntry } from '../ir/parameterLayout.ts';

export interface CompiledFunctions {
  readonly source: string;
  /** The generated module's exports. */
  readonly module: LoadedModule;
  readonly functions: ReadonlyMap<string, EmittedFunction>;
}

/**
 * Emits and loads, with no diagnosis hook (there is no model file for the runtime to rebuild).
 * `exportKernels` exports the kernels too: the unchecked positional entry points compileModel hands out.
 */
export function compileFunctions(module: ModuleIR, emit: readonly ModuleKind[], options: DeriveOptions & { readonly health?: boolean | HealthBuildOptions }, exportKernels = false): CompiledFunctions {
  const built = buildModule(module, { ...options, emit, twin: false, exportKernels });
  return { source: built.source, module: loadModule(built.source), functions: built.functions };
}

/** A function's derivatives as `derive` reports them: parts not built are empty. */
export function programDerivatives(d: FunctionDerivatives, options: DeriveOptions): Derivatives {
  return {
    inputs: d.fn.params,
    wrt: d.fn.wrt,
    tangents: d.tangents,
    value: d.value,
    gradient: d.gradient ?? [],
    jvp: d.jvp ?? constant(0),
    hvp: d.hvp ?? [],
    hessian: d.hessian ?? (d.fn.wrt.length === 0 && options.hessian !== false ? [] : null),
    notes: d.notes,
  };
}

/** The generated flat variants of `f` (`fFlat(data…)`) with the data given by name. */
export function bindFlat<T>(compiled: CompiledFunctions, f: EmittedFunction, data: Readonly<Record<string, DataValue>>): T {
  const { fn } = f.derivatives;
  const dataInputs = fn.params.filter((x) => !fn.wrt.includes(x));
  const args = positionalArguments(dataInputs, f.flatExplicitSizes, bindData(dataInputs, data, true));
  return (compiled.module[f.names.flat] as Kernel)(...args) as T;
}

/** A function's kernels by kind (`value`, `valueAndGradient`, `jvp`, `hvp`, …), as the module exports them. */
export function kernelsByKind(compiled: CompiledFunctions, f: EmittedFunction): LoadedModule {
  return Object.fromEntries([...f.kinds].map((kind) => [kind, compiled.module[f.names.kernel(kind)]]));
}

/**
 * The layout of a function whose parameters have literal sizes, as the
 * in-memory façades bind against; a UsageError (naming the parameter) when a
 * size is named, since these façades take no sizes.
 */
export function literalLayout(f: EmittedFunction): { readonly layout: LayoutEntry[]; readonly size: number } {
  const layout = parameterLayout(f.derivatives.fn.wrt);
  return { layout, size: layout.reduce((n, e) => n + e.size, 0) };
}
