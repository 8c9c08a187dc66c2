/**
 * Gradient checks generated from an op-spec table (JAX's `check_grads` over
 * `LAX_GRAD_OPS`). Every op in the vocabulary has a spec, enforced by the
 * table's type and again at run time. For each differentiable op, at seeded
 * random points well away from kinks and domain edges:
 *  (a) forward mode (JVP along a random direction) against Richardson-
 *      extrapolated central differences;
 *  (b) reverse mode by the inner-product identity <J v, u> = <v, Jᵀ u>;
 *  (c) second order: H·v against differences of the gradient, H symmetric,
 *      and the dense Hessian against H·v;
 *  (d) the compiled kernels against the reference evaluation of the IR.
 * (a)-(c) run twice: on the raw derivative IR (the rules as written) and on
 * the compiled, optimized kernels. Each documented kink value is asserted
 * exactly in forward, reverse and second order. Boolean ops have no
 * derivative; they are checked against JavaScript's own operators instead.
 * Structural tensor ops (tensorSpecs.ts) are checked on their whole output,
 * against plain index arithmetic, and compiled through the tensor emitter.
 * Last, the stable helpers' emitted source is compared bit for bit with
 * their reference implementations at extreme arguments.
 */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../compiler/api/compileExpression.ts';
import { add, apply, constant, input, mul, select, sin } from '../../compiler/ir/build.ts';
import { evaluateNodes } from '../../compiler/ir/evaluate.ts';
import { HELPER_SOURCE, logsumexp, sigmoid, softplus } from '../../compiler/ir/helpers.ts';
import { digamma, lgamma, polygamma, trigamma } from '../../compiler/ir/gammaFunctions.ts';
import type { HelperName } from '../../compiler/ir/helpers.ts';
import type { DType, InputNode, Node } from '../../compiler/ir/node.ts';
import { OP_TABLE } from '../../compiler/ir/opTable.ts';
import { NONSMOOTH, OPS, PREDICATE, STRUCTURAL, isApplyOp } from '../../compiler/ir/ops.ts';
import type { ApplyOp } from '../../compiler/ir/ops.ts';
import { optimize } from '../../compiler/passes/pipeline.ts';
import {
  absDot, along, close, compileNode, differentiate, dot, maxAbs, mismatches, referenceEvaluator, seededRandom, valueKernel,
} from './gradcheck.ts';
import type { Evaluator, Tolerance } from './gradcheck.ts';
import { CUSTOM_SPEC } from './customRuleSpecs.ts';
import { MATRIX_SPECS } from './matrixSpecs.ts';
import { SCAN_SPEC } from './scanSpecs.ts';
import { TENSOR_SPECS, checkCompiledTensor, checkDerivatives, checkOracle, checkTensorKink } from './tensorSpecs.ts';
import type { TensorSpec } from './tensorSpecs.ts';

/** A union of closed intervals to sample one variable from. */
type Domain = readonly (readonly [number, number])[];

interface Case {
  /** One domain per variable x0, x1, …; by default the variables are the operands. */
  readonly domains: readonly Domain[];
  /** The op's operands built from the variables, when they are not the variables themselves. */
  readonly operands?: (vars: readonly Node[]) => Node[];
  readonly note?: string;
}

/** A documented kink: the exact derivative values the op promises there. */
interface Kink {
  readonly what: string;
  readonly at: readonly number[];
  readonly operands?: (vars: readonly Node[]) => Node[];
  readonly gradient: readonly number[];
  readonly hessian: readonly (readonly number[])[];
}

interface DifferentiableSpec {
  readonly kind: 'differentiable';
  readonly cases: readonly Case[];
  /** Required exactly when the op table documents a `kink`. */
  readonly kinks?: readonly Kink[];
  /** Poles (no kink: the function's own infinities), checked exactly like kinks. */
  readonly poles?: readonly Kink[];
}

/** Boolean-valued ops have no derivative: checked against JavaScript's operators on every pair of samples. */
interface BooleanSpec {
  readonly kind: 'boolean';
  readonly operandType: DType;
  readonly samples: readonly number[];
  readonly js: (args: readonly number[]) => boolean;
}

/**
 * Ops that steer differentiation (stopGradient): the value is the operand's,
 * and every derivative through the op is exactly zero, which finite
 * differences cannot see; checked exactly on f(x) = op(x)·x at the samples.
 */
