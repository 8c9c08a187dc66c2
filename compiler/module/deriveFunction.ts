/**
 * What the generated module computes for one model function, as optimized
 * IR: the value, and with differentiated parameters the gradient (reverse
 * mode), the JVP (forward mode) and the Hessian-vector product (forward over
 * reverse) for a scalar output, or the JVP alone for a tensor output; and
 * for a function returning a convex loss of the model's outputs, L(z(θ)), the
 * generalized Gauss-Newton product Jᵀ H_L J v. Pure: IR in, IR out.
 */
import { gaussNewtonVectorProduct } from '../autodiff/gaussNewton.ts';
import { derive } from '../autodiff/derive.ts';
import type { DeriveOptions } from '../autodiff/derive.ts';
import { jvp } from '../autodiff/forward.ts';
import { input } from '../ir/build.ts';
import type { InputNode, Node } from '../ir/node.ts';
import type { ConvexOuterLoss, ModelFunctionIR } from '../ir/function.ts';
import { optimize } from '../passes/pipeline.ts';

export interface FunctionDerivatives {
  readonly fn: ModelFunctionIR;
  readonly value: Node;
  /** One tangent input per differentiated parameter (`WDot` for `W`), in layout order. */
  readonly tangents: readonly InputNode[];
  /** The directional derivative along the tangents; null without differentiated parameters. */
  readonly jvp: Node | null;
  /** ∂f/∂p per differentiated parameter; null for a tensor output or without differentiated parameters. */
  readonly gradient: readonly Node[] | null;
  /** (H·v) per differentiated parameter; null where `gradient` is. */
  readonly hvp: readonly Node[] | null;
  /** (G·v) per differentiated parameter, G = Jᵀ H_L J; null unless the function returns a convex loss of its outputs. */
  readonly ggnvp: readonly Node[] | null;
}

/** G·v along the tangents, optimized over the parameters and tangents. */
function gaussNewtonProduct(fn: ModelFunctionIR, gn: ConvexOuterLoss, tangents: readonly InputNode[], options: DeriveOptions): Node[] {
  // Stability rewrites see the model and the loss before they are differentiated (as compileCurvature does).
  const z = optimize({ inputs: fn.params, outputs: [{ name: 'z', node: gn.outputs }] }, options).program.outputs[0]!.node;
  const loss = (s: Node): Node => optimize({ inputs: [], outputs: [{ name: 'l', node: gn.loss(s) }] }, options).program.outputs[0]!.node;
  const gv = gaussNewtonVectorProduct({ outputs: z, loss, wrt: fn.wrt }, tangents);
  return optimize({ inputs: [...fn.params, ...tangents], outputs: gv.map((node, i) => ({ name: `g${i}`, node })) }, { ...options, inlineCustomRules: true })
    .program.outputs.map((o) => o.node);
}

/** `WDot` for `W`, unless a parameter already has that name. */
function tangentInputs(fn: ModelFunctionIR): InputNode[] {
  const taken = new Set(fn.params.map((p) => p.name));
  return fn.wrt.map((p) => {
    let name = `${p.name}Dot`;
    while (taken.has(name)) name = `${name}_`;
    taken.add(name);
    return input(name, p.shape);
  });
}

export function deriveFunction(fn: ModelFunctionIR, options: DeriveOptions = {}): FunctionDerivatives {
  const outputs = [{ name: fn.name, node: fn.output }];
  if (fn.wrt.length === 0) {
    const value = optimize({ inputs: fn.params, outputs }, { ...options, inlineCustomRules: true }).program.outputs[0]!.node;
    return { fn, value, tangents: [], jvp: null, gradient: null, hvp: null, ggnvp: null };
  }
  if (fn.output.shape.length === 0) {
    const d = derive({ inputs: fn.params, outputs }, fn.wrt.map((p) => p.name), { ...options, hessian: false });
    const ggnvp = fn.gaussNewton === undefined ? null : gaussNewtonProduct(fn, fn.gaussNewton, d.tangents, options);
    return { fn, value: d.value, tangents: d.tangents, jvp: d.jvp, gradient: d.gradient, hvp: d.hvp, ggnvp };
  }
  // A tensor output: forward mode is one pass of the same size as the value.
  const tangents = tangentInputs(fn);
  // Stability rewrites must see the function before it is differentiated.
  const primal = optimize({ inputs: fn.params, outputs }, options).program.outputs[0]!.node;
  const [dot] = jvp([primal], new Map(fn.wrt.map((p, i) => [p, tangents[i]!])));
  const both = optimize(
    { inputs: [...fn.params, ...tangents], outputs: [{ name: 'value', node: primal }, { name: 'jvp', node: dot! }] },
    { ...options, inlineCustomRules: true },
  ).program.outputs;
  return { fn, value: both[0]!.node, tangents, jvp: both[1]!.node, gradient: null, hvp: null, ggnvp: null };
}
