/**
 * Property tests over random math expressions in x, y, z (fast-check, fixed
 * seeds: every run checks the same expressions; each title names its seed
 * and run count, 1080 runs in all, most of them at several points).
 *
 * The generator keeps every function inside its domain by construction
 * (log(u² + 0.5), asin(0.9 tanh u), (u² + 0.5)^tanh v, …) and mixes in
 * non-smooth ops, comparisons and logic in ternaries, and the formulas the
 * stability rewrites target. Derivatives are checked only where they are
 * defined: `fc.pre` skips a point when some non-smooth op in the IR sits
 * within 1e-6 of its kink, when f is not finite or above 1e8, or when the
 * finite differences themselves disagree (Richardson estimates at h and h/2,
 * or the one-sided slopes). About 1 sample in 12 is skipped, most for
 * having no variable at all.
 *
 * Properties: forward = reverse = central differences; the inner-product
 * identities; H·v against differences of the gradient and H symmetric;
 * fewer wrt variables give the same entries; compiled kernels against the
 * reference evaluation of the IR; the verifier after every pass; every
 * rewrite as exact as its rule claims; and, over an "operator soup" of every
 * infix, prefix and ternary form, the emitted code against the IR.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../compiler/api/compileExpression.ts';
import type { CompiledExpression } from '../../compiler/api/compileExpression.ts';
import { parseExpression } from '../../compiler/frontend/mathjs.ts';
import { input } from '../../compiler/ir/build.ts';
import { evaluateNodes } from '../../compiler/ir/evaluate.ts';
import type { ApplyNode, InputNode, Node } from '../../compiler/ir/node.ts';
import type { ApplyOp } from '../../compiler/ir/ops.ts';
import type { Program } from '../../compiler/ir/program.ts';
import { verify } from '../../compiler/ir/verify.ts';
import { optimize } from '../../compiler/passes/pipeline.ts';
import type { OptimizeOptions } from '../../compiler/passes/pipeline.ts';
import type { RewriteNote } from '../../compiler/passes/rewrite.ts';
import { toMathText } from '../../compiler/emit/render.ts';
import {
  along, close, derivativesEvaluator, differentiate, dot, maxAbs, mismatches, referenceEvaluator, valueKernel,
} from './gradcheck.ts';
import type { Evaluator, Tolerance } from './gradcheck.ts';

// ---------------------------------------------------------------------------
// The expression generator. Every operand is parenthesized, so templates
// compose; the emitter decides its own parentheses from the IR regardless.

type Unary = (u: string) => string;
type Binary = (u: string, v: string) => string;

const p = (s: string) => `(${s})`;
const sq = (u: string) => `${p(u)}*${p(u)}`;

const SMOOTH_UNARY: readonly Unary[] = [
  (u) => `sin(${u})`,
  (u) => `cos(${u})`,
  (u) => `tanh(${u})`,
  (u) => `atan(${u})`,
  (u) => `asinh(${u})`,
  (u) => `exp(${u})`,
  (u) => `sinh(${u})`,
  (u) => `cosh(${u})`,
  (u) => `-${p(u)}`,
  (u) => `${p(u)}^2`,
  (u) => `${p(u)}^3`,
  (u) => `square(${u})`,
  (u) => `cube(${u})`,
  (u) => `cbrt(${u})`,
  (u) => `log(${sq(u)} + 0.5)`,
  (u) => `log2(${sq(u)} + 0.5)`,
  (u) => `log(${sq(u)} + 0.5, 3)`,
  (u) => `sqrt(${sq(u)} + 0.25)`,
  (u) => `cbrt(${sq(u)} + 0.5)`,
  (u) => `asin(0.9*tanh(${u}))`,
  (u) => `acos(0.9*tanh(${u}))`,
  (u) => `acosh(${sq(u)} + 1.5)`,
  (u) => `atanh(0.9*tanh(${u}))`,
  (u) => `tan(tanh(${u}))`,
  (u) => `sec(tanh(${u}))`,
  (u) => `log1p(${sq(u)})`,
  (u) => `expm1(tanh(${u}))`,
  (u) => `sigmoid(${u})`,
  (u) => `softplus(${u})`,
  (u) => `1/${p(sq(u) + ' + 0.5')}`,
  (u) => `csc(1 + 0.5*tanh(${u}))`,
  (u) => `cot(0.5 + 0.4*tanh(${u}))`,
  (u) => `log10(${sq(u)} + 0.5)`,
  // Formulas the stability rewrites replace (softplus, sigmoid, expm1, log1p).
  (u) => `log(1 + exp(${u}))`,
  (u) => `1/(1 + exp(-${p(u)}))`,
  (u) => `exp(${u}) - 1`,
  (u) => `log(1 + ${sq(u)})`,
];

const NONSMOOTH_UNARY: readonly Unary[] = [
  (u) => `abs(${u})`,
  (u) => `relu(${u})`,
  (u) => `sign(${u})`,
  (u) => `max(${u}, 0)`,
];

const BINARY: readonly Binary[] = [
  (u, v) => `${p(u)} + ${p(v)}`,
  (u, v) => `${p(u)} - ${p(v)}`,
  (u, v) => `${p(u)} * ${p(v)}`,
  (u, v) => `${p(u)} / ${p(sq(v) + ' + 0.5')}`,
  (u, v) => `${p(sq(u) + ' + 0.5')}^(tanh(${v}))`,
  (u, v) => `pow(${sq(u)} + 0.5, sin(${v}))`,
  (u, v) => `atan2(${u}, ${sq(v)} + 0.5)`,
  (u, v) => `hypot(${u}, ${v})`,
  (u, v) => `logsumexp(${u}, ${v})`,
  // Rewritten to hypot and logsumexp.
  (u, v) => `sqrt(${p(u)}^2 + ${p(v)}^2)`,
  (u, v) => `log(exp(${u}) + exp(${v}))`,
  (u, v) => `log(exp(${u}) + exp(${v}) + exp(-${p(u)}))`,
  (u, v) => `sqrt(${p(u)}^2 + ${p(v)}^2 + ${sq(u)})`,
  (u, v) => `hypot(${u}, ${v}, 0.5)`,
  (u, v) => `max(${u}, ${v}, -0.5)`,
  (u, v) => `min(${u}, ${v}, 1)`,
  (u, v) => `log(${sq(u)} + 0.5, ${sq(v)} + 2)`,
  (u, v) => `min(${u}, ${v})`,
  (u, v) => `max(${u}, ${v})`,
  (u, v) => `sign(${u}) * ${p(v)}`,
  (u, v) => `(${p(u)} > ${p(v)}) * ${p(v)}`,
];

type Relation = (a: string, b: string) => string;
const RELATIONS: readonly Relation[] = [
  (a, b) => `${p(a)} > ${p(b)}`,
  (a, b) => `${p(a)} <= ${p(b)}`,
  (a) => `${p(a)} < 0.3`,
  (a, b) => `${p(a)} >= ${p(b)}`,
  (a, b) => `${p(a)} != ${p(b)}`,
  (a, b) => `${p(a)} == ${p(b)}`,
  (a, b) => `-1 < ${p(a)} < ${p(b)}`,
];
type Connective = (c: string, d: string) => string;
/** and, or and not nest, so the emitter's && || ! precedence is exercised. */
const CONNECTIVES: readonly Connective[] = [(c, d) => `${p(c)} and ${p(d)}`, (c, d) => `${p(c)} or ${p(d)}`, (c) => `not ${p(c)}`];