interface CutSpec {
  readonly kind: 'cut';
  readonly samples: readonly number[];
}

/** Structural tensor ops: specs and runners live in tensorSpecs.ts. */
type OpSpec = DifferentiableSpec | BooleanSpec | TensorSpec | CutSpec;

const interval = (lo: number, hi: number): Domain => [[lo, hi]];
const ANY = interval(-3, 3);
/** Both signs, at least 0.3 from zero. */
const AWAY_FROM_0: Domain = [[-3, -0.3], [0.3, 3]];

const smooth = (...domains: Domain[]): DifferentiableSpec => ({ kind: 'differentiable', cases: [{ domains }] });
const withKinks = (spec: DifferentiableSpec, ...kinks: Kink[]): DifferentiableSpec => ({ ...spec, kinks });
const withPoles = (spec: DifferentiableSpec, ...poles: Kink[]): DifferentiableSpec => ({ ...spec, poles });
const zeros = (n: number): number[][] => Array.from({ length: n }, () => new Array<number>(n).fill(0));

/** ±0, ±∞, NaN and ties: where comparisons are easiest to get wrong. */
const SPECIAL = [-1, -0, 0, 0.5, 1, Infinity, -Infinity, NaN];
const comparison = (js: (a: number, b: number) => boolean): BooleanSpec => ({
  kind: 'boolean',
  operandType: 'f64',
  samples: SPECIAL,
  js: ([a, b]) => js(a!, b!),
});
const logic = (js: (args: readonly boolean[]) => boolean): BooleanSpec => ({
  kind: 'boolean',
  operandType: 'bool',
  samples: [0, 1],
  js: (args) => js(args.map((a) => a !== 0)),
});

const gt0 = (c: Node): Node => apply('gt', c, constant(0));

/** Between the poles of the log-gamma family on the negative axis, at least 0.2 from each. */
const BETWEEN_POLES: Domain = [[-2.8, -2.2], [-1.8, -1.2], [-0.8, -0.2]];
/** The log-gamma family's cases: x > 0 (the recurrence, the Taylor series near 1, 2 and ψ's zero), x large (the asymptotic series), x < 0 (reflection). */
const gammaCases = (operands?: (vars: readonly Node[]) => Node[]): Case[] => [
  { note: '0 < x < 8', domains: [interval(0.2, 8)], ...(operands ? { operands } : {}) },
  { note: 'large x', domains: [interval(15, 120)], ...(operands ? { operands } : {}) },
  { note: 'x < 0 between poles', domains: [BETWEEN_POLES], ...(operands ? { operands } : {}) },
];
/** A pole of the family: the derivatives are infinite (NaN where the sign is undefined), as PyTorch and SciPy give them. */
const pole = (what: string, at: number, gradient: number, hessian: number, operands?: (vars: readonly Node[]) => Node[]): Kink => ({
  what, at: [at], gradient: [gradient], hessian: [[hessian]], ...(operands ? { operands } : {}),
});
/** polygamma of order n: the order is a constant operand. */
const ofOrder = (n: number) => ([x]: readonly Node[]): Node[] => [constant(n), x!];

