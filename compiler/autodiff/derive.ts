/**
 * The one derivation driver: from a function (the contract every front end
 * produces, ir/function.ts) to the optimized IR of what was asked of it — the
 * value; for a scalar output the gradient (reverse mode), the JVP (forward
 * mode), the Hessian-vector product (forward over reverse), the generalized
 * Gauss-Newton product Jᵀ H_L J v of a convex loss of the outputs and the
 * dense symbolic Hessian of scalar parameters; for a tensor output the JVP
 * and the VJP uᵀ·J. Pure: IR in, IR out.
 *
 * One naming scheme for the inputs it adds: the tangent of `W` is `WDot`, the
 * cotangent of a function `f`'s output is `fBar` (a `_` is appended while a
 * name is taken).
 *
 * Each group of results is optimized in one call, stability rewrites before
 * differentiating (they must see the model as written) and custom rules
 * inlined last (they have done their work once derivatives exist).
 */
import { gradient } from './reverse.ts';
import { jvp } from './forward.ts';
import { gaussNewtonVectorProduct } from './gaussNewton.ts';
import { hessianRows } from './hessian.ts';
import { vectorJacobianProduct } from './jacobian.ts';
import { add, constant, input } from '../ir/build.ts';
import type { ConvexOuterLoss, FunctionIR } from '../ir/function.ts';
import type { InputNode, Node } from '../ir/node.ts';
import type { Program } from '../ir/program.ts';
import { optimize } from '../passes/pipeline.ts';
import type { OptimizeOptions } from '../passes/pipeline.ts';
import type { RewriteNote } from '../passes/rewrite.ts';

/** What a generated module can carry for a function; `flat` is the flat-vector variants (no derivative of its own). */
export const DERIVATIVE_KINDS = ['value', 'gradient', 'jvp', 'vjp', 'hvp', 'ggnvp', 'hessian'] as const;
export type DerivativeKind = (typeof DERIVATIVE_KINDS)[number];

export interface DeriveOptions extends OptimizeOptions {
  /** Build the dense symbolic Hessian of scalar parameters (n² entries); default true for n ≤ 16. */
  readonly hessian?: boolean;
}

/** The dense symbolic Hessian grows as n²: beyond this it is left to Hessian-vector products. */
export const DENSE_HESSIAN_LIMIT = 16;

export interface FunctionDerivatives {
  readonly fn: FunctionIR;
  readonly value: Node;
  /** One tangent input per differentiated parameter (`WDot` for `W`), in layout order. */
  readonly tangents: readonly InputNode[];
  /** The cotangent input of a tensor output (`fBar`, the output's shape); null for a scalar output. */
  readonly cotangent: InputNode | null;
  /** ∂f/∂p per differentiated parameter; null for a tensor output, without parameters or when not asked. */
  readonly gradient: readonly Node[] | null;
  /** The directional derivative along the tangents (a tensor for a tensor output); null when not asked. */
  readonly jvp: Node | null;
  /** uᵀ·J per differentiated parameter, u = `cotangent`; tensor outputs only. */
  readonly vjp: readonly Node[] | null;
  /** (H·v) per differentiated parameter; scalar outputs only. */
  readonly hvp: readonly Node[] | null;
  /** (G·v) per differentiated parameter, G = Jᵀ H_L J; only for a function returning a convex loss of its outputs. */
  readonly ggnvp: readonly Node[] | null;
  /** Row-major n×n, for scalar parameters only (tensor parameters get H·v). */
  readonly hessian: readonly (readonly Node[])[] | null;
  /** Rewrites applied, for `--explain`. */
  readonly notes: readonly RewriteNote[];
}

const ALL: ReadonlySet<DerivativeKind> = new Set(DERIVATIVE_KINDS);

/** `xDot` for `x`, `fBar` for `f`: a suffix appended until the name is free, then taken. */
function freshName(base: string, taken: Set<string>): string {
  let name = base;
  while (taken.has(name)) name = `${name}_`;
  taken.add(name);
  return name;
}