function condition(operand: fc.Arbitrary<string>): fc.Arbitrary<string> {
  const relation = fc.tuple(fc.constantFrom(...RELATIONS), operand, operand).map(([r, a, b]) => r(a, b));
  const connected = fc.tuple(fc.constantFrom(...CONNECTIVES), relation, relation).map(([c, a, b]) => c(a, b));
  const nested = fc.tuple(fc.constantFrom(...CONNECTIVES), connected, relation).map(([c, a, b]) => c(a, b));
  return fc.oneof({ arbitrary: relation, weight: 3 }, { arbitrary: connected, weight: 2 }, { arbitrary: nested, weight: 1 });
}

const VARIABLES = ['x', 'y', 'z'] as const;
type Variable = (typeof VARIABLES)[number];

const LEAF = fc.oneof(
  { arbitrary: fc.constantFrom<string>(...VARIABLES), weight: 4 },
  // 0, 1, -1 and -0 trigger the x*1, x+0, x^1, x^0 family of simplifications.
  { arbitrary: fc.constantFrom('0.5', '1.5', '2', '3', '0.25', 'pi', '(-1.5)', 'e', '0', '1', '(-1)', '(-0)'), weight: 1 },
);
/** Comparison operands: mostly shallow, so conditions do not dominate the expression size. */
const LEAF_OR = (sub: fc.Arbitrary<string>) => fc.oneof({ arbitrary: LEAF, weight: 1 }, { arbitrary: sub, weight: 1 });

