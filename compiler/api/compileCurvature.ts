/**
 * Curvature of a model built as IR, compiled: for loss(model(θ; data)) one
 * generated module (the format model files get) with two functions of the
 * same inputs — `loss`, with its gradient, Hessian-vector product and the
 * generalized Gauss-Newton product Jᵀ H_L J v, and `outputs`, the model
 * outputs with their JVP and VJP. `bind(data)` returns flat functions over θ
 * in the parameter layout — `(x, v, out) => void` products for second-order
 * methods, and the dense Hessian and Jacobian for small models, taken product
 * by product (so the emitted code does not grow with the number of parameters).
 */
import { chooseJacobianMode } from '../autodiff/jacobian.ts';
import type { JacobianMode } from '../autodiff/jacobian.ts';
import { derivationOrder } from '../autodiff/derive.ts';
import type { DeriveOptions, Derivatives } from '../autodiff/derive.ts';
import { UsageError } from '../errors.ts';
import type { ModuleIR } from '../ir/function.ts';
import type { InputNode, Node } from '../ir/node.ts';
import { parameterLayout } from '../ir/parameterLayout.ts';
import type { LayoutEntry } from '../ir/parameterLayout.ts';
import type { DataValue } from '../load/flatArguments.ts';
import type { LoadedModule } from '../load/loadModule.ts';
import type { EmittedFunction } from '../module/emitModelModule.ts';
import type { ModuleKind } from '../module/emitSpec.ts';
import { bindFlat, compileFunctions, literalLayout, programDerivatives } from './compileFunctions.ts';
import type { CompiledFunctions } from './compileFunctions.ts';

export interface CurvatureDefinition {
  /** Every input: parameters and data. */
  readonly inputs: readonly InputNode[];
  /** θ, in the order of the flat layout. */
  readonly wrt: readonly InputNode[];
  /** z = model(θ; data), e.g. logits [batch, classes]. */
  readonly outputs: Node;
  /** L(z): called with a node of z's shape, builds the scalar loss (targets are ordinary inputs). */
  readonly loss: (z: Node) => Node;
  readonly source?: string;
}

/** Flat functions of θ (and a direction v) with the data bound. */
export interface BoundCurvature {
  /** n: the length of θ. */
  readonly size: number;
  /** m: the number of model outputs at the bound data's sizes. */
  readonly outputSize: number;
  /** How `jacobian` builds the m×n Jacobian: one JVP per parameter (forward) or one VJP per output (reverse). */
  readonly jacobianMode: JacobianMode;
  value(x: Float64Array): number;
  /** Writes ∇L into gradOut and returns L. */
  valueAndGradient(x: Float64Array, gradOut: Float64Array): number;
  /** H·v, H the Hessian of L(model(θ)), by forward over reverse mode. */
  hessianVectorProduct(x: Float64Array, v: Float64Array, out: Float64Array): void;
  /** G·v = Jᵀ H_L J v (the Fisher-vector product for softmax cross-entropy). */
  gaussNewtonVectorProduct(x: Float64Array, v: Float64Array, out: Float64Array): void;
  /** z, flattened row-major. */
  outputs(x: Float64Array, out: Float64Array): void;
  /** J = ∂z/∂θ, m×n row-major. */
  jacobian(x: Float64Array, out: Float64Array): void;
  /** The dense Hessian of L, n×n row-major, exactly symmetric (n HVPs). */
  hessian(x: Float64Array, out: Float64Array): void;
}

export interface CompiledCurvature {
  readonly source: string;
  readonly kernels: LoadedModule;
  readonly derivatives: Derivatives;
  /** G·v per parameter, as IR over the inputs and the tangents `derivatives.tangents`. */
  readonly gaussNewton: readonly Node[];
  readonly layout: readonly LayoutEntry[];
  readonly size: number;
  bind(data: Readonly<Record<string, DataValue>>): BoundCurvature;
}