const SPECS: { readonly [K in ApplyOp]: OpSpec } = {
  add: smooth(ANY, ANY),
  sub: smooth(ANY, ANY),
  mul: smooth(ANY, ANY),
  div: smooth(ANY, AWAY_FROM_0),
  neg: smooth(ANY),
  pow: withKinks(
    {
      kind: 'differentiable',
      cases: [
        { domains: [interval(0.3, 3), interval(-2.5, 2.5)] },
        { note: 'integer exponent, any base', domains: [ANY], operands: ([a]) => [a!, constant(3)] },
        { note: 'negative exponent, negative base', domains: [interval(-3, -0.3)], operands: ([a]) => [a!, constant(-2)] },
      ],
    },
    // ∂/∂a aᵇ = b a^(b-1) = 0 and ∂/∂b = aᵇ log a → 0 (PyTorch); ∂²/∂a² = b(b-1)a^(b-2) = 2.
    { what: 'the exponent partial at base 0 is 0', at: [0, 2], gradient: [0, 0], hessian: [[2, 0], [0, 0]] },
  ),
  sqrt: withKinks(smooth(interval(0.1, 4)), { what: "sqrt'(0) = 0", at: [0], gradient: [0], hessian: [[0]] }),
  cbrt: smooth(AWAY_FROM_0),
  exp: smooth(ANY),
  log: smooth(interval(0.1, 5)),
  log1p: smooth(interval(-0.8, 4)),
  expm1: smooth(ANY),
  sin: smooth(interval(-4, 4)),
  cos: smooth(interval(-4, 4)),
  tan: smooth(interval(-1.3, 1.3)),
  asin: smooth(interval(-0.9, 0.9)),
  acos: smooth(interval(-0.9, 0.9)),
  atan: smooth(interval(-4, 4)),
  atan2: withKinks(
    {
      kind: 'differentiable',
      // atan2(y, x) jumps by 2π across the negative x axis; each case stays off it.
      cases: [
        { note: 'x > 0', domains: [interval(-2, 2), interval(0.2, 2)] },
        { note: 'y > 0', domains: [interval(0.2, 2), interval(-2, 2)] },
        { note: 'y < 0', domains: [interval(-2, -0.2), interval(-2, 2)] },
      ],
    },
    { what: 'undefined at the origin: NaN', at: [0, 0], gradient: [NaN, NaN], hessian: [[NaN, NaN], [NaN, NaN]] },
  ),
  sinh: smooth(ANY),
  cosh: smooth(ANY),
  tanh: smooth(ANY),
  asinh: smooth(interval(-4, 4)),
  acosh: smooth(interval(1.2, 5)),
  atanh: smooth(interval(-0.9, 0.9)),
  abs: withKinks(smooth(AWAY_FROM_0), { what: "abs'(0) = 0", at: [0], gradient: [0], hessian: [[0]] }),
  sign: withKinks(smooth(AWAY_FROM_0), { what: "sign' = 0, at the jump too", at: [0], gradient: [0], hessian: [[0]] }),
  min: withKinks(
    {
      kind: 'differentiable',
      cases: [
        { note: 'a > b', domains: [interval(0.2, 2), interval(-2, 0)] },
        { note: 'a < b', domains: [interval(-2, 0), interval(0.2, 2)] },
      ],
    },
    { what: 'a tie splits 0.5/0.5', at: [1, 1], gradient: [0.5, 0.5], hessian: zeros(2) },
    { what: 'a tie at a negative value splits 0.5/0.5', at: [-0.75, -0.75], gradient: [0.5, 0.5], hessian: zeros(2) },
  ),
  max: withKinks(
    {
      kind: 'differentiable',
      cases: [
        { note: 'a > b', domains: [interval(0.2, 2), interval(-2, 0)] },
        { note: 'a < b', domains: [interval(-2, 0), interval(0.2, 2)] },
      ],
    },
    { what: 'a tie splits 0.5/0.5', at: [1, 1], gradient: [0.5, 0.5], hessian: zeros(2) },
    { what: 'a tie at a negative value splits 0.5/0.5', at: [-0.75, -0.75], gradient: [0.5, 0.5], hessian: zeros(2) },
  ),
  relu: withKinks(smooth(AWAY_FROM_0), { what: "relu'(0) = 0", at: [0], gradient: [0], hessian: [[0]] }),
  hypot: withKinks(smooth(ANY, AWAY_FROM_0), { what: 'the gradient at the origin is 0', at: [0, 0], gradient: [0, 0], hessian: zeros(2) }),
  sigmoid: { kind: 'differentiable', cases: [{ domains: [interval(-8, 8)] }, { note: 'saturated', domains: [[[-30, -15], [15, 30]]] }] },
  softplus: { kind: 'differentiable', cases: [{ domains: [interval(-8, 8)] }, { note: 'saturated', domains: [[[-30, -15], [15, 30]]] }] },
  logsumexp: {
    kind: 'differentiable',
    cases: [{ domains: [ANY] }, { domains: [ANY, ANY] }, { domains: [ANY, ANY, ANY] }, { note: 'spread', domains: [interval(-40, 40), ANY] }],
  },
  select: withKinks(
    {
      kind: 'differentiable',
      cases: [
        { note: 'c > 0 ? a : b', domains: [AWAY_FROM_0, ANY, ANY], operands: ([c, a, b]) => [gt0(c!), a!, b!] },
        { note: 'x > 0 ? sin x : x²', domains: [AWAY_FROM_0], operands: ([x]) => [gt0(x!), sin(x!), mul(x!, x!)] },
      ],
    },
    {
      what: 'x >= 1 ? x² : x + 1 at x = 1 takes x²',
      at: [1],
      operands: ([x]) => [apply('ge', x!, constant(1)), mul(x!, x!), add(x!, constant(1))],
      gradient: [2],
      hessian: [[2]],
    },
    {
      what: 'x > 1 ? x² : x + 1 at x = 1 takes x + 1',
      at: [1],
      operands: ([x]) => [apply('gt', x!, constant(1)), mul(x!, x!), add(x!, constant(1))],
      gradient: [1],
      hessian: [[0]],
    },
    { what: 'c > 0 ? a : b at c = 0 takes b', at: [0, 0.5, 0.5], operands: ([c, a, b]) => [gt0(c!), a!, b!], gradient: [0, 0, 1], hessian: zeros(3) },
  ),
  lgamma: withPoles(
    { kind: 'differentiable', cases: gammaCases() },
    pole('the pole at 0: lgamma′ = digamma(0) = −∞, lgamma″ = trigamma(0) = +∞', 0, -Infinity, Infinity),
    pole('the pole at −2: lgamma′ = digamma(−2) = NaN, lgamma″ = +∞', -2, NaN, Infinity),
  ),
  digamma: withPoles(
    { kind: 'differentiable', cases: gammaCases() },
    pole('the pole at 0: digamma′ = +∞, digamma″ = polygamma(2, 0) = −∞', 0, Infinity, -Infinity),
    pole('the pole at −1: digamma′ = +∞, digamma″ = −∞', -1, Infinity, -Infinity),
  ),
  trigamma: withPoles(
    { kind: 'differentiable', cases: gammaCases() },
    pole('the pole at 0: trigamma′ = polygamma(2, 0) = −∞, trigamma″ = polygamma(3, 0) = +∞', 0, -Infinity, Infinity),
  ),
  polygamma: withPoles(
    {
      kind: 'differentiable',
      cases: [
        ...gammaCases(ofOrder(2)).map((c) => ({ ...c, note: `n = 2, ${c.note}` })),
        ...gammaCases(ofOrder(3)).map((c) => ({ ...c, note: `n = 3, ${c.note}` })),
      ],
    },
    pole('n = 2 at the pole 0: derivative polygamma(3, 0) = +∞, second polygamma(4, 0) = −∞', 0, Infinity, -Infinity, ofOrder(2)),
  ),
  lt: comparison((a, b) => a < b),
  le: comparison((a, b) => a <= b),
  gt: comparison((a, b) => a > b),
  ge: comparison((a, b) => a >= b),
  eq: comparison((a, b) => a === b),
  ne: comparison((a, b) => a !== b),
  and: logic(([a, b]) => a! && b!),
  or: logic(([a, b]) => a! || b!),
  not: logic(([a]) => !a!),
  ...TENSOR_SPECS,
  ...MATRIX_SPECS,
  scan: SCAN_SPEC,
  stopGradient: { kind: 'cut', samples: [-2, -0.5, 0, 0.75, 3] },
  custom: CUSTOM_SPEC,
};