function expression(depth: number): fc.Arbitrary<string> {
  if (depth === 0) return LEAF;
  const sub = expression(depth - 1);
  return fc.oneof(
    { arbitrary: LEAF, weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom(...SMOOTH_UNARY), sub).map(([t, u]) => t(u)), weight: 4 },
    { arbitrary: fc.tuple(fc.constantFrom(...NONSMOOTH_UNARY), sub).map(([t, u]) => t(u)), weight: 1 },
    { arbitrary: fc.tuple(fc.constantFrom(...BINARY), sub, sub).map(([t, u, v]) => t(u, v)), weight: 4 },
    {
      arbitrary: fc.tuple(condition(LEAF_OR(sub)), sub, sub).map(([c, a, b]) => `(${c} ? ${p(a)} : ${p(b)})`),
      weight: 1,
    },
  );
}

const EXPRESSION = expression(3);
/**
 * Uniform on [lo, hi] at resolution (hi - lo)/2³⁰. `fc.double` would spend
 * most samples on tiny and special values (half of all doubles in [-2, 2]
 * are below 1e-154 in magnitude), sitting on the kinks of abs, relu, sqrt, …
 */
const uniform = (lo: number, hi: number) =>
  fc.noBias(fc.integer({ min: 0, max: 2 ** 30 })).map((k) => lo + ((hi - lo) * k) / 2 ** 30);
const coordinate = uniform(-2, 2);
/** Special and tiny values too, for checks that hold at kinks as well. */
const anyCoordinate = fc.oneof(
  { arbitrary: coordinate, weight: 4 },
  { arbitrary: fc.double({ min: -2, max: 2, noNaN: true }), weight: 1 },
);
/** Direction components are never 0, so a kink at the point shows in the one-sided differences along them. */
const direction = fc
  .tuple(uniform(0.05, 1), fc.boolean())
  .map(([magnitude, negative]) => (negative ? -magnitude : magnitude));

interface Sample {
  readonly expr: string;
  readonly point: Readonly<Record<Variable, number>>;
  readonly v: Readonly<Record<Variable, number>>;
  readonly w: Readonly<Record<Variable, number>>;
  readonly u: number;
}

const vector = (arb: fc.Arbitrary<number>) => fc.record({ x: arb, y: arb, z: arb });
const sample = (point: fc.Arbitrary<number>): fc.Arbitrary<Sample> =>
  fc.record({ expr: EXPRESSION, point: vector(point), v: vector(direction), w: vector(direction), u: direction });
const SAMPLE = sample(coordinate);
/** One expression at several points, special ones included: compiling costs far more than evaluating. */
const COMPILED_SAMPLE = fc.record({
  expr: EXPRESSION,
  points: fc.array(vector(anyCoordinate), { minLength: 6, maxLength: 6 }),
  v: vector(direction),
});

// ---------------------------------------------------------------------------
// Compiling, with a cache so shrinking does not recompile.

interface Subject {
  readonly expr: string;
  /** Free variables, in kernel parameter order. */
  readonly vars: readonly Variable[];
  readonly parsed: Node;
  readonly compiled: CompiledExpression;
  /** The kernels as an Evaluator over points listed in `vars` order. */
  readonly kernels: Evaluator;
  /** The un-optimized parsed IR, differentiated by the rules as written. */
  readonly raw: () => Evaluator;
}

const subjects = new Map<string, Subject | null>();

function kernelsOf(c: CompiledExpression, vars: readonly Variable[]): Evaluator {
  const pt = (x: readonly number[]) => Object.fromEntries(vars.map((n, i) => [n, x[i]!]));
  return {
    value: (x) => c.value(pt(x)),
    gradient: (x) => c.gradient(pt(x)),
    jvp: (x, v) => c.jvp(pt(x), pt(v)),
    vjp: (x, u) => c.gradient(pt(x)).map((g) => u * g),
    hvp: (x, v) => c.hvp(pt(x), pt(v)),
    hessian: (x) => c.hessian(pt(x)),
  };
}