/** Both functions carry what the bound products call; the loss its curvature products, the outputs their JVP and VJP. */
const CURVATURE_EMIT: readonly ModuleKind[] = ['value', 'gradient', 'jvp', 'vjp', 'hvp', 'ggnvp', 'jacobian', 'flat'];

/** The loss L(z(θ)) and the model outputs z(θ), as two functions of the same inputs. */
function curvatureModule(def: CurvatureDefinition, lossNode: Node): ModuleIR {
  const { inputs, wrt } = derivationOrder(def.inputs, def.wrt.map((x) => x.name));
  const origin = { file: def.source ?? 'a model built in TypeScript', line: 1, column: 1, text: '' };
  return {
    path: def.source ?? 'a model built in TypeScript',
    functions: [
      { name: 'loss', params: inputs, output: lossNode, wrt, origin, doc: 'The loss L(z(θ)) of the model outputs z.', gaussNewton: { op: 'L', outputs: def.outputs, loss: def.loss } },
      { name: 'outputs', params: inputs, output: def.outputs, wrt, origin, doc: 'The model outputs z(θ).' },
    ],
  };
}

export function compileCurvature(def: CurvatureDefinition, options: DeriveOptions = {}): CompiledCurvature {
  const lossNode = def.loss(def.outputs);
  if (lossNode.shape.length !== 0) throw new UsageError('the loss must be a scalar');
  const layout = parameterLayout(def.wrt);
  const size = layout.reduce((s, e) => s + e.size, 0);
  const compiled = compileFunctions(curvatureModule(def, lossNode), CURVATURE_EMIT, { ...options, hessian: false });
  const loss = compiled.functions.get('loss')!;
  const outputs = compiled.functions.get('outputs')!;
  const bind = (data: Readonly<Record<string, DataValue>>): BoundCurvature => bindCurvature(compiled, loss, outputs, data);
  const derivatives = programDerivatives(loss.derivatives, { hessian: false });
  return { source: compiled.source, kernels: compiled.module, derivatives, gaussNewton: loss.derivatives.ggnvp!, layout, size, bind };
}

type LossFlat = FlatObjectiveShape & { readonly ggnvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void };
interface FlatObjectiveShape {
  readonly value: (x: Float64Array) => number;
  readonly objective: (x: Float64Array, gradOut: Float64Array) => number;
  readonly hvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
  readonly hessian: (x: Float64Array, out: Float64Array) => void;
}
interface OutputsFlat {
  readonly outputSize: number;
  readonly value: (x: Float64Array, out?: Float64Array) => Float64Array;
  readonly jvp: (x: Float64Array, v: Float64Array, out?: Float64Array) => Float64Array;
  readonly vjp: (x: Float64Array, u: Float64Array, out?: Float64Array) => Float64Array;
  readonly jacobian: (x: Float64Array, out?: Float64Array) => Float64Array;
}

/** The generated flat variants of both functions with the data bound: the products second-order methods call. */
function bindCurvature(compiled: CompiledFunctions, loss: EmittedFunction, outputs: EmittedFunction, data: Readonly<Record<string, DataValue>>): BoundCurvature {
  const l = bindFlat<LossFlat>(compiled, loss, data);
  const z = bindFlat<OutputsFlat>(compiled, outputs, data);
  const { size } = literalLayout(loss);
  const outputSize = z.outputSize;
  // The generated denseJacobian chooses the same way: forward mode when there are fewer parameters than outputs.
  const jacobianMode = chooseJacobianMode(outputSize, size);
  return {
    size,
    outputSize,
    jacobianMode,
    value: (x) => l.value(x),
    valueAndGradient: (x, gradOut) => l.objective(x, gradOut),
    hessianVectorProduct: (x, v, out) => l.hvp(x, v, out),
    gaussNewtonVectorProduct: (x, v, out) => l.ggnvp(x, v, out),
    outputs: (x, out) => void z.value(x, out),
    jacobian: (x, out) => void z.jacobian(x, out),
    hessian: (x, out) => l.hessian(x, out),
  };
}