const POINTS_PER_CASE = 6;
const FIRST_ORDER: Tolerance = { rtol: 1e-6, atol: 1e-9 };
const SECOND_ORDER: Tolerance = { rtol: 1e-5, atol: 1e-8 };
/** Compiled kernels against the reference evaluation of the same IR. */
const COMPILED: Tolerance = { rtol: 1e-12, atol: 1e-300 };

function once<T>(make: () => T): () => T {
  let made: { value: T } | undefined;
  return () => (made ??= { value: make() }).value;
}

const variables = (n: number): InputNode[] => Array.from({ length: n }, (_, i) => input(`x${i}`));

function build(op: ApplyOp, vars: readonly Node[], operands?: (vars: readonly Node[]) => Node[]): Node {
  return apply(op, ...(operands ? operands(vars) : vars));
}

function sample(domain: Domain, random: () => number): number {
  const total = domain.reduce((s, [lo, hi]) => s + (hi - lo), 0);
  let r = random() * total;
  for (const [lo, hi] of domain) {
    if (r <= hi - lo) return lo + r;
    r -= hi - lo;
  }
  return domain[domain.length - 1]![1];
}

interface Point {
  readonly x: number[];
  readonly v: number[];
  readonly u: number;
}

function points(c: Case, seed: number): Point[] {
  const random = seededRandom(seed);
  const signed = () => 2 * random() - 1;
  return Array.from({ length: POINTS_PER_CASE }, () => ({
    x: c.domains.map((d) => sample(d, random)),
    v: c.domains.map(signed),
    u: signed() * 3,
  }));
}