/** Null for an expression with no variables (nothing to differentiate). */
function subject(expr: string): Subject | null {
  const known = subjects.get(expr);
  if (known !== undefined) return known;
  const parsed = parseExpression(expr);
  const vars = parsed.variables as Variable[];
  let made: Subject | null = null;
  if (vars.length > 0) {
    const compiled = compileExpression(expr, { wrt: vars, verifyEachPass: true });
    let raw: Evaluator | undefined;
    made = {
      expr,
      vars,
      parsed: parsed.output,
      compiled,
      kernels: kernelsOf(compiled, vars),
      raw: () => (raw ??= referenceEvaluator(parsed.output, vars.map((n) => input(n)))),
    };
  }
  subjects.set(expr, made);
  return made;
}

const pick = (s: Subject, r: Readonly<Record<Variable, number>>): number[] => s.vars.map((n) => r[n]);
const stepFor = (x: readonly number[]) => 1e-3 * Math.max(1, maxAbs(x));

/** Within this (relative) distance of a kink, the derivative is the documented choice, not the limit. */
const KINK_DISTANCE = 1e-6;
const tie = (a: number, b: number) => Math.abs(a - b) <= KINK_DISTANCE * (1 + Math.abs(a) + Math.abs(b));
const atZero = ([a]: readonly number[]) => tie(a!, 0);
/** Operands that are one node tie everywhere: max(u, u) splits into u' exactly, u > u is constant. */
const atTie = ([a, b]: readonly number[], node: ApplyNode) => node.inputs[0] !== node.inputs[1] && tie(a!, b!);
const atOrigin = ([a, b]: readonly number[]) => tie(a!, 0) && tie(b!, 0);

/** Where each op is not smooth (or, like cbrt at 0, has an infinite slope). */
const KINK_TESTS: Partial<Record<ApplyOp, (args: readonly number[], node: ApplyNode) => boolean>> = {
  abs: atZero, sign: atZero, relu: atZero, sqrt: atZero, cbrt: atZero,
  min: atTie, max: atTie, lt: atTie, le: atTie, gt: atTie, ge: atTie, eq: atTie, ne: atTie,
  hypot: atOrigin, atan2: atOrigin,
  pow: (args, node) => node.inputs[1]!.op !== 'const' && atZero(args),
};

/**
 * True when some non-smooth op in the IR below `roots` sits
 * at or next to its kink. There the derivative is the op's documented choice
 * (relu'(0) = 0, a max tie split 0.5/0.5), which need not be the derivative
 * of f even where f itself is smooth, as for max(expm1(tanh z), min(0.5, z))
 * at z = 0, where both branches touch. Finite differences cannot see that.
 */
function nearKink(roots: readonly Node[], point: Readonly<Record<string, number>>): boolean {
  return roots.some((root) => {
    const values = evaluateNodes([root], point);
    // Constant subexpressions (max(2, 2) before folding) have no derivative to get wrong.
    const varying = new Set<Node>();
    return [...values.keys()].some((node) => {
      if (node.op === 'const') return false;
      if (node.op === 'input' || node.inputs.some((n) => varying.has(n))) varying.add(node);
      if (node.op === 'input' || !varying.has(node)) return false;
      const test = KINK_TESTS[node.op];
      return test !== undefined && test(node.inputs.map((n) => values.get(n)!), node);
    });
  });
}

/**
 * No intermediate overflows, is NaN or exceeds 1e6. Otherwise a stability
 * rewrite rightly changes the result (log(e^a + e^b) is ∞ at a = 710,
 * logsumexp is not), or a last-bit change is amplified (sin(sqrt(2y²)) and
 * sin(hypot(y, y)) differ by 1.5e-8 at y = 8.6e7).
 */
function wellConditioned(root: Node, point: Readonly<Record<string, number>>): boolean {
  return [...evaluateNodes([root], point).values()].every((v) => Number.isFinite(v) && Math.abs(v) <= 1e6);
}

/** f as parsed, and as optimized. */
const kinkRoots = (s: Subject): Node[] => [s.parsed, s.compiled.derivatives.value];
const pointOf = (s: Subject, x: readonly number[]) => Object.fromEntries(s.vars.map((n, i) => [n, x[i]!]));

/** A subject and point where f is finite, of moderate size and away from kinks, or a skip. */
function prepare(sample: Sample): { s: Subject; x: number[]; v: number[]; w: number[]; f: number } {
  const s = subject(sample.expr);
  fc.pre(s !== null);
  const x = pick(s, sample.point);
  const f = s.kernels.value(x);
  fc.pre(Number.isFinite(f) && Math.abs(f) <= 1e8);
  fc.pre(!nearKink(kinkRoots(s), pointOf(s, x)));
  return { s, x, v: pick(s, sample.v), w: pick(s, sample.w), f };
}

