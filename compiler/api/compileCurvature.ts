/**
 * Curvature of a model built as IR, compiled: for loss(model(θ; data)) one
 * module with the loss's value, gradient and Hessian-vector product, the
 * generalized Gauss-Newton product Jᵀ H_L J v, and the model outputs with
 * their JVP and VJP. `bind(data)` returns flat functions over θ in the
 * parameter layout — `(x, v, out) => void` products for second-order methods,
 * and the dense Hessian and Jacobian for small models, taken product by
 * product (so the emitted code does not grow with the number of parameters).
 */
import { gaussNewtonVectorProduct } from '../autodiff/gaussNewton.ts';
import { chooseJacobianMode, vectorJacobianProduct } from '../autodiff/jacobian.ts';
import type { JacobianMode } from '../autodiff/jacobian.ts';
import { jvp } from '../autodiff/forward.ts';
import { parameterLayout } from '../ir/parameterLayout.ts';
import type { LayoutEntry } from '../ir/parameterLayout.ts';
import { derive } from '../autodiff/derive.ts';
import type { DeriveOptions, Derivatives } from '../autodiff/derive.ts';
import { emitModule } from '../emit/emitModule.ts';
import type { KernelSpec } from '../emit/emitModule.ts';
import { loadModule } from '../load/loadModule.ts';
import type { LoadedModule } from '../load/loadModule.ts';
import { comment, identifier } from '../emit/safeText.ts';
import { UsageError } from '../errors.ts';
import { FlatViews, bindData, flatCaller } from '../load/flatArguments.ts';
import type { DataValue, Kernel } from '../load/flatArguments.ts';
import { input } from '../ir/build.ts';
import type { InputNode, Node } from '../ir/node.ts';
import { concreteShape, sizeOf } from '../ir/tensor.ts';
import { kernelModuleSpec } from '../emit/kernelModule.ts';
import { optimize } from '../passes/pipeline.ts';

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

interface ExtraKernels {
  readonly specs: KernelSpec[];
  readonly gaussNewton: readonly Node[];
  readonly outputsBar: InputNode;
}

/** The kernels beyond the loss's own: G·v, z, J·v and uᵀJ, optimized together. */
function extraKernels(def: CurvatureDefinition, d: Derivatives, options: DeriveOptions): ExtraKernels {
  const taken = new Set(d.inputs.map((x) => x.name).concat(d.tangents.map((t) => t.name)));
  let barName = 'outputsBar';
  while (taken.has(barName)) barName += '_';
  const outputsBar = input(barName, def.outputs.shape);
  // Stability rewrites see the model and the loss before they are differentiated.
  const z = optimize({ inputs: d.inputs, outputs: [{ name: 'z', node: def.outputs }] }, options).program.outputs[0]!.node;
  const loss = (s: Node): Node => optimize({ inputs: [], outputs: [{ name: 'l', node: def.loss(s) }] }, options).program.outputs[0]!.node;
  const gv = gaussNewtonVectorProduct({ outputs: z, loss, wrt: d.wrt }, d.tangents);
  const [zDot] = jvp([z], new Map(d.wrt.map((x, i) => [x, d.tangents[i]!])));
  const uJ = vectorJacobianProduct([z], d.wrt, [outputsBar]);
  const all = [...gv, z, zDot!, ...uJ];
  const o = optimize({ inputs: [...d.inputs, ...d.tangents, outputsBar], outputs: all.map((node, i) => ({ name: `o${i}`, node })) }, { ...options, inlineCustomRules: true })
    .program.outputs.map((out) => out.node);
  const n = d.wrt.length;
  const names = d.wrt.map((x) => x.name);
  const withTangents = [...d.inputs, ...d.tangents];
  return {
    gaussNewton: o.slice(0, n),
    outputsBar,
    specs: [
      writer('gaussNewtonVectorProduct', 'The generalized Gauss-Newton product Jᵀ H_L J v (J = ∂z/∂θ, H_L = ∂²L/∂z²), written into out.', withTangents, o.slice(0, n), names.map((x) => `(G·v) along ${x}`)),
      writer('outputs', 'The model outputs z, written into out.', d.inputs, [o[n]!], ['z']),
      writer('outputsJvp', 'J·v, the tangent of the model outputs, written into out.', withTangents, [o[n + 1]!], ['J·v']),
      writer('outputsVjp', `uᵀ·J for a cotangent u = ${barName} of the model outputs, written into out.`, [...d.inputs, outputsBar], o.slice(n + 2), names.map((x) => `(uᵀJ) along ${x}`)),
    ],
  };
}

/** A kernel writing `nodes` into `out`; names and docs pass the safe-text gate (they hold the user's names). */
function writer(name: string, doc: string, params: readonly InputNode[], nodes: readonly Node[], labels: readonly string[]): KernelSpec {
  return { name: identifier(name), doc: comment(doc), params, writes: { param: identifier('out'), nodes, labels: labels.map(comment) } };
}

