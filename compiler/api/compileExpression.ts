/**
 * The programmatic API for math expressions: a façade over the one pipeline —
 * parse (mathjs) into the function IR, derive, optimize, emit the generated
 * module (the format model files get), load it, and bind its named functions
 * to the methods of the returned object.
 */
import { derivationOrder } from '../autodiff/derive.ts';
import type { DeriveOptions, Derivatives } from '../autodiff/derive.ts';
import { bindFlat, compileFunctions, literalLayout, programDerivatives } from './compileFunctions.ts';
import type { ModuleKind } from '../module/emitSpec.ts';
import type { FunctionIR } from '../ir/function.ts';
import { bindData, positionalArguments } from '../load/flatArguments.ts';
import type { Kernel } from '../load/flatArguments.ts';
import { didYouMean, UsageError } from '../errors.ts';
import { parseExpression } from '../frontend/mathjs.ts';
import { input } from '../ir/build.ts';
import { toMathText } from '../emit/render.ts';
import { kernelArgument } from '../load/kernelArgs.ts';
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

const zerosFor = (x: InputNode): TensorValue => (x.shape.length === 0 ? 0 : new Float64Array(x.shape.reduce<number>((a, d) => a * (d as number), 1)));

/** Every kind an expression module carries: the named functions behind the methods, the flat variants behind `objective`. */
const EXPRESSION_EMIT: readonly ModuleKind[] = ['value', 'gradient', 'jvp', 'hvp', 'hessian', 'flat'];

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
  // An unused wrt variable is a parameter the expression never reads: its derivatives are 0.
  const names = [...parsed.variables, ...unusedWrt];
  // Inputs are hash-consed: input(name, shape) is the node the front end built.
  const order = derivationOrder(names.map((name) => input(name, options.shapes?.[name])), options.wrt);
  const fn: FunctionIR = {
    name: 'f',
    params: order.inputs,
    output: parsed.output,
    wrt: order.wrt,
    origin: { file: options.file ?? '<expr>', line: 1, column: 1, text: expression },
    doc: `f(${order.inputs.map((x) => x.name).join(', ')}) = ${expression}`,
  };
  const compiled = compileFunctions({ path: `expression ${JSON.stringify(expression)}`, functions: [fn] }, EXPRESSION_EMIT, options);
  const { source } = compiled;
  const emitted = compiled.functions.get('f')!;
  const call = (name: string) => compiled.module[name] as Kernel;
  const { names: generated } = emitted;
  const { layout, size: n } = literalLayout(emitted);
  const derivatives = programDerivatives(emitted.derivatives, options);

  // An unused variable's value cannot change any result, so it may be left out of a point.
  const unusedDefaults = Object.fromEntries(
    order.wrt.filter((x) => unusedWrt.includes(x.name) && x.shape.every((dim) => typeof dim === 'number')).map((x) => [x.name, zerosFor(x)]),
  );
  const args = (point: Point) => positionalArguments(order.inputs, emitted.explicitSizes, bindData(order.inputs, { ...unusedDefaults, ...point }));
  /** A flat vector in the layout from values by wrt name (missing ones 0). */
  const flatOf = (direction: Point): Float64Array => {
    const v = new Float64Array(n);
    layout.forEach((e, i) => {
      const value = kernelArgument(order.wrt[i]!, direction[e.name] ?? zerosFor(order.wrt[i]!), new Map());
      if (typeof value === 'number') v[e.offset] = value;
      else v.set(value, e.offset);
    });
    return v;
  };
  const noParameters = n === 0;

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
    inputs: order.inputs.map((x) => x.name),
    source,
    rewrites,
    derivatives,
    value: (p) => call(generated.value)(...args(p)) as number,
    gradient: (p) => (noParameters ? [] : Array.from(call(generated.gradient)(...args(p)) as Float64Array)),
    valueAndGradient: (p) => {
      if (noParameters) return { value: call(generated.value)(...args(p)) as number, gradient: [] };
      const g = new Float64Array(n);
      const value = call(generated.valueAndGradient)(...args(p), g) as number;
      return { value, gradient: Array.from(g) };
    },
    jvp: (p, t) => (noParameters ? 0 : (call(generated.jvp)(...args(p), flatOf(t)) as number)),
    hvp: (p, v) => (noParameters ? [] : Array.from(call(generated.hvp)(...args(p), flatOf(v)) as Float64Array)),
    objective: (fixed = {}) => {
      if (noParameters) {
        const at = args(fixed);
        return () => call(generated.value)(...at) as number;
      }
      return bindFlat<{ objective: (x: Float64Array, gradOut: Float64Array) => number }>(compiled, emitted, fixed).objective;
    },
    hessian: (p) => {
      if (noParameters) return [];
      if (!emitted.hessian) {
        throw new UsageError('no dense Hessian: it is compiled for scalar variables (hessian: true); use hvp for matrices and vectors');
      }
      const h = call(generated.hessian)(...args(p)) as Float64Array;
      return Array.from({ length: n }, (_, i) => Array.from(h.subarray(i * n, (i + 1) * n)));
    },
  };
}