function expectClose(actual: readonly number[], expected: readonly number[], tol: Tolerance, what: string): void {
  const bad = mismatches(actual, expected, tol);
  expect(bad, `${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`).toEqual([]);
}

const FIRST_ORDER: Tolerance = { rtol: 1e-6, atol: 1e-9 };
const SECOND_ORDER: Tolerance = { rtol: 1e-5, atol: 1e-8 };
/** Compiled kernels against the reference evaluation of the IR they were emitted from. */
const COMPILED: Tolerance = { rtol: 1e-12, atol: 1e-300 };

/** Runs per property; together well over 500 random expressions and points. */
const RUNS = { firstOrder: 200, innerProduct: 100, secondOrder: 150, compiled: 100, verifier: 150, emitted: 300, subset: 80 } as const;

function check<T>(name: string, seed: number, numRuns: number, samples: fc.Arbitrary<T>, body: (s: T) => void): void {
  it(`${name} (seed ${seed}, ${numRuns} runs)`, () => {
    fc.assert(fc.property(samples, body), { seed, numRuns, maxSkipsPerRun: 10 });
  });
}

describe('random expressions', () => {
  check('forward mode = reverse mode = central finite differences', 20240601, RUNS.firstOrder, SAMPLE, (sample) => {
    const { s, x, v } = prepare(sample);
    const fd = differentiate((t) => [s.kernels.value(along(x, v, t))], stepFor(x));
    fc.pre(fd.reliable);
    const tol = { ...FIRST_ORDER, atol: FIRST_ORDER.atol * (1 + fd.scale) };
    const [expected] = fd.derivative as [number];
    for (const [mode, e] of [['compiled', s.kernels], ['reference IR', s.raw()]] as const) {
      expectClose([e.jvp(x, v)], [expected], tol, `${mode} forward J·v of ${s.expr} at ${x} along ${v}`);
      expectClose([dot(e.gradient(x), v)], [expected], tol, `${mode} reverse ∇f·v of ${s.expr} at ${x} along ${v}`);
    }
  });

  check('inner-product identities <Jv,u> = <v,Jᵀu> and <Hv,w> = <v,Hw>', 20240602, RUNS.innerProduct, SAMPLE, (sample) => {
    const { s, x, v, w, f } = prepare(sample);
    const { u } = sample;
    const e = s.kernels;
    // Only where f is twice differentiable: at a singular point such as
    // cbrt(relu(x)) at 0, ∞·0 may be NaN in one mode and 0 in the other.
    const h0 = stepFor(x);
    fc.pre([v, w].every((d) => differentiate((t) => e.gradient(along(x, d, t)), h0).reliable));
    const g = e.gradient(x);
    const h = e.hessian(x);
    // Rounding is relative to the first- and second-order terms combined.
    const scale = (Math.abs(f) + maxAbs(g) + maxAbs(h.flat())) * Math.max(1, maxAbs(v), maxAbs(w));
    const tol = { rtol: 1e-10, atol: 1e-11 * scale };
    expectClose([u * e.jvp(x, v)], [dot(v, e.vjp(x, u))], { rtol: 1e-10, atol: 1e-11 * scale * Math.abs(u) }, `<Jv,u> of ${s.expr}`);
    const hv = e.hvp(x, v);
    const hw = e.hvp(x, w);
    expectClose([dot(hv, w)], [dot(v, hw)], tol, `<Hv,w> vs <v,Hw> of ${s.expr} at ${x}`);
    expectClose(hv, h.map((row) => dot(row, v)), tol, `hvp vs dense Hessian of ${s.expr} at ${x}`);
  });

  check('Hessian is symmetric and matches finite differences of the gradient', 20240603, RUNS.secondOrder, SAMPLE, (sample) => {
    const { s, x, v, f } = prepare(sample);
    const fd = differentiate((t) => s.kernels.gradient(along(x, v, t)), stepFor(x));
    fc.pre(fd.reliable);
    const hv = s.kernels.hvp(x, v);
    expectClose(hv, fd.derivative, { ...SECOND_ORDER, atol: SECOND_ORDER.atol * (1 + fd.scale) }, `H·v of ${s.expr} at ${x} along ${v}`);
    const h = s.kernels.hessian(x);
    const scale = Math.abs(f) + fd.scale + maxAbs(h.flat());
    for (let i = 0; i < h.length; i++) {
      for (let j = 0; j < i; j++) {
        expectClose([h[i]![j]!], [h[j]![i]!], { rtol: 1e-9, atol: 1e-11 * scale }, `H[${i}][${j}] vs H[${j}][${i}] of ${s.expr} at ${x}`);
      }
    }
  });

  check('differentiating with respect to fewer variables gives the same entries', 20240607, RUNS.subset, SAMPLE, (sample) => {
    const { s, x, v } = prepare(sample);
    fc.pre(s.vars.length >= 2);
    // The last variable only: the others become plain (inactive) kernel parameters.
    const last = s.vars.length - 1;
    const one = compileExpression(s.expr, { wrt: [s.vars[last]!], verifyEachPass: true });
    const point = pointOf(s, x);
    const tangent = { [s.vars[last]!]: v[last]! };
    const full = s.kernels;
    const lastOnly = s.vars.map((_, i) => (i === last ? v[last]! : 0));
    const tol = { rtol: 1e-12, atol: 1e-14 * (1 + maxAbs(full.gradient(x))) };
    expectClose([one.value(point)], [full.value(x)], COMPILED, `value of ${s.expr}`);
    expectClose(one.gradient(point), [full.gradient(x)[last]!], tol, `∂f/∂${s.vars[last]} of ${s.expr} at ${x}`);
    expectClose([one.jvp(point, tangent)], [full.jvp(x, lastOnly)], tol, `jvp of ${s.expr} at ${x}`);
    const h = full.hessian(x);
    const htol = { rtol: 1e-12, atol: 1e-14 * (1 + maxAbs(h.flat())) };
    expectClose(one.hvp(point, tangent), [full.hvp(x, lastOnly)[last]!], htol, `hvp of ${s.expr} at ${x}`);
    expectClose(one.hessian(point).flat(), [h[last]![last]!], htol, `∂²f/∂${s.vars[last]}² of ${s.expr} at ${x}`);
  });

  // The default kernels include stability rewrites (log(1 + u) → log1p(u),
  // log(1 + e^u) → softplus(u), …) that change rounding, so they are held to
  // 1e-12 against the reference evaluation of the *optimized* IR they were
  // emitted from (`.derivatives`). The un-optimized parsed IR is compared at
  // 1e-12 with kernels compiled with stability rewrites off (every other
  // rewrite is exact or changes only the sign of a zero), and at a looser
  // 1e-9 (relative and absolute) with the default kernels, where the parsed
  // formula neither overflows nor sits at a jump.
  check('compiled kernels equal the reference evaluation of the IR', 20240604, RUNS.compiled, COMPILED_SAMPLE, (sample) => {
    const s = subject(sample.expr);
    fc.pre(s !== null);
    const optimized = derivativesEvaluator(s.compiled.derivatives);
    const exact = compileExpression(s.expr, { wrt: s.vars, stability: false, verifyEachPass: true });
    const e = s.kernels;
    const v = pick(s, sample.v);
    // Kinks, tiny and special values included: kernels and reference evaluate the same IR.
    for (const at of sample.points) {
      const x = pick(s, at);
      const where = `${s.expr} at ${x}`;
      expectClose([e.value(x)], [optimized.value(x)], COMPILED, `value of ${where}`);
      expectClose(e.gradient(x), optimized.gradient(x), COMPILED, `gradient of ${where}`);
      expectClose([e.jvp(x, v)], [optimized.jvp(x, v)], COMPILED, `jvp of ${where}`);
      expectClose(e.hvp(x, v), optimized.hvp(x, v), COMPILED, `hvp of ${where}`);
      expectClose(e.hessian(x).flat(), optimized.hessian(x).flat(), COMPILED, `hessian of ${where}`);

      const reference = evaluateNodes([s.parsed], at).get(s.parsed)!;
      expectClose([exact.value(at)], [reference], COMPILED, `value without stability rewrites of ${where}`);
      // Away from jumps, where a rounding change may rightly flip a branch (sign(log(1 + z²)) at z = 1e-162).
      if (wellConditioned(s.parsed, at) && Math.abs(reference) <= 1e8 && !nearKink(kinkRoots(s), at)) {
        expectClose([e.value(x)], [reference], { rtol: 1e-9, atol: 1e-9 }, `value of ${where} vs un-optimized IR`);
      }
    }
  });
});

