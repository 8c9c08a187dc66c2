/**
 * The programmatic API for math expressions: parse (mathjs), derive, optimize,
 * emit TypeScript, and load the emitted kernels, which compute every value
 * the returned object hands out.
 */
import { derive } from '../autodiff/derive.ts';
import type { DeriveOptions, Derivatives } from '../autodiff/derive.ts';
import { emitModule } from '../emit/emitModule.ts';
import { loadModule } from '../load/loadModule.ts';
import { didYouMean, UsageError } from '../errors.ts';
import { parseExpression } from '../frontend/mathjs.ts';
import { input } from '../ir/build.ts';
import { toMathText } from '../ir/render.ts';
import { kernelModuleSpec } from '../emit/kernelModule.ts';
import { parameterLayout } from '../ir/parameterLayout.ts';
import type { LayoutEntry } from '../ir/parameterLayout.ts';
import { symbolsOf } from '../emit/loops/dims.ts';
import { kernelArgument, kernelArguments } from '../load/kernelArgs.ts';
import type { TensorValue } from '../load/kernelArgs.ts';
import type { InputNode } from '../ir/node.ts';
import type { Shape } from '../ir/shape.ts';

/** Values by variable name: numbers, or nested arrays / Float64Arrays for matrices and vectors. */
export type Point = Readonly<Record<string, TensorValue>>;

export interface CompileExpressionOptions extends DeriveOptions {
  /** Variables to differentiate with respect to, in gradient order. */
  readonly wrt: readonly string[];
  /** If given, the only variables the expression may use. */
  readonly variables?: readonly string[];
  /** Shown as the file in error messages (default `<expr>`). */
  readonly file?: string;
  /** Shapes of matrix and vector variables (numbers, or names such as 'batch'); others are scalars. */
  readonly shapes?: Readonly<Record<string, Shape>>;
  /**
   * Refuse a wrt variable the expression does not use. By default its
   * derivatives are 0 (as in SymPy, JAX and mathjs) and it is listed in `unusedWrt`.
   */
  readonly strictWrt?: boolean;
}

export interface Rewrite {
  readonly rule: string;
  readonly before: string;
  readonly after: string;
}

export interface CompiledExpression {
  readonly expression: string;
  readonly wrt: readonly string[];
  /** wrt variables the expression does not use: their gradient entries, Hessian rows and columns are 0. */
  readonly unusedWrt: readonly string[];
  /** Every variable, in kernel parameter order (wrt first). */
  readonly inputs: readonly string[];
  readonly source: string;
  /** Numerical stability rewrites applied to the expression and its derivatives. */
  readonly rewrites: readonly Rewrite[];
  /** The derivative IR the kernels were emitted from. */
  readonly derivatives: Derivatives;
  value(point: Point): number;
  gradient(point: Point): number[];
  valueAndGradient(point: Point): { value: number; gradient: number[] };
  jvp(point: Point, tangent: Point): number;
  hvp(point: Point, direction: Point): number[];
  hessian(point: Point): number[][];
  /**
   * The flat-vector objective optimizers call: `x` holds the wrt variables in
   * order, the gradient is written into `gradOut`, the value returned. Other
   * variables are fixed at `fixed`. Allocates nothing per call.
   */
  objective(fixed?: Point): (x: Float64Array, gradOut: Float64Array) => number;
}

type Kernel = (...args: unknown[]) => unknown;

const zerosFor = (x: InputNode): TensorValue => (x.shape.length === 0 ? 0 : new Float64Array(x.shape.reduce<number>((a, d) => a * (d as number), 1)));

/** Placeholder values for the differentiated inputs; the objective overwrites them from x. */
function wrtZeros(d: Derivatives): Record<string, TensorValue> {
  return Object.fromEntries(d.wrt.map((x) => [x.name, zerosFor(x)]));
}

/**
 * `(x, gradOut) => value` over the flat parameter vector. Tensor parameters
 * are views into x, made again only when a different x array comes in, so a
 * steady-state call allocates nothing.
 */
function flatObjective(
  valueAndGradient: Kernel,
  d: Derivatives,
  layout: readonly LayoutEntry[],
  fixedArgs: readonly (number | Float64Array)[],
): (x: Float64Array, gradOut: Float64Array) => number {
  const argv: unknown[] = [...fixedArgs, null];
  const scalar = d.wrt.map((x) => x.shape.length === 0);
  const offsets = layout.map((e) => e.offset);
  let lastX: Float64Array | null = null;
  return (x, gradOut) => {
    if (x !== lastX) {
      layout.forEach((e, i) => {
        if (!scalar[i]) argv[i] = x.subarray(e.offset, e.offset + e.size);
      });
      lastX = x;
    }
    for (let i = 0; i < offsets.length; i++) if (scalar[i]) argv[i] = x[offsets[i]!];
    argv[argv.length - 1] = gradOut;
    return valueAndGradient(...argv) as number;
  };
}

