/**
 * Every way a scalar function is differentiated, behind one interface: the IR
 * as stated (reference evaluation, no optimization), the IR optimized, emitted
 * and loaded (compileModel), mathjs expressions (compileExpression) and model
 * files (the TypeScript front end). kinks.test.ts and stability.test.ts check
 * each of them against the same expected numbers.
 */
import { expect } from 'vitest';
import { jvp } from '../../compiler/autodiff/forward.ts';
import { hessianVectorProduct } from '../../compiler/autodiff/hessian.ts';
import { gradient } from '../../compiler/autodiff/reverse.ts';
import { compileExpression } from '../../compiler/api/compileExpression.ts';
import { compileModel } from '../../compiler/api/compileModel.ts';
import { parseExpression } from '../../compiler/frontend/mathjs.ts';
import { parseModelFile } from '../../compiler/frontend/typescript/parseModelFile.ts';
import { input } from '../../compiler/ir/build.ts';
import { evaluateTensors } from '../../compiler/ir/evaluate.ts';
import type { InputNode, Node } from '../../compiler/ir/node.ts';
import type { Shape } from '../../compiler/ir/shape.ts';
import { tensor } from '../../compiler/ir/tensor.ts';
import type { FunctionIR } from '../../compiler/ir/function.ts';

/** A variable of the function: its name and shape (scalar unless given). */
export interface Variable {
  readonly name: string;
  readonly shape?: readonly number[];
}

export interface Spelling {
  readonly what: string;
  /** Built with the IR API from the variables' input nodes. */
  readonly ir?: (vars: readonly InputNode[]) => Node;
  readonly mathjs?: string;
  /** An exported function of the caller's model file, lowered by the TypeScript front end. */
  readonly modelFile?: string;
  /** Skip the unoptimized reference path (a spelling that only the stability rewrites make stable). */
  readonly compiledOnly?: boolean;
}

/** The derivatives one way of computing them gives at a flat point. */
export interface Derivatives {
  gradient(x: readonly number[]): number[];
  /** J·v for the scalar function. */
  jvp(x: readonly number[], v: readonly number[]): number;
  hvp(x: readonly number[], v: readonly number[]): number[];
  /** H·v by reverse over forward mode, where available. */
  hvpReverseOverForward?(x: readonly number[], v: readonly number[]): number[];
}

export const sizeOf = (v: Variable): number => (v.shape ?? []).reduce((a, b) => a * b, 1);

/** Flat values → one value per variable (numbers for scalars, Float64Arrays for vectors). */
function split(vars: readonly Variable[], x: readonly number[]): (number | Float64Array)[] {
  let offset = 0;
  return vars.map((v) => {
    const n = sizeOf(v);
    const part = x.slice(offset, offset + n);
    offset += n;
    return v.shape === undefined ? part[0]! : Float64Array.from(part);
  });
}

function record(vars: readonly Variable[], x: readonly number[], suffix = ''): Record<string, number | Float64Array> {
  const parts = split(vars, x);
  return Object.fromEntries(vars.map((v, i) => [`${v.name}${suffix}`, parts[i]!]));
}

const asTensors = (r: Record<string, number | Float64Array>) =>
  Object.fromEntries(Object.entries(r).map(([k, v]) => [k, typeof v === 'number' ? v : tensor([v.length], v)]));