// ---------------------------------------------------------------------------
// The verifier after every pass, and the exactness the rewrite rules claim.

/** Doubles including ±0, ±∞ and NaN: exact rewrites must hold for all of them. */
const anyDouble = fc.oneof(
  { arbitrary: coordinate, weight: 2 },
  { arbitrary: fc.constantFrom(0, -0, Infinity, -Infinity, NaN, 1, -1), weight: 2 },
  { arbitrary: fc.double(), weight: 1 },
);
const POINTS_PER_PROGRAM = 8;
/** Bit for bit, except that every NaN is the same. */
const sameNumber = (a: number, b: number) => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

const OPTIONS: readonly OptimizeOptions[] = [
  {},
  { stability: false },
  { strictSignedZeros: true },
  { stability: false, strictSignedZeros: true },
  { unsafeMath: true },
];

function programOf(expr: string): Program | null {
  const parsed = parseExpression(expr);
  if (parsed.variables.length === 0) return null;
  const inputs: InputNode[] = parsed.variables.map((n) => input(n));
  return { inputs, outputs: [{ name: 'f', node: parsed.output }] };
}

const valueAt = (prog: Program, point: Readonly<Record<string, number>>): number =>
  evaluateNodes([prog.outputs[0]!.node], point).get(prog.outputs[0]!.node)!;

