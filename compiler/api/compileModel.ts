/**
 * The programmatic API for models built as IR (tensor programs): derive,
 * optimize, emit and load the kernels, and describe the flat parameter
 * layout optimizers work on.
 */
import { derive } from '../autodiff/derive.ts';
import type { DeriveOptions, Derivatives } from '../autodiff/derive.ts';
import { emitModule } from '../emit/emitModule.ts';
import { loadModule } from '../load/loadModule.ts';
import type { LoadedModule } from '../load/loadModule.ts';
import { UsageError } from '../errors.ts';
import type { InputNode, Node } from '../ir/node.ts';
import { parameterLayout } from '../ir/parameterLayout.ts';
import type { LayoutEntry } from '../ir/parameterLayout.ts';
import { kernelModuleSpec } from '../emit/kernelModule.ts';

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

export interface CompiledModel {
  readonly source: string;
  readonly kernels: LoadedModule;
  readonly derivatives: Derivatives;
  /** Where each parameter lives in the flat vector the gradient is written to. */
  readonly layout: readonly LayoutEntry[];
  /** Total length of the flat parameter vector. */
  readonly size: number;
}

export function compileModel(model: ModelDefinition, options: DeriveOptions = {}): CompiledModel {
  if (model.loss.shape.length !== 0) throw new UsageError('the loss must be a scalar');
  const layout = parameterLayout(model.wrt);
  const derivatives = derive(
    { inputs: model.inputs, outputs: [{ name: 'loss', node: model.loss }] },
    model.wrt.map((x) => x.name),
    options,
  );
  const source = emitModule(kernelModuleSpec(derivatives, model.source ?? 'a model built in TypeScript', 'the model loss'));
  const last = layout[layout.length - 1];
  return { source, kernels: loadModule(source), derivatives, layout, size: last === undefined ? 0 : last.offset + last.size };
}
