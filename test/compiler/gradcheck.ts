/**
 * Numerical gradient checking shared by the op-spec and property tests:
 * a seeded generator, tolerant comparison, Richardson-extrapolated central
 * differences with a reliability verdict, and the two ways to evaluate a
 * scalar function's derivatives (reference IR evaluation and compiled kernels).
 */
import { gradient } from '../../compiler/autodiff/reverse.ts';
import { jvp } from '../../compiler/autodiff/forward.ts';
import { hessianRows, hessianVectorProduct } from '../../compiler/autodiff/hessian.ts';
import { derivationOrder } from '../../compiler/autodiff/derive.ts';
import type { Derivatives } from '../../compiler/autodiff/derive.ts';
import { emitKernels } from '../../compiler/emit/emitModule.ts';
import { comment, identifier } from '../../compiler/emit/safeText.ts';
import { loadModule } from '../../compiler/load/loadModule.ts';
import { input, mul } from '../../compiler/ir/build.ts';
import { evaluateNodes } from '../../compiler/ir/evaluate.ts';
import type { InputNode, Node } from '../../compiler/ir/node.ts';
import { compileFunctions, programDerivatives } from '../../compiler/api/compileFunctions.ts';
import type { FunctionIR } from '../../compiler/ir/function.ts';
import { SeededRng } from '../../runtime/random/seededRng.ts';

/** Uniform floats in [0, 1) from the runtime's SeededRng, so failures reproduce from the seed. */
export const seededRandom = (seed: number): (() => number) => SeededRng.fromSeed(seed).asFunction();

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

/** |a - b| ≤ atol + rtol·max(|a|, |b|); NaN matches only NaN, ∞ only itself. */
export function close(a: number, b: number, { rtol, atol }: Tolerance): boolean {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b);
  if (a === b) return true;
  return Math.abs(a - b) <= atol + rtol * Math.max(Math.abs(a), Math.abs(b));
}

/** Indices where `actual` and `expected` are not close, with both values, for failure messages. */
export function mismatches(
  actual: readonly number[],
  expected: readonly number[],
  tol: Tolerance,
): { i: number; actual: number; expected: number }[] {
  if (actual.length !== expected.length) throw new Error(`length ${actual.length} ≠ ${expected.length}`);
  return actual.flatMap((a, i) => (close(a, expected[i]!, tol) ? [] : [{ i, actual: a, expected: expected[i]! }]));
}

export const dot = (a: readonly number[], b: readonly number[]): number =>
  a.reduce((s, ai, i) => s + ai * b[i]!, 0);
/** Σ |aᵢ bᵢ|: the scale against which rounding in a dot product is judged. */
export const absDot = (a: readonly number[], b: readonly number[]): number =>
  a.reduce((s, ai, i) => s + Math.abs(ai * b[i]!), 0);
export const along = (x: readonly number[], v: readonly number[], t: number): number[] =>
  x.map((xi, i) => xi + t * v[i]!);
export const maxAbs = (xs: readonly number[]): number => xs.reduce((m, x) => Math.max(m, Math.abs(x)), 0);

export interface DifferenceEstimate {
  /** d/dt g(t) at t = 0, componentwise. */
  readonly derivative: number[];
  /** Largest |g| seen: rounding in a difference quotient scales with it. */
  readonly scale: number;
  /** False near a kink, a jump, an overflow or where the estimate is unstable. */
  readonly reliable: boolean;
  readonly why: string;
}

/** Central difference (g(h) - g(-h)) / 2h, error O(h²). */
function central(g: (t: number) => readonly number[], h: number): number[] {
  const plus = g(h);
  const minus = g(-h);
  return plus.map((p, i) => (p - minus[i]!) / (2 * h));
}

/**
 * d/dt g(t) at 0 by Richardson extrapolation of central differences,
 * R(h) = (4 D(h/2) - D(h)) / 3 with error O(h⁴). Reliable when R(h) and
 * R(h/2) agree (no kink or jump within h) and the second-order one-sided
 * differences from the left and the right agree (no kink exactly at 0, where
 * a central difference would happily average the two slopes).
 */