describe('optimization passes', () => {
  const title = `keep every program well-formed after every pass, and rewrites as exact as claimed`;
  it(`${title} (seed 20240605, ${RUNS.verifier} runs × ${POINTS_PER_PROGRAM} points)`, () => {
    const points = fc.array(vector(anyDouble), { minLength: POINTS_PER_PROGRAM, maxLength: POINTS_PER_PROGRAM });
    fc.assert(
      fc.property(EXPRESSION, points, (expr, at) => {
        const prog = programOf(expr);
        fc.pre(prog !== null);
        verify(prog);
        for (const options of OPTIONS) {
          let passes = 0;
          const result = optimize(prog, { ...options, verifyEachPass: true, dump: () => passes++ });
          expect(passes).toBeGreaterThan(0);
          for (const point of at) checkRewritten(prog, result.program, options, point, expr);
          checkNotes(result.notes, at);
        }
      }),
      { seed: 20240605, numRuns: RUNS.verifier, maxSkipsPerRun: 10 },
    );
  });
});

/**
 * Each rewrite, at the very node it rewrote, is as exact as its rule claims.
 * Checked at the site because a flipped sign of zero (0 - x → -x declared
 * `exact`) seldom survives to a program's output.
 */
function checkNotes(notes: readonly RewriteNote[], points: readonly Readonly<Record<string, number>>[]): void {
  const seen = new Set<string>();
  for (const note of notes) {
    const key = `${note.before.id}>${note.after.id}`;
    if (seen.has(key)) continue;
    seen.add(key);
    for (const point of points) {
      const values = evaluateNodes([note.before, note.after], point);
      const [a, b] = [values.get(note.before)!, values.get(note.after)!];
      const label = `${note.rule} (${note.exactness}): ${toMathText(note.before)} → ${toMathText(note.after)} at ${JSON.stringify(point)}: ${a} vs ${b}`;
      const operands = note.before.inputs.map((n) => values.get(n)!);
      if (note.exactness === 'exact') expect(sameNumber(a, b), label).toBe(true);
      else if (note.exactness === 'signOfZero') expect(sameNumber(a + 0, b + 0), label).toBe(true);
      // Unsafe rules hold for finite operands where the original is a number (x/x → 1 fails at 0 and ∞).
      else if (note.exactness === 'unsafe' && operands.every(Number.isFinite) && !Number.isNaN(a)) {
        expect(sameNumber(a + 0, b + 0), label).toBe(true);
      } else if (note.exactness === 'stability' && wellConditioned(note.before, point)) {
        // Same function, better rounding: far apart only where the original formula was ill-conditioned.
        expect(close(a, b, { rtol: 1e-6, atol: 1e-6 }), label).toBe(true);
      }
    }
  }
}