export function compileCurvature(def: CurvatureDefinition, options: DeriveOptions = {}): CompiledCurvature {
  const lossNode = def.loss(def.outputs);
  if (lossNode.shape.length !== 0) throw new UsageError('the loss must be a scalar');
  const layout = parameterLayout(def.wrt);
  const size = layout.reduce((s, e) => s + e.size, 0);
  const d = derive({ inputs: def.inputs, outputs: [{ name: 'loss', node: lossNode }] }, def.wrt.map((x) => x.name), { ...options, hessian: false });
  const extra = extraKernels(def, d, options);
  const spec = kernelModuleSpec(d, def.source ?? 'a model built in TypeScript', 'the model loss');
  const specs = [...spec.kernels, ...extra.specs];
  const source = emitModule({ ...spec, kernels: specs });
  const kernels = loadModule(source);
  const bind = (data: Readonly<Record<string, DataValue>>): BoundCurvature =>
    bindCurvature({ def, d, layout, size, kernels, specs, outputsBar: extra.outputsBar }, data);
  return { source, kernels, derivatives: d, gaussNewton: extra.gaussNewton, layout, size, bind };
}

interface Compiled {
  readonly def: CurvatureDefinition;
  readonly d: Derivatives;
  readonly layout: readonly LayoutEntry[];
  readonly size: number;
  readonly kernels: LoadedModule;
  readonly specs: readonly KernelSpec[];
  readonly outputsBar: InputNode;
}

function bindCurvature(c: Compiled, data: Readonly<Record<string, DataValue>>): BoundCurvature {
  const { d, size } = c;
  const wrt = new Set<InputNode>(d.wrt);
  const bound = bindData(d.inputs.filter((x) => !wrt.has(x)), data);
  const views = new FlatViews(c.layout);
  const outputSize = sizeOf(concreteShape(c.def.outputs.shape, Object.fromEntries(bound.sizes)));
  // The cotangent of z is one flat vector, z's elements in row-major order.
  const barViews = new FlatViews([{ name: c.outputsBar.name, shape: c.outputsBar.shape, offset: 0, size: outputSize }]);
  const caller = (name: string, flatParams: readonly (readonly InputNode[])[], fv: FlatViews[]) => {
    const k = c.specs.find((s) => s.name === name)!;
    const roots = [...(k.writes?.nodes ?? []), ...(k.returns ? [k.returns] : [])];
    return flatCaller(c.kernels[name] as Kernel, k.params, roots, flatParams, fv, bound);
  };
  const value = caller('value', [d.wrt], [views]);
  const valueAndGradient = caller('valueAndGradient', [d.wrt], [views]);
  const hvp = caller('hvp', [d.wrt, d.tangents], [views, views]);
  const ggn = caller('gaussNewtonVectorProduct', [d.wrt, d.tangents], [views, views]);
  const outputs = caller('outputs', [d.wrt], [views]);
  const outputsJvp = caller('outputsJvp', [d.wrt, d.tangents], [views, views]);
  const outputsVjp = caller('outputsVjp', [d.wrt, [c.outputsBar]], [views, barViews]);
  const jacobianMode = chooseJacobianMode(outputSize, size);
  const one: Float64Array[] = [new Float64Array(0)];
  const two: Float64Array[] = [new Float64Array(0), new Float64Array(0)];
  const at = (x: Float64Array): Float64Array[] => ((one[0] = x), one);
  const pair = (x: Float64Array, v: Float64Array): Float64Array[] => ((two[0] = x), (two[1] = v), two);
  const jacobianProducts = jacobianMode === 'forward' ? unitProducts(size, outputSize) : unitProducts(outputSize, size);
  const hessianProducts = unitProducts(size, size);
  return {
    size,
    outputSize,
    jacobianMode,
    value: (x) => value(at(x)) as number,
    valueAndGradient: (x, gradOut) => valueAndGradient(at(x), gradOut) as number,
    hessianVectorProduct: (x, v, out) => void hvp(pair(x, v), out),
    gaussNewtonVectorProduct: (x, v, out) => void ggn(pair(x, v), out),
    outputs: (x, out) => void outputs(at(x), out),
    jacobian(x, out) {
      if (jacobianMode === 'forward') {
        // Column k of J is J·eₖ.
        jacobianProducts((e, col) => outputsJvp(pair(x, e), col), (k, col) => {
          for (let r = 0; r < outputSize; r++) out[r * size + k] = col[r]!;
        });
      } else {
        // Row k of J is eₖᵀ·J.
        jacobianProducts((e, row) => outputsVjp(pair(x, e), row), (k, row) => out.set(row, k * size));
      }
    },
    hessian(x, out) {
      hessianProducts((e, row) => hvp(pair(x, e), row), (i, row) => out.set(row, i * size));
      // H is symmetric: entries below the diagonal mirror those above.
      for (let i = 0; i < size; i++) for (let j = 0; j < i; j++) out[i * size + j] = out[j * size + i]!;
    },
  };
}

/**
 * Products with each unit vector eₖ of length `count`: `product(eₖ, result)`
 * fills a result of length `length`, handed to `take(k, result)`. The unit
 * vector and the result are allocated once, when bound.
 */
function unitProducts(count: number, length: number) {
  const e = new Float64Array(count);
  const result = new Float64Array(length);
  return (product: (e: Float64Array, result: Float64Array) => unknown, take: (k: number, result: Float64Array) => void): void => {
    for (let k = 0; k < count; k++) {
      e.fill(0);
      e[k] = 1;
      product(e, result);
      take(k, result);
    }
  };
}