const stepFor = (x: readonly number[]): number => 1e-3 * Math.max(1, maxAbs(x));

function expectClose(actual: readonly number[], expected: readonly number[], tol: Tolerance, what: string): void {
  const bad = mismatches(actual, expected, tol);
  expect(bad, `${what}: got ${JSON.stringify(actual)}, expected ${JSON.stringify(expected)}`).toEqual([]);
}

/** (a) J·v against differences of f along v. */
function checkForward(e: Evaluator, { x, v }: Point): void {
  const fd = differentiate((t) => [e.value(along(x, v, t))], stepFor(x));
  expect(fd.reliable, `finite differences at ${x} along ${v}: ${fd.why}`).toBe(true);
  expectClose([e.jvp(x, v)], fd.derivative, { ...FIRST_ORDER, atol: FIRST_ORDER.atol * (1 + fd.scale) }, `J·v at ${x}`);
}

/** (b) <J v, u> = <v, Jᵀ u>, up to rounding in the two sums. */
function checkInnerProduct(e: Evaluator, { x, v, u }: Point): void {
  const jv = e.jvp(x, v);
  const jtu = e.vjp(x, u);
  const scale = Math.abs(u) * absDot(v, e.gradient(x));
  expect(close(jv * u, dot(v, jtu), { rtol: 1e-12, atol: 1e-13 * scale }), `<Jv,u> = ${jv * u}, <v,Jᵀu> = ${dot(v, jtu)}`).toBe(true);
}

/** (c) H·v against differences of the gradient; H symmetric and consistent with H·v. */
function checkSecondOrder(e: Evaluator, { x, v }: Point): void {
  const fd = differentiate((t) => e.gradient(along(x, v, t)), stepFor(x));
  expect(fd.reliable, `finite differences of the gradient at ${x}: ${fd.why}`).toBe(true);
  const hv = e.hvp(x, v);
  expectClose(hv, fd.derivative, { ...SECOND_ORDER, atol: SECOND_ORDER.atol * (1 + fd.scale) }, `H·v at ${x}`);
  const h = e.hessian(x);
  // Second-order code combines first-order terms, so its rounding is relative
  // to them too: logsumexp's H = diag(p) - p pᵀ cancels terms of size |∇f|.
  const atol = 1e-12 * (Math.abs(e.value(x)) + maxAbs(e.gradient(x)) + maxAbs(h.flat())) * Math.max(1, maxAbs(v));
  for (let i = 0; i < h.length; i++) {
    for (let j = 0; j < i; j++) {
      expect(close(h[i]![j]!, h[j]![i]!, { rtol: 1e-10, atol }), `H[${i}][${j}] = ${h[i]![j]} vs H[${j}][${i}] = ${h[j]![i]}`).toBe(true);
    }
  }
  h.map((row) => dot(row, v)).forEach((hvi, i) => {
    expect(close(hvi, hv[i]!, { rtol: 1e-10, atol }), `(H v)[${i}]: dense ${hvi} vs hvp ${hv[i]}`).toBe(true);
  });
}

/** (d) Every kernel against the reference evaluation of the IR it was emitted from. */
function checkCompiled(kernels: Evaluator, optimized: Evaluator, raw: Evaluator, { x, v, u }: Point): void {
  expectClose([kernels.value(x)], [optimized.value(x)], COMPILED, 'value vs optimized IR');
  expectClose([kernels.value(x)], [raw.value(x)], COMPILED, 'value vs unoptimized IR');
  expectClose(kernels.gradient(x), optimized.gradient(x), COMPILED, 'gradient');
  expectClose([kernels.jvp(x, v)], [optimized.jvp(x, v)], COMPILED, 'jvp');
  expectClose(kernels.vjp(x, u), optimized.vjp(x, u), COMPILED, 'vjp');
  expectClose(kernels.hvp(x, v), optimized.hvp(x, v), COMPILED, 'hvp');
  expectClose(kernels.hessian(x).flat(), optimized.hessian(x).flat(), COMPILED, 'hessian');
  // The optimizer's rewrites on these one-op graphs are exact, so the raw rules agree too.
  expectClose(kernels.gradient(x), raw.gradient(x), COMPILED, 'gradient vs unoptimized IR');
}