export function differentiate(g: (t: number) => readonly number[], h: number): DifferenceEstimate {
  const samples = [0, h, -h, h / 2, -h / 2, h / 4, -h / 4].map((t) => g(t));
  const scale = Math.max(...samples.map(maxAbs));
  const d = (step: number) => central(g, step);
  const r = (step: number) => {
    const coarse = d(step);
    return d(step / 2).map((fine, i) => (4 * fine - coarse[i]!) / 3);
  };
  const rh = r(h);
  const rh2 = r(h / 2);
  const s = h / 8;
  const g0 = samples[0]!;
  const [p1, p2, m1, m2] = [g(s), g(2 * s), g(-s), g(-2 * s)];
  // (-3 g(0) + 4 g(s) - g(2s)) / 2s and its mirror image, error O(s²).
  const right = g0.map((v, i) => (-3 * v + 4 * p1[i]! - p2[i]!) / (2 * s));
  const left = g0.map((v, i) => (3 * v - 4 * m1[i]! + m2[i]!) / (2 * s));
  const floor = 1e-9 * (1 + scale);
  const result = (reliable: boolean, why: string): DifferenceEstimate => ({ derivative: rh2, scale, reliable, why });
  if (!Number.isFinite(scale) || scale > 1e8) return result(false, `values not finite or above 1e8 (${scale})`);
  if (mismatches(rh, rh2, { rtol: 1e-8, atol: floor }).length > 0) {
    return result(false, `Richardson estimates disagree: ${rh} vs ${rh2}`);
  }
  if (mismatches(right, left, { rtol: 1e-6, atol: floor }).length > 0) {
    return result(false, `one-sided slopes disagree (kink): ${left} vs ${right}`);
  }
  return result(true, '');
}

/** Everything the tests ask of a scalar function f: ℝⁿ → ℝ, at point x. */
export interface Evaluator {
  value(x: readonly number[]): number;
  gradient(x: readonly number[]): number[];
  /** Forward mode: J·v. */
  jvp(x: readonly number[], v: readonly number[]): number;
  /** Reverse mode with cotangent u: Jᵀ·u. */
  vjp(x: readonly number[], u: number): number[];
  /** Forward over reverse: H·v. */
  hvp(x: readonly number[], v: readonly number[]): number[];
  hessian(x: readonly number[]): number[][];
}

const record = (names: readonly string[], values: readonly number[]): Record<string, number> =>
  Object.fromEntries(names.map((n, i) => [n, values[i]!]));

/**
 * The derivative rules as the IR states them, before any optimization,
 * evaluated by the reference evaluator.
 */
export function referenceEvaluator(f: Node, vars: readonly InputNode[]): Evaluator {
  const names = vars.map((x) => x.name);
  const tangents = vars.map((x) => input(`${x.name}Dot`));
  const tangentNames = tangents.map((t) => t.name);
  const cotangent = input('uBar');
  const grad = gradient(f, vars);
  // Reverse mode seeded with the cotangent u rather than 1.
  const vjpNodes = gradient(mul(cotangent, f), vars);
  const [jvpNode] = jvp([f], new Map(vars.map((x, i) => [x, tangents[i]!])));
  const hvpNodes = hessianVectorProduct(f, vars, tangents);
  const rows = hessianRows(f, vars);
  const at = (roots: readonly Node[], inputs: Record<string, number>) => {
    const values = evaluateNodes(roots, inputs);
    return roots.map((r) => values.get(r)!);
  };
  return {
    value: (x) => at([f], record(names, x))[0]!,
    gradient: (x) => at(grad, record(names, x)),
    jvp: (x, v) => at([jvpNode!], { ...record(names, x), ...record(tangentNames, v) })[0]!,
    vjp: (x, u) => at(vjpNodes, { ...record(names, x), uBar: u }),
    hvp: (x, v) => at(hvpNodes, { ...record(names, x), ...record(tangentNames, v) }),
    hessian: (x) => rows.map((row) => at(row, record(names, x))),
  };
}