/** Long derivative expressions are summarised in `--explain` listings. */
const MAX_NOTE_LENGTH = 120;
const clip = (s: string) => (s.length > MAX_NOTE_LENGTH ? `${s.slice(0, MAX_NOTE_LENGTH - 1)}…` : s);

export function compileExpression(expression: string, options: CompileExpressionOptions): CompiledExpression {
  const parsed = parseExpression(expression, {
    ...(options.file !== undefined ? { file: options.file } : {}),
    ...(options.variables !== undefined ? { variables: options.variables } : {}),
    ...(options.shapes !== undefined ? { shapes: options.shapes } : {}),
  });
  if (new Set(options.wrt).size !== options.wrt.length) throw new UsageError('wrt lists a variable twice');
  const unusedWrt = options.wrt.filter((name) => !parsed.variables.includes(name));
  if (options.strictWrt === true && unusedWrt.length > 0) {
    throw new UsageError(
      `cannot differentiate with respect to '${unusedWrt[0]}': it does not appear in '${expression}' ` +
        `(its variables: ${parsed.variables.join(', ') || 'none'}); without strictWrt its derivatives are 0${didYouMean(unusedWrt[0]!, parsed.variables)}`,
    );
  }
  // An unused wrt variable is a kernel parameter the expression never reads: its derivatives are 0.
  const names = [...parsed.variables, ...unusedWrt];
  const derivatives = derive(
    // Inputs are hash-consed: input(name, shape) is the node the front end built.
    { inputs: names.map((name) => input(name, options.shapes?.[name])), outputs: [{ name: 'f', node: parsed.output }] },
    options.wrt,
    options,
  );
  const source = emitModule(kernelModuleSpec(derivatives, `expression ${JSON.stringify(expression)}`, expression));
  const mod = loadModule(source);
  const kernel = (name: string) => mod[name] as Kernel;
  const order = derivatives.inputs.map((x) => x.name);
  const sizeNames = symbolsOf(derivatives.inputs.map((x) => x.shape));
  const layout = parameterLayout(derivatives.wrt);
  const n = layout.reduce((acc, e) => acc + e.size, 0);

  // An unused variable's value cannot change any result, so it may be left out of a point.
  const unusedDefaults = Object.fromEntries(
    derivatives.wrt.filter((x) => unusedWrt.includes(x.name) && x.shape.every((d) => typeof d === 'number')).map((x) => [x.name, zerosFor(x)]),
  );
  const args = (point: Point) => kernelArguments(derivatives.inputs, { ...unusedDefaults, ...point }, sizeNames);
  // Kernels take the fixed-size arguments first, then named sizes; tangents go between.
  const withTangents = (point: Point, direction: Point) => {
    const all = args(point);
    const tangents = derivatives.wrt.map((x) => kernelArgument(x, direction[x.name] ?? zerosFor(x), new Map()));
    return [...all.slice(0, order.length), ...tangents, ...all.slice(order.length)];
  };

  const seen = new Set<string>();
  const rewrites: Rewrite[] = [];
  for (const note of derivatives.notes) {
    const r = { rule: note.rule, before: clip(toMathText(note.before, MAX_NOTE_LENGTH)), after: clip(toMathText(note.after, MAX_NOTE_LENGTH)) };
    const key = `${r.rule}|${r.before}`;
    if (note.exactness === 'stability' && !seen.has(key)) {
      seen.add(key);
      rewrites.push(r);
    }
  }

  return {
    expression,
    wrt: [...options.wrt],
    unusedWrt,
    inputs: order,
    source,
    rewrites,
    derivatives,
    value: (p) => kernel('value')(...args(p)) as number,
    gradient: (p) => {
      const g = new Float64Array(n);
      kernel('valueAndGradient')(...args(p), g);
      return Array.from(g);
    },
    valueAndGradient: (p) => {
      const g = new Float64Array(n);
      const value = kernel('valueAndGradient')(...args(p), g) as number;
      return { value, gradient: Array.from(g) };
    },
    jvp: (p, t) => kernel('jvp')(...withTangents(p, t)) as number,
    hvp: (p, v) => Array.from(kernel('hvp')(...withTangents(p, v), new Float64Array(n)) as Float64Array),
    objective: (fixed = {}) => flatObjective(kernel('valueAndGradient'), derivatives, layout, args({ ...wrtZeros(derivatives), ...fixed })),
    hessian: (p) => {
      if (derivatives.hessian === null) {
        throw new UsageError('no dense Hessian: it is compiled for scalar variables (hessian: true); use hvp for matrices and vectors');
      }
      const h = kernel('hessian')(...args(p), new Float64Array(n * n)) as Float64Array;
      return Array.from({ length: n }, (_, i) => Array.from(h.subarray(i * n, (i + 1) * n)));
    },
  };
}