/** The documented value, exactly (0 and -0 are the same derivative; NaN is NaN). */
function expectExactly(actual: readonly number[], expected: readonly number[], what: string): void {
  expect(actual.map((a) => a + 0), what).toEqual(expected.map((e) => e + 0));
}

function checkKink(e: Evaluator, kink: Kink, label: string): void {
  const { at, gradient, hessian } = kink;
  const n = at.length;
  const units = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  // Dyadic, so the expected dot products are exact.
  const dyadic = [0.5, -0.25, 2].slice(0, n);
  expectExactly(e.gradient(at), gradient, `${label} reverse`);
  expectExactly(e.vjp(at, 2), gradient.map((g) => 2 * g), `${label} reverse, cotangent 2`);
  expectExactly(units.map((unit) => e.jvp(at, unit)), gradient, `${label} forward`);
  expectExactly([e.jvp(at, dyadic)], [dot(gradient, dyadic)], `${label} forward along ${dyadic}`);
  expectExactly(units.flatMap((unit) => e.hvp(at, unit)), hessian.flat(), `${label} H·eᵢ`);
  expectExactly(e.hessian(at).flat(), hessian.flat(), `${label} dense Hessian`);
}

const specEntries = Object.entries(SPECS) as [ApplyOp, OpSpec][];

describe('the op-spec table', () => {
  it('has a spec for every op in the vocabulary', () => {
    const missing = OPS.filter((op) => isApplyOp(op) && !(op in SPECS));
    expect(missing).toEqual([]);
    expect(specEntries.length).toBe(OPS.filter(isApplyOp).length);
  });

  it('marks exactly the ops without derivative rules as boolean, and the structural ops as tensor ops', () => {
    for (const [op, spec] of specEntries) {
      const def = OP_TABLE[op];
      expect(spec.kind === 'boolean', op).toBe(def.derivative === 'none');
      expect(spec.kind === 'boolean', op).toBe(PREDICATE.has(op));
      expect(spec.kind === 'boolean', op).toBe(def.output === 'bool');
      expect(spec.kind === 'tensor', op).toBe(STRUCTURAL.has(op));
    }
  });

  it('checks a kink value for every op that documents one, and every non-smooth op documents one', () => {
    for (const [op, spec] of specEntries) {
      const hasKinks = spec.kind !== 'boolean' && spec.kind !== 'cut' && (spec.kinks?.length ?? 0) > 0;
      expect(hasKinks, `${op}: kink doc ${OP_TABLE[op].kink ?? 'none'}`).toBe(OP_TABLE[op].kink !== undefined);
      if (NONSMOOTH.has(op)) expect(OP_TABLE[op].kink, op).toBeDefined();
    }
  });
});

describe.each(specEntries.filter((e): e is [ApplyOp, DifferentiableSpec] => e[1].kind === 'differentiable'))(
  '%s',
  (op, spec) => {
    spec.cases.forEach((c, caseIndex) => {
      const label = `${c.note ?? `${c.domains.length} operand(s)`}`;
      const vars = variables(c.domains.length);
      const f = build(op, vars, c.operands);
      const seed = 1000 * OPS.indexOf(op) + caseIndex;
      const at = points(c, seed);

      describe(label, () => {
        // Built on first use, so a failure belongs to a test rather than to collection.
        const raw = once(() => referenceEvaluator(f, vars));
        const compiled = once(() => compileNode(f, vars));
        const modes: [string, () => Evaluator][] = [['reference IR', raw], ['compiled kernels', () => compiled().kernels]];

        it.each(modes)('(a) forward mode matches finite differences: %s', (_, e) => at.forEach((p) => checkForward(e(), p)));
        it.each(modes)('(b) reverse mode satisfies <Jv,u> = <v,Jᵀu>: %s', (_, e) => at.forEach((p) => checkInnerProduct(e(), p)));
        it.each(modes)('(c) H·v matches differences of the gradient; H is symmetric: %s', (_, e) =>
          at.forEach((p) => checkSecondOrder(e(), p)),
        );
        it('(d) compiled kernels equal the reference evaluation', () => {
          at.forEach((p) => checkCompiled(compiled().kernels, compiled().optimizedReference, raw(), p));
        });
      });
    });

    [...(spec.kinks ?? []).map((k) => ['kink', k] as const), ...(spec.poles ?? []).map((k) => ['pole', k] as const)].forEach(([kind, kink]) => {
      it(`${kind}: ${kink.what}`, () => {
        const vars = variables(kink.at.length);
        const f = build(op, vars, kink.operands);
        checkKink(referenceEvaluator(f, vars), kink, 'reference IR');
        checkKink(compileNode(f, vars).kernels, kink, 'compiled kernels');
      });
    });
  },
);

