/**
 * The programmatic API for models built as IR (tensor programs): a façade
 * over the one pipeline (function IR → derive → passes → the generated
 * module → load), with the loss's named functions, its flat variants and
 * the flat parameter layout optimizers work on.
 */
import { derivationOrder } from '../autodiff/derive.ts';
import type { DeriveOptions, Derivatives } from '../autodiff/derive.ts';
import type { FunctionIR } from '../ir/function.ts';
import type { DataValue } from '../load/flatArguments.ts';
import type { LoadedModule } from '../load/loadModule.ts';
import type { ModuleKind } from '../module/emitSpec.ts';
import { bindFlat, compileFunctions, kernelsByKind, programDerivatives } from './compileFunctions.ts';
import { UsageError } from '../errors.ts';
import type { InputNode, Node } from '../ir/node.ts';
import { parameterLayout } from '../ir/parameterLayout.ts';
import type { LayoutEntry } from '../ir/parameterLayout.ts';
import type { GradcHealth, HealthBuildOptions } from '../emit/healthOption.ts';
import { healthNames } from '../module/healthSection.ts';

export interface ModelDefinition {
  /** Every input the loss reads: parameters and data. */
  readonly inputs: readonly InputNode[];
  /** A scalar. */
  readonly loss: Node;
  /** The parameters to differentiate, in the order of the flat layout. */
  readonly wrt: readonly InputNode[];
  /** Where the model came from, for the generated header. */
  readonly source?: string;
}

/** The flat-vector variants with the data bound: the runtime's Objective, HessianVectorProduct and DenseHessian. */
export interface FlatModel {
  readonly size: number;
  readonly value: (x: Float64Array) => number;
  readonly objective: (x: Float64Array, gradOut: Float64Array) => number;
  readonly jvp: (x: Float64Array, v: Float64Array) => number;
  readonly hvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
  readonly hessian: (x: Float64Array, out: Float64Array) => void;
}

export interface CompiledModel {
  /** The generated module (the format model files get), with one function `loss`. */
  readonly source: string;
  /** Its exports. */
  readonly module: LoadedModule;
  /**
   * The loss's kernels by kind (`value`, `valueAndGradient`, `jvp`, `hvp`, and `hessian` for scalar
   * parameters): unchecked, called positionally with the inputs in `derivatives.inputs` order (scalars as
   * numbers, tensors as flat row-major Float64Arrays), then the tangents (for `jvp`, `hvp`), then every
   * named size in sorted order, then the output array. The module's checked named functions (`loss`,
   * `lossValueAndGradient`, …) are in `module`.
   */
  readonly kernels: LoadedModule;
  readonly derivatives: Derivatives;
  /** Where each parameter lives in the flat vector the gradient is written to. */
  readonly layout: readonly LayoutEntry[];
  /** Total length of the flat parameter vector. */
  readonly size: number;
  /** The flat variants with the data (every input that is not a parameter) given by name; sizes are read off the data. */
  flat(data: Readonly<Record<string, DataValue>>): FlatModel;
  /** With `health`: what the last value-and-gradient call measured (the module's `lossHealth`); null otherwise. */
  readonly health: (() => GradcHealth | null) | null;
}

export interface CompileModelOptions extends DeriveOptions {
  /** A --health build (see EmitModelModuleOptions): the value-and-gradient kernel also measures saturation, dead ReLUs and loops' ‖∂L/∂h_t‖, read with `health()`. */
  readonly health?: boolean | HealthBuildOptions;
}

const MODEL_EMIT: readonly ModuleKind[] = ['value', 'gradient', 'jvp', 'hvp', 'hessian', 'flat'];

export function compileModel(model: ModelDefinition, options: CompileModelOptions = {}): CompiledModel {
  if (model.loss.shape.length !== 0) throw new UsageError('the loss must be a scalar');
  const layout = parameterLayout(model.wrt);
  const { inputs, wrt } = derivationOrder(model.inputs, model.wrt.map((x) => x.name));
  const source = model.source ?? 'a model built in TypeScript';
  const fn: FunctionIR = { name: 'loss', params: inputs, output: model.loss, wrt, origin: { file: source, line: 1, column: 1, text: '' }, doc: 'The model loss.' };
  const compiled = compileFunctions({ path: source, functions: [fn] }, MODEL_EMIT, options, true);
  const f = compiled.functions.get('loss')!;
  const noParameters = layout.length === 0;
  const last = layout[layout.length - 1];
  return {
    source: compiled.source,
    module: compiled.module,
    kernels: kernelsByKind(compiled, f),
    derivatives: programDerivatives(f.derivatives, options),
    layout,
    size: last === undefined ? 0 : last.offset + last.size,
    health: options.health === undefined || options.health === false ? null : (compiled.module[healthNames(f.names.value).read] as () => GradcHealth | null),
    flat: (data) => {
      if (noParameters) throw new UsageError('the model has no parameters to lay out flat (wrt is empty)');
      return bindFlat<FlatModel>(compiled, f, data);
    },
  };
}
