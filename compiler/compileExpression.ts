/**
 * The programmatic API for math expressions: parse (mathjs), derive, optimize,
 * emit TypeScript, and load the emitted kernels, which compute every value
 * the returned object hands out.
 */
import { derive } from './derive.ts';
import type { DeriveOptions, Derivatives } from './derive.ts';
import { emitModule } from './emit/emitModule.ts';
import { loadModule } from './emit/loadModule.ts';
import { UsageError } from './errors.ts';
import { parseExpression } from './frontend/mathjs.ts';
import { input } from './ir/build.ts';
import { toMathText } from './ir/render.ts';
import { kernelModuleSpec } from './kernelModule.ts';

export type Point = Readonly<Record<string, number>>;

export interface CompileExpressionOptions extends DeriveOptions {
  /** Variables to differentiate with respect to, in gradient order. */
  readonly wrt: readonly string[];
  /** If given, the only variables the expression may use. */
  readonly variables?: readonly string[];
  /** Shown as the file in error messages (default `<expr>`). */
  readonly file?: string;
}

export interface Rewrite {
  readonly rule: string;
  readonly before: string;
  readonly after: string;
}

export interface CompiledExpression {
  readonly expression: string;
  readonly wrt: readonly string[];
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

/** Long derivative expressions are summarised in `--explain` listings. */
const MAX_NOTE_LENGTH = 120;
const clip = (s: string) => (s.length > MAX_NOTE_LENGTH ? `${s.slice(0, MAX_NOTE_LENGTH - 1)}…` : s);

export function compileExpression(expression: string, options: CompileExpressionOptions): CompiledExpression {
  const parsed = parseExpression(expression, {
    ...(options.file !== undefined ? { file: options.file } : {}),
    ...(options.variables !== undefined ? { variables: options.variables } : {}),
  });
  for (const name of options.wrt) {
    if (!parsed.variables.includes(name)) {
      throw new UsageError(
        `cannot differentiate with respect to '${name}': it does not appear in '${expression}' ` +
          `(its variables: ${parsed.variables.join(', ') || 'none'})`,
      );
    }
  }
  if (new Set(options.wrt).size !== options.wrt.length) throw new UsageError('wrt lists a variable twice');
  const derivatives = derive(
    // Inputs are hash-consed: input(name) is the node the front end built.
    { inputs: parsed.variables.map((name) => input(name)), outputs: [{ name: 'f', node: parsed.output }] },
    options.wrt,
    options,
  );
  const source = emitModule(kernelModuleSpec(derivatives, `expression ${JSON.stringify(expression)}`, expression));
  const mod = loadModule(source);
  const kernel = (name: string) => mod[name] as Kernel;
  const order = derivatives.inputs.map((x) => x.name);
  const n = options.wrt.length;

  const args = (point: Point): number[] =>
    order.map((name) => {
      const v = point[name];
      if (typeof v !== 'number') throw new UsageError(`no value given for variable '${name}'`);
      return v;
    });
  const directionArgs = (direction: Point): number[] => options.wrt.map((name) => direction[name] ?? 0);

  const seen = new Set<string>();
  const rewrites: Rewrite[] = [];
  for (const note of derivatives.notes) {
    const r = { rule: note.rule, before: clip(toMathText(note.before)), after: clip(toMathText(note.after)) };
    const key = `${r.rule}|${r.before}`;
    if (note.exactness === 'stability' && !seen.has(key)) {
      seen.add(key);
      rewrites.push(r);
    }
  }

  return {
    expression,
    wrt: [...options.wrt],
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
    jvp: (p, t) => kernel('jvp')(...args(p), ...directionArgs(t)) as number,
    hvp: (p, v) => Array.from(kernel('hvp')(...args(p), ...directionArgs(v), new Float64Array(n)) as Float64Array),
    objective: (fixed = {}) => {
      const valueAndGradient = kernel('valueAndGradient');
      const slots = order.slice(n).map((name) => {
        const v = fixed[name];
        if (typeof v !== 'number') throw new UsageError(`objective: no value given for the fixed variable '${name}'`);
        return v;
      });
      const argv: unknown[] = [...new Array<number>(n).fill(0), ...slots, null];
      return (x, gradOut) => {
        for (let i = 0; i < n; i++) argv[i] = x[i];
        argv[argv.length - 1] = gradOut;
        return valueAndGradient(...argv) as number;
      };
    },
    hessian: (p) => {
      if (derivatives.hessian === null) throw new UsageError('the dense Hessian was not compiled (hessian: false)');
      const h = kernel('hessian')(...args(p), new Float64Array(n * n)) as Float64Array;
      return Array.from({ length: n }, (_, i) => Array.from(h.subarray(i * n, (i + 1) * n)));
    },
  };
}