type Kernel = (...args: unknown[]) => unknown;

export interface Compiled {
  readonly derivatives: Derivatives;
  readonly source: string;
  readonly kernels: Evaluator;
  /** The optimized derivative IR the kernels were emitted from, by the reference evaluator. */
  readonly optimizedReference: Evaluator;
}

/**
 * Derives, optimizes (verifying after every pass), emits and loads the
 * kernels for f, the same route `compileExpression` takes, for IR that has
 * no expression text.
 */
export function compileNode(f: Node, vars: readonly InputNode[]): Compiled {
  const options = { verifyEachPass: true };
  const order = derivationOrder(vars, vars.map((x) => x.name));
  const fn: FunctionIR = { name: 'f', params: order.inputs, output: f, wrt: order.wrt, origin: { file: 'opSpec test', line: 1, column: 1, text: '' } };
  const compiled = compileFunctions({ path: 'opSpec test', functions: [fn] }, ['value', 'gradient', 'jvp', 'hvp', 'hessian'], options);
  const d = programDerivatives(compiled.functions.get('f')!.derivatives, options);
  const k = (name: string) => compiled.module[name] as Kernel;
  const flat = (v: readonly number[]) => Float64Array.from(v);
  const kernels: Evaluator = {
    value: (x) => k('f')(...x) as number,
    gradient: (x) => gradOf(x),
    jvp: (x, v) => k('fJvp')(...x, flat(v)) as number,
    // For a scalar f, Jᵀu is u·∇f.
    vjp: (x, u) => gradOf(x).map((g) => u * g),
    hvp: (x, v) => Array.from(k('fHvp')(...x, flat(v)) as Float64Array),
    hessian: (x) => {
      const n = vars.length;
      const h = k('fHessian')(...x) as Float64Array;
      return Array.from({ length: n }, (_, i) => Array.from(h.subarray(i * n, (i + 1) * n)));
    },
  };
  function gradOf(x: readonly number[]): number[] {
    return Array.from(k('fGradient')(...x) as Float64Array);
  }
  return { derivatives: d, source: compiled.source, kernels, optimizedReference: derivativesEvaluator(d) };
}

/** The reference evaluation of the optimized IR in `d` (the kernels' own source). */
export function derivativesEvaluator(d: Derivatives): Evaluator {
  const names = d.inputs.map((x) => x.name);
  const tangentNames = d.tangents.map((t) => t.name);
  const at = (roots: readonly Node[], inputs: Record<string, number>) => {
    const values = evaluateNodes(roots, inputs);
    return roots.map((r) => values.get(r)!);
  };
  const gradientAt = (x: readonly number[]) => at(d.gradient, record(names, x));
  return {
    value: (x) => at([d.value], record(names, x))[0]!,
    gradient: gradientAt,
    jvp: (x, v) => at([d.jvp], { ...record(names, x), ...record(tangentNames, v) })[0]!,
    vjp: (x, u) => gradientAt(x).map((g) => u * g),
    hvp: (x, v) => at(d.hvp, { ...record(names, x), ...record(tangentNames, v) }),
    hessian: (x) => (d.hessian ?? []).map((row) => at(row, record(names, x))),
  };
}

export type ValueKernel = (...args: number[]) => number;

/** Emits and loads a module with one kernel, `value(params…)`, returning `root` as the IR states it. */
export function valueKernel(root: Node, params: readonly InputNode[]): ValueKernel {
  const { kernels, helpers } = emitKernels([{ name: identifier('value'), doc: comment('test kernel'), params, returns: root }]);
  return loadModule([...kernels, ...helpers].join('\n\n'))['value'] as ValueKernel;
}