function tangentInputs(fn: FunctionIR, taken: Set<string>): InputNode[] {
  return fn.wrt.map((p) => input(freshName(`${p.name}Dot`, taken), p.shape));
}

const optimized = (inputs: readonly InputNode[], nodes: readonly Node[], options: OptimizeOptions): { nodes: Node[]; notes: readonly RewriteNote[] } => {
  const out = optimize({ inputs, outputs: nodes.map((node, i) => ({ name: `o${i}`, node })) }, options);
  return { nodes: out.program.outputs.map((o) => o.node), notes: out.notes };
};

/**
 * G·v along the tangents, optimized over the parameters and tangents: Jᵀ H_L J v
 * of the loss term, plus the exact Hessian-vector product of the function's
 * other terms (a regularizer) when it has any.
 */
function gaussNewtonProduct(fn: FunctionIR, gn: ConvexOuterLoss, tangents: readonly InputNode[], options: DeriveOptions): Node[] {
  // Stability rewrites see the model and the loss before they are differentiated.
  const [z] = optimized(fn.params, [gn.outputs], options).nodes;
  const loss = (s: Node): Node => optimized([], [gn.loss(s)], options).nodes[0]!;
  const gv = gaussNewtonVectorProduct({ outputs: z!, loss, wrt: fn.wrt }, tangents);
  const rest = gn.rest === undefined ? null : optimized(fn.params, [gn.rest], options).nodes[0]!;
  const restHv = rest === null ? null : jvp(gradient(rest, fn.wrt), new Map(fn.wrt.map((p, i) => [p, tangents[i]!])));
  const total = restHv === null ? gv : gv.map((g, i) => add(g, restHv[i]!));
  return optimized([...fn.params, ...tangents], total, { ...options, inlineCustomRules: true }).nodes;
}

/** Differentiates `fn` for the kinds asked (default: all that apply to it). */
export function deriveFunction(fn: FunctionIR, options: DeriveOptions = {}, want: ReadonlySet<DerivativeKind> = ALL): FunctionDerivatives {
  const none = { gradient: null, jvp: null, vjp: null, hvp: null, ggnvp: null, hessian: null };
  const taken = new Set(fn.params.map((p) => p.name));
  if (fn.wrt.length === 0) {
    const v = optimized(fn.params, [fn.output], { ...options, inlineCustomRules: true });
    return { fn, value: v.nodes[0]!, tangents: [], cotangent: null, ...none, notes: v.notes };
  }
  const tangents = tangentInputs(fn, taken);
  const tangentOf = new Map(fn.wrt.map((p, i) => [p, tangents[i]!]));
  const primal = optimized(fn.params, [fn.output], options);
  const f = primal.nodes[0]!;

  if (fn.output.shape.length === 0) {
    const grad = gradient(f, fn.wrt);
    const [dot] = want.has('jvp') ? jvp([f], tangentOf) : [];
    const hv = want.has('hvp') ? jvp(grad, tangentOf) : [];
    const scalarWrt = fn.wrt.every((p) => p.shape.length === 0);
    const wantHessian = want.has('hessian') && scalarWrt && (options.hessian ?? fn.wrt.length <= DENSE_HESSIAN_LIMIT);
    const rows = wantHessian ? hessianRows(f, fn.wrt) : [];
    const n = fn.wrt.length;
    const all = optimized([...fn.params, ...tangents], [f, ...grad, ...(dot === undefined ? [] : [dot]), ...hv, ...rows.flat()], { ...options, inlineCustomRules: true });
    const o = all.nodes;
    const afterJvp = dot === undefined ? 1 + n : 2 + n;
    const ggnvp = want.has('ggnvp') && fn.gaussNewton !== undefined ? gaussNewtonProduct(fn, fn.gaussNewton, tangents, options) : null;
    return {
      fn,
      value: o[0]!,
      tangents,
      cotangent: null,
      gradient: o.slice(1, 1 + n),
      jvp: dot === undefined ? null : o[1 + n]!,
      vjp: null,
      hvp: want.has('hvp') ? o.slice(afterJvp, afterJvp + n) : null,
      ggnvp,
      hessian: wantHessian ? fn.wrt.map((_, i) => o.slice(afterJvp + hv.length + i * n, afterJvp + hv.length + (i + 1) * n)) : null,
      notes: [...primal.notes, ...all.notes],
    };
  }

  // A tensor output: forward mode is one pass of the size of the value, reverse mode one pull of a cotangent.
  const [dot] = jvp([f], tangentOf);
  const both = optimized([...fn.params, ...tangents], [f, dot!], { ...options, inlineCustomRules: true });
  const cotangent = want.has('vjp') ? input(freshName(`${fn.name}Bar`, taken), fn.output.shape) : null;
  const vjp = cotangent === null ? null : optimized([...fn.params, cotangent], vectorJacobianProduct([f], fn.wrt, [cotangent]), { ...options, inlineCustomRules: true });
  return {
    fn,
    value: both.nodes[0]!,
    tangents,
    cotangent,
    ...none,
    jvp: want.has('jvp') ? both.nodes[1]! : null,
    vjp: vjp?.nodes ?? null,
    notes: [...primal.notes, ...both.notes, ...(vjp?.notes ?? [])],
  };
}