describe.each(specEntries.filter((e): e is [ApplyOp, TensorSpec] => e[1].kind === 'tensor'))('%s (tensor)', (op, spec) => {
  spec.cases.forEach((c, caseIndex) => {
    const seed = 1000 * OPS.indexOf(op) + caseIndex;
    describe(c.note, () => {
      it('reference evaluation matches plain index arithmetic', () => checkOracle(c, seed));
      it('(a) J·V matches finite differences, (b) <JV,U> = <V,JᵀU>, (c) H·V matches differences of the gradient', () =>
        checkDerivatives(c, seed));
      it('(d) compiled kernels equal the reference evaluation', () => checkCompiledTensor(c, seed));
    });
  });
  spec.kinks?.forEach((kink) => it(`kink: ${kink.what}`, () => checkTensorKink(kink)));
});

describe.each(specEntries.filter((e): e is [ApplyOp, CutSpec] => e[1].kind === 'cut'))('%s (cuts derivatives)', (op, spec) => {
  // f(x) = op(x)·x = x², but only the second factor carries a derivative: f' = op(x) = x,
  // and that gradient is itself cut, so f'' = 0 (as JAX's stop_gradient).
  const [x] = variables(1);
  const f = mul(apply(op, x!), x!);
  const modes: [string, () => Evaluator][] = [
    ['reference IR', () => referenceEvaluator(f, [x!])],
    ['compiled kernels', () => compileNode(f, [x!]).kernels],
  ];
  it.each(modes)('value unchanged, derivative through the op exactly zero in every mode: %s', (_, make) => {
    const e = make();
    for (const v of spec.samples) {
      expectExactly([e.value([v])], [v * v], `value at ${v}`);
      expectExactly(e.gradient([v]), [v], `reverse at ${v}`);
      expectExactly([e.jvp([v], [2])], [2 * v], `forward at ${v}`);
      expectExactly(e.hvp([v], [2]), [0], `H·v at ${v}`);
      expectExactly(e.hessian([v]).flat(), [0], `Hessian at ${v}`);
    }
  });
});

/** All tuples of `samples` of length `arity`. */
function tuples(samples: readonly number[], arity: number): number[][] {
  if (arity === 0) return [[]];
  return tuples(samples, arity - 1).flatMap((t) => samples.map((s) => [...t, s]));
}

