/**
 * From a scalar function to everything the kernels compute: the optimized
 * primal, its gradient (reverse mode), its JVP (forward mode), the
 * Hessian-vector product (forward over reverse) and the dense Hessian.
 * Pure: IR in, IR out.
 */
import { gradient } from './reverse.ts';
import { jvp } from './forward.ts';
import { hessianRows } from './hessian.ts';
import { input } from '../ir/build.ts';
import type { InputNode, Node } from '../ir/node.ts';
import type { Program } from '../ir/program.ts';
import { optimize } from '../passes/pipeline.ts';
import type { OptimizeOptions } from '../passes/pipeline.ts';
import type { RewriteNote } from '../passes/rewrite.ts';

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
  /** Row-major, n×n. Absent when `hessian` is off. */
  readonly hessian: readonly (readonly Node[])[] | null;
  /** Rewrites applied, for `--explain`. */
  readonly notes: readonly RewriteNote[];
}

export interface DeriveOptions extends OptimizeOptions {
  /** Build the dense Hessian (n² entries); default true for n ≤ 16. */
  readonly hessian?: boolean;
}

const DENSE_HESSIAN_LIMIT = 16;

function tangentName(name: string, taken: ReadonlySet<string>): string {
  let candidate = `${name}Dot`;
  while (taken.has(candidate)) candidate = `${candidate}_`;
  return candidate;
}

/** `prog` has one scalar output; `wrt` names inputs of `prog`. */
export function derive(prog: Program, wrtNames: readonly string[], options: DeriveOptions = {}): Derivatives {
  const byName = new Map(prog.inputs.map((x) => [x.name, x]));
  const wrt = wrtNames.map((name) => byName.get(name)!);
  const rest = prog.inputs.filter((x) => !wrtNames.includes(x.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
  const inputs = [...wrt, ...rest];
  const taken = new Set(inputs.map((x) => x.name));
  const tangents = wrt.map((x) => input(tangentName(x.name, taken), x.shape));

  // Stability rewrites must see the model before it is differentiated.
  const primal = optimize({ inputs, outputs: prog.outputs.slice(0, 1) }, options);
  const f = primal.program.outputs[0]!.node;

  const grad = gradient(f, wrt);
  const tangentOf = new Map(wrt.map((x, i) => [x, tangents[i]!]));
  const [dot] = jvp([f], tangentOf);
  const hv = jvp(grad, tangentOf);
  // The symbolic dense Hessian is for scalar inputs; tensor programs get H·v.
  const scalarWrt = wrt.every((x) => x.shape.length === 0);
  const wantHessian = scalarWrt && (options.hessian ?? wrt.length <= DENSE_HESSIAN_LIMIT);
  const rows = wantHessian ? hessianRows(f, wrt) : [];

  const n = wrt.length;
  const all = [f, ...grad, dot!, ...hv, ...rows.flat()];
  const outputs = all.map((node, i) => ({ name: `o${i}`, node }));
  // The last optimization before emission: custom rules have done their work.
  const optimized = optimize({ inputs: [...inputs, ...tangents], outputs }, { ...options, inlineCustomRules: true });
  const o = optimized.program.outputs.map((out) => out.node);
  return {
    inputs,
    wrt,
    tangents,
    value: o[0]!,
    gradient: o.slice(1, 1 + n),
    jvp: o[1 + n]!,
    hvp: o.slice(2 + n, 2 + 2 * n),
    hessian: wantHessian ? wrt.map((_, i) => o.slice(2 + 2 * n + i * n, 2 + 2 * n + (i + 1) * n)) : null,
    notes: [...primal.notes, ...optimized.notes],
  };
}