/** The rules as the IR states them, before any optimization, by the reference evaluator. */
export function reference(f: Node, inputs: readonly InputNode[], vars: readonly Variable[]): Derivatives {
  const tangents = inputs.map((x) => input(`${x.name}Dot`, x.shape));
  const grad = gradient(f, inputs);
  const [dot] = jvp([f], new Map(inputs.map((x, i) => [x, tangents[i]!])));
  const hv = hessianVectorProduct(f, inputs, tangents);
  // The other nesting, reverse over forward: ∇ₓ(J·v) = H·v as well.
  const hvReverse = gradient(dot!, inputs);
  const flat = (nodes: readonly Node[], values: Record<string, number | Float64Array>): number[] => {
    const result = evaluateTensors(nodes, asTensors(values));
    return nodes.flatMap((n) => Array.from(result.get(n)!.data));
  };
  return {
    gradient: (x) => flat(grad, record(vars, x)),
    jvp: (x, v) => flat([dot!], { ...record(vars, x), ...record(vars, v, 'Dot') })[0]!,
    hvp: (x, v) => flat(hv, { ...record(vars, x), ...record(vars, v, 'Dot') }),
    hvpReverseOverForward: (x, v) => flat(hvReverse, { ...record(vars, x), ...record(vars, v, 'Dot') }),
  };
}

type Kernel = (...args: unknown[]) => unknown;

/** Optimized, emitted and loaded: the path users' kernels take. */
export function compiledModel(f: Node, inputs: readonly InputNode[], vars: readonly Variable[]): Derivatives {
  const model = compileModel({ inputs, loss: f, wrt: inputs });
  const k = (name: string) => model.kernels[name] as Kernel;
  return {
    gradient(x) {
      const g = new Float64Array(model.size);
      k('valueAndGradient')(...split(vars, x), g);
      return Array.from(g);
    },
    jvp: (x, v) => k('jvp')(...split(vars, x), ...split(vars, v)) as number,
    hvp(x, v) {
      const out = new Float64Array(model.size);
      k('hvp')(...split(vars, x), ...split(vars, v), out);
      return Array.from(out);
    },
  };
}

export function compiledExpression(text: string, vars: readonly Variable[]): Derivatives {
  const shapes: Record<string, Shape> = Object.fromEntries(vars.filter((v) => v.shape).map((v) => [v.name, v.shape!]));
  const c = compileExpression(text, { wrt: vars.map((v) => v.name), shapes });
  return {
    gradient: (x) => c.gradient(record(vars, x)),
    jvp: (x, v) => c.jvp(record(vars, x), record(vars, v)),
    hvp: (x, v) => c.hvp(record(vars, x), record(vars, v)),
  };
}

/** The functions of a model file's text, lowered once. */
export function modelFileFunctions(path: string, text: string): () => readonly FunctionIR[] {
  let lowered: readonly FunctionIR[] | undefined;
  return () => (lowered ??= parseModelFile(path, { text }).functions);
}

/** Every way a spelling is differentiated. */
export function ways(
  variables: readonly Variable[],
  s: Spelling,
  modelFunctions: () => readonly FunctionIR[] = () => [],
): { how: string; d: Derivatives }[] {
  const inputs = variables.map((v) => input(v.name, v.shape ?? []));
  const out: { how: string; d: Derivatives }[] = [];
  const withReference = s.compiledOnly !== true;
  if (s.ir) {
    const f = s.ir(inputs);
    if (withReference) out.push({ how: 'IR, reference', d: reference(f, inputs, variables) });
    out.push({ how: 'IR, compiled', d: compiledModel(f, inputs, variables) });
  }
  if (s.modelFile) {
    const fn = modelFunctions().find((f) => f.name === s.modelFile)!;
    expect(fn.params.map((p) => p.name)).toEqual(variables.map((v) => v.name));
    if (withReference) out.push({ how: 'model file, reference', d: reference(fn.output, fn.params, variables) });
    out.push({ how: 'model file, compiled', d: compiledModel(fn.output, fn.params, variables) });
  }
  if (s.mathjs) {
    const shapes = Object.fromEntries(variables.filter((v) => v.shape).map((v) => [v.name, v.shape!]));
    const f = parseExpression(s.mathjs, { shapes }).output;
    if (withReference) out.push({ how: 'mathjs, reference', d: reference(f, inputs, variables) });
    out.push({ how: 'mathjs, compiled', d: compiledExpression(s.mathjs, variables) });
  }
  return out;
}

export const unit = (n: number, i: number): number[] => Array.from({ length: n }, (_, k) => (k === i ? 1 : 0));
