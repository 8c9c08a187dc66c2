/**
 * What the generated module computes for one model function, as optimized
 * IR: the value, and with differentiated parameters the gradient (reverse
 * mode), the JVP (forward mode) and the Hessian-vector product (forward over
 * reverse) for a scalar output, or the JVP alone for a tensor output.
 * Pure: IR in, IR out.
 */
import { derive } from '../derive.ts';
import type { DeriveOptions } from '../derive.ts';
import { jvp } from '../autodiff/forward.ts';
import { input } from '../ir/build.ts';
import type { InputNode, Node } from '../ir/node.ts';
import type { ModelFunctionIR } from '../modelFile.ts';
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
    const value = optimize({ inputs: fn.params, outputs }, options).program.outputs[0]!.node;
    return { fn, value, tangents: [], jvp: null, gradient: null, hvp: null };
  }
  if (fn.output.shape.length === 0) {
    const d = derive({ inputs: fn.params, outputs }, fn.wrt.map((p) => p.name), { ...options, hessian: false });
    return { fn, value: d.value, tangents: d.tangents, jvp: d.jvp, gradient: d.gradient, hvp: d.hvp };
  }
  // A tensor output: forward mode is one pass of the same size as the value.
  const tangents = tangentInputs(fn);
  // Stability rewrites must see the function before it is differentiated.
  const primal = optimize({ inputs: fn.params, outputs }, options).program.outputs[0]!.node;
  const [dot] = jvp([primal], new Map(fn.wrt.map((p, i) => [p, tangents[i]!])));
  const both = optimize(
    { inputs: [...fn.params, ...tangents], outputs: [{ name: 'value', node: primal }, { name: 'jvp', node: dot! }] },
    options,
  ).program.outputs;
  return { fn, value: both[0]!.node, tangents, jvp: both[1]!.node, gradient: null, hvp: null };
}