/** The optimized program computes what the original does, as exactly as the enabled rules promise. */
function checkRewritten(
  prog: Program,
  optimized: Program,
  options: OptimizeOptions,
  point: Readonly<Record<string, number>>,
  expr: string,
): void {
  const reference = valueAt(prog, point);
  const value = valueAt(optimized, point);
  const label = `${expr} at ${JSON.stringify(point)} with ${JSON.stringify(options)}: ${value} vs ${reference}`;
  if (options.stability === false && options.strictSignedZeros) {
    // Only `exact` rules ran: bit for bit, NaN and infinities included.
    expect(sameNumber(value, reference), label).toBe(true);
  } else if (options.stability === false) {
    // `signOfZero` rules may flip the sign of a zero result, nothing else.
    expect(value + 0, label).toBe(reference + 0);
  } else if (
    !options.unsafeMath &&
    wellConditioned(prog.outputs[0]!.node, point) &&
    Math.abs(reference) < 1e8 &&
    !nearKink([prog.outputs[0]!.node, optimized.outputs[0]!.node], point)
  ) {
    // Stability rewrites change rounding only (unsafe ones may change more, e.g. 0/0 → 1).
    expect(close(value, reference, { rtol: 1e-9, atol: 1e-9 }), label).toBe(true);
  }
}

// ---------------------------------------------------------------------------
// Operator soup: every infix, prefix and ternary form nested in every way, so
// the emitter's parentheses (precedence, associativity, `-x ** 2`, `- -x`,
// `a || b && c`) and the exactness each rewrite claims are both on trial.
// Only values are compared, so no domain needs to be safe: NaN equals NaN.

const SOUP_LEAF = fc.oneof(
  { arbitrary: fc.constantFrom('x', 'y', 'z'), weight: 4 },
  // ±0 and ±1 are where the x + 0, x * 1, x ^ 0 family of rewrites fire, and differ.
  { arbitrary: fc.constantFrom('0', '(-0)', '1', '(-1)'), weight: 2 },
  { arbitrary: fc.constantFrom('2', '0.5', '3', '(-2.5)'), weight: 1 },
);

function soup(depth: number): fc.Arbitrary<string> {
  if (depth === 0) return SOUP_LEAF;
  const sub = soup(depth - 1);
  const infix = (...ops: string[]) => fc.tuple(fc.constantFrom(...ops), sub, sub).map(([op, a, b]) => `(${a} ${op} ${b})`);
  return fc.oneof(
    { arbitrary: SOUP_LEAF, weight: 2 },
    { arbitrary: infix('+', '-', '*', '/', '^'), weight: 6 },
    { arbitrary: sub.map((a) => `(-${a})`), weight: 2 },
    { arbitrary: infix('<', '<=', '>', '>=', '==', '!='), weight: 2 },
    { arbitrary: infix('and', 'or'), weight: 3 },
    { arbitrary: sub.map((a) => `(not ${a})`), weight: 1 },
    { arbitrary: fc.tuple(sub, sub, sub).map(([c, a, b]) => `(${c} ? ${a} : ${b})`), weight: 2 },
  );
}

const SOUP_OPTIONS: readonly OptimizeOptions[] = [{ stability: false, strictSignedZeros: true }, {}];

describe('emitted code', () => {
  it(`computes what the IR states, unoptimized and optimized; rewrites as exact as claimed (seed 20240606, ${RUNS.emitted} runs)`, () => {
    const points = fc.array(vector(anyDouble), { minLength: 2 * POINTS_PER_PROGRAM, maxLength: 2 * POINTS_PER_PROGRAM });
    fc.assert(
      fc.property(soup(4), points, (expr, at) => {
        const parsed = parseExpression(expr);
        const params = parsed.variables.map((n) => input(n));
        const prog: Program = { inputs: params, outputs: [{ name: 'f', node: parsed.output }] };
        const results = SOUP_OPTIONS.map((options) => optimize(prog, { ...options, verifyEachPass: true }));
        const variants = results.map((r) => r.program);
        checkNotes([...results.flatMap((r) => r.notes), ...optimize(prog, { unsafeMath: true }).notes], at);
        const kernels = [prog, ...variants].map((q) => valueKernel(q.outputs[0]!.node, params));
        for (const point of at) {
          const args = params.map((x) => point[x.name as Variable]);
          const label = `${expr} at ${JSON.stringify(point)}`;
          // Each kernel computes exactly what the reference evaluator says its IR means.
          [prog, ...variants].forEach((q, i) => {
            const kernelValue = kernels[i]!(...args);
            const referenceValue = valueAt(q, point);
            expect(sameNumber(kernelValue, referenceValue), `${label}, kernel ${i}: ${kernelValue} vs ${referenceValue}`).toBe(true);
          });
          SOUP_OPTIONS.forEach((options, i) => checkRewritten(prog, variants[i]!, options, point, expr));
        }
      }),
      { seed: 20240606, numRuns: RUNS.emitted },
    );
  });
});