describe.each(specEntries.filter((e): e is [ApplyOp, BooleanSpec] => e[1].kind === 'boolean'))(
  '%s (boolean-valued, no derivative)',
  (op, spec) => {
    const arity = OP_TABLE[op].arity as number;
    const params = Array.from({ length: arity }, (_, i) => input(`p${i}`, [], spec.operandType));
    const node = apply(op, ...params);
    // Booleans become numbers the way the front end does it: c ? 1 : 0.
    const asNumber = select(node, constant(1), constant(0));
    const cases = tuples(spec.samples, arity);
    const inputsOf = (args: readonly number[]) => Object.fromEntries(params.map((p, i) => [p.name, args[i]!]));
    const js = (args: readonly number[]) => (spec.js(args) ? 1 : 0);

    it('has no derivative rule and produces a bool', () => {
      expect(OP_TABLE[op].derivative).toBe('none');
      expect(node.dtype).toBe('bool');
    });

    it('reference evaluation matches JavaScript semantics (±0, ±∞, NaN, ties)', () => {
      for (const args of cases) {
        expect(OP_TABLE[op].evaluate(args), `${op}(${args})`).toBe(js(args));
        expect(evaluateNodes([node], inputsOf(args)).get(node), `${op}(${args})`).toBe(js(args));
      }
    });

    it('compiled kernels, unoptimized and optimized, match JavaScript semantics', () => {
      const optimized = optimize({ inputs: params, outputs: [{ name: 'f', node: asNumber }] }, { verifyEachPass: true });
      const kernels = [valueKernel(asNumber, params), valueKernel(optimized.program.outputs[0]!.node, params)];
      for (const args of cases) for (const k of kernels) expect(k(...args), `${op}(${args})`).toBe(js(args));
    });

    if (spec.operandType === 'f64') {
      it('as a select condition it passes on only the taken branch’s derivative', () => {
        const [a, b] = variables(2) as [InputNode, InputNode];
        const f = select(apply(op, a, b), mul(a, b), add(a, mul(b, b)));
        const e = referenceEvaluator(f, [a, b]);
        const kernels = compileNode(f, [a, b]).kernels;
        const random = seededRandom(OPS.indexOf(op));
        for (let k = 0; k < POINTS_PER_CASE; k++) {
          const x = [4 * random() - 2, 4 * random() - 2];
          const expected = spec.js(x) ? [x[1]!, x[0]!] : [1, 2 * x[1]!];
          expectClose(e.gradient(x), expected, COMPILED, `∇ at ${x}`);
          expectClose(kernels.gradient(x), expected, COMPILED, `compiled ∇ at ${x}`);
        }
      });
    }
  },
);

describe('numerically stable helpers: emitted source matches the reference', () => {
  const EXTREMES = [800, -800, 1e-300, -1e-300, 0, -0, NaN, Infinity, -Infinity, 1, -1, 36, -37, 709, -745, 1e-17];
  const REFERENCE: Record<HelperName, (...xs: number[]) => number> = {
    sigmoid, softplus, logsumexp, lgamma, digamma, trigamma, polygamma: (n, x) => polygamma(n!, x!),
  };
  const bitwise = (a: number, b: number) => Object.is(a, b);

  it.each(['sigmoid', 'softplus'] as const)('%s(x) bitwise on extreme arguments', (name) => {
    const c = compileExpression(`${name}(x)`, { wrt: ['x'], verifyEachPass: true });
    expect(c.source).toContain(HELPER_SOURCE[name]);
    for (const x of EXTREMES) {
      expect(bitwise(c.value({ x }), REFERENCE[name](x)), `${name}(${x}) = ${c.value({ x })}`).toBe(true);
      expect(bitwise(OP_TABLE[name].evaluate([x]), REFERENCE[name](x)), `op table ${name}(${x})`).toBe(true);
    }
  });

  it.each([2, 3])('logsumexp with %i arguments bitwise on extreme arguments', (arity) => {
    const names = ['x', 'y', 'z'].slice(0, arity);
    const c = compileExpression(`logsumexp(${names.join(', ')})`, { wrt: names, verifyEachPass: true });
    expect(c.source).toContain(HELPER_SOURCE.logsumexp);
    for (const args of tuples(EXTREMES, arity)) {
      const point = Object.fromEntries(names.map((n, i) => [n, args[i]!]));
      expect(bitwise(c.value(point), logsumexp(...args)), `logsumexp(${args}) = ${c.value(point)}`).toBe(true);
    }
  });

  it.each(['sigmoid(x)', 'softplus(x)', 'logsumexp(x, y)', 'log(1 + exp(x))', 'log(exp(x) + exp(y))'])(
    'the derivatives of %s stay finite at ±800',
    (expression) => {
      const c = compileExpression(expression, { wrt: expression.includes('y') ? ['x', 'y'] : ['x'], verifyEachPass: true });
      for (const [x, y] of [[800, 0], [-800, 0], [800, -800], [-800, 800]] as const) {
        const point = { x, y };
        const all = [c.value(point), ...c.gradient(point), ...c.hessian(point).flat()];
        expect(all.every(Number.isFinite), `${expression} at ${x}, ${y}: ${all}`).toBe(true);
      }
    },
  );
});