/** The derivatives of a one-output program as `derive` returns them: every part present. */
export interface Derivatives {
  /** Every free variable, differentiated ones first (in wrt order), then the rest by name. */
  readonly inputs: readonly InputNode[];
  readonly wrt: readonly InputNode[];
  /** One tangent input per wrt input, `xDot` for `x`. */
  readonly tangents: readonly InputNode[];
  readonly value: Node;
  readonly gradient: readonly Node[];
  readonly jvp: Node;
  readonly hvp: readonly Node[];
  /** Row-major, n×n. Absent when `hessian` is off or a wrt input is a tensor. */
  readonly hessian: readonly (readonly Node[])[] | null;
  /** Rewrites applied, for `--explain`. */
  readonly notes: readonly RewriteNote[];
}

/** Orders a program's inputs as `derive` reports them: the wrt inputs in order, then the rest by name. */
export function derivationOrder(inputs: readonly InputNode[], wrtNames: readonly string[]): { inputs: InputNode[]; wrt: InputNode[] } {
  const byName = new Map(inputs.map((x) => [x.name, x]));
  const wrt = wrtNames.map((name) => byName.get(name)!);
  const rest = inputs.filter((x) => !wrtNames.includes(x.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  return { inputs: [...wrt, ...rest], wrt };
}

/** `prog` has one scalar output; `wrt` names inputs of `prog`. The driver above, on a bare program. */
export function derive(prog: Program, wrtNames: readonly string[], options: DeriveOptions = {}): Derivatives {
  const { inputs, wrt } = derivationOrder(prog.inputs, wrtNames);
  const fn: FunctionIR = { name: prog.outputs[0]!.name, params: inputs, output: prog.outputs[0]!.node, wrt, origin: { file: '<program>', line: 1, column: 1, text: '' } };
  const d = deriveFunction(fn, options, new Set(['value', 'gradient', 'jvp', 'hvp', 'hessian']));
  if (wrt.length === 0) {
    // Nothing to differentiate: every derivative is empty, the directional derivative 0.
    const hessian = options.hessian === false ? null : [];
    return { inputs, wrt, tangents: [], value: d.value, gradient: [], jvp: constant(0), hvp: [], hessian, notes: d.notes };
  }
  return { inputs, wrt, tangents: d.tangents, value: d.value, gradient: d.gradient!, jvp: d.jvp!, hvp: d.hvp!, hessian: d.hessian, notes: d.notes };
}
