/**
 * The kink policy (README, "Derivatives at kinks"): at every kink each
 * spelling of a function gives the documented derivative in forward mode
 * (J·eᵢ), reverse mode (the gradient) and second order (H·eᵢ, forward over
 * reverse, and reverse over forward on the reference path), both
 * as the IR states it (reference evaluation, no optimization) and compiled
 * (optimized and emitted), for IR builders, mathjs expressions and model
 * files (the TypeScript front end). Points off
 * the kink show that every spelling computes the same function.
 */
import { describe, expect, it } from 'vitest';
import { apply, constant, mul, select, sqrt } from '../../compiler/ir/build.ts';
import { sum } from '../../compiler/ir/buildTensor.ts';
import type { Node } from '../../compiler/ir/node.ts';
import { clamp, elu, leakyRelu, max, min, norm, relu, stack, where } from '../../compiler/frontend/builders/nn.ts';
import { OP_TABLE } from '../../compiler/ir/opTable.ts';
import { NONSMOOTH } from '../../compiler/ir/ops.ts';
import type { Op } from '../../compiler/ir/ops.ts';
import { modelFileFunctions, sizeOf, unit, ways } from './derivativeWays.ts';
import type { Spelling, Variable } from './derivativeWays.ts';

interface Point {
  /** The variables' values, flattened in order. */
  readonly at: readonly number[];
  readonly gradient: readonly number[];
  /** Row-major; omitted where the second derivative is not part of the policy (∞ first derivatives). */
  readonly hessian?: readonly number[];
}

interface Row {
  readonly row: string;
  readonly variables: readonly Variable[];
  readonly spellings: readonly Spelling[];
  readonly points: readonly Point[];
}

/** The kinks spelled in a model file, as users write them in TypeScript. */
const MODEL_FILE = `
import type { Param, Tensor } from 'gradc/prelude';
import { clamp, gt, hypot, leakyRelu, maximum, mul, norm, relu, sum, where } from 'gradc/prelude';

export function absMath(x: Param<number>): number { return Math.abs(x); }
export function sqrtSquare(x: Param<number>): number { return Math.sqrt(x * x); }
export function reluMathMax(x: Param<number>): number { return Math.max(x, 0); }
export function reluMathMaxFlipped(x: Param<number>): number { return Math.max(0, x); }
export function reluTernary(x: Param<number>): number { return x > 0 ? x : 0; }
export function reluIf(x: Param<number>): number {
  if (x > 0) {
    return x;
  }
  return 0;
}
export function reluPrelude(x: Param<number>): number { return relu(x); }
export function reluClamp(x: Param<number>): number { return clamp(x, 0, Infinity); }
export function reluTensor(v: Param<Tensor<[4]>>): number { return sum(relu(v)); }
export function reluTensorWhere(v: Param<Tensor<[4]>>): number { return sum(where(gt(v, 0), v, 0)); }
export function reluTensorMaximum(v: Param<Tensor<[4]>>): number { return sum(maximum(v, 0)); }
export function leaky(x: Param<number>): number { return leakyRelu(x, 0.25); }
export function maxMath(a: Param<number>, b: Param<number>): number { return Math.max(a, b); }
export function minMath(a: Param<number>, b: Param<number>): number { return Math.min(a, b); }
export function maxConstant(x: Param<number>): number { return Math.max(x, 2); }
export function minConstant(x: Param<number>): number { return Math.min(x, -1); }
export function clampPrelude(x: Param<number>): number { return clamp(x, -1, 1); }
export function clampMath(x: Param<number>): number { return Math.min(Math.max(x, -1), 1); }
export function clampIf(x: Param<number>): number {
  if (x > -1) {
    return x < 1 ? x : 1;
  }
  return -1;
}
export function clampBound(x: Param<number>, lo: Param<number>): number { return clamp(x, lo, 1); }
export function sqrtMath(x: Param<number>): number { return Math.sqrt(x); }
export function normPrelude(v: Param<Tensor<[3]>>): number { return norm(v); }
export function normByHand(v: Param<Tensor<[3]>>): number { return Math.sqrt(sum(mul(v, v))); }
export function hypotMath(a: Param<number>, b: Param<number>): number { return Math.hypot(a, b); }
export function hypotPrelude(a: Param<number>, b: Param<number>): number { return hypot(a, b); }
export function hypotByHand(a: Param<number>, b: Param<number>): number { return Math.sqrt(a * a + b * b); }
export function reluNonStrict(x: Param<number>): number { return x >= 0 ? x : 0; }
export function halfPower(x: Param<number>): number { return x ** 0.5; }
`;

const modelFunctions = modelFileFunctions('test/compiler/kinks.model.ts', MODEL_FILE);

/** Exact equality, except that the two zeros are one value and NaN matches NaN. */
const same = (a: number, b: number): boolean => a === b || (Number.isNaN(a) && Number.isNaN(b));

function checkRow(row: Row): void {
  describe(row.row, () => {
    for (const s of row.spellings) {
      for (const { how, d } of ways(row.variables, s, modelFunctions)) {
        it(`${s.what} (${how})`, () => {
          const n = row.variables.reduce((acc, v) => acc + sizeOf(v), 0);
          for (const p of row.points) {
            const where = `at [${p.at.join(', ')}]`;
            const reverse = d.gradient(p.at);
            const forward = Array.from({ length: n }, (_, i) => d.jvp(p.at, unit(n, i)));
            expect({ where, reverse: reverse.every((g, i) => same(g, p.gradient[i]!)) }).toEqual({ where, reverse: true });
            expect({ where, reverse, forward }).toEqual({ where, reverse, forward: reverse });
            if (p.hessian !== undefined) {
              const hvp = Array.from({ length: n }, (_, i) => d.hvp(p.at, unit(n, i))).flat();
              expect({ where, hvp: hvp.every((h, i) => same(h, p.hessian![i]!)) }).toEqual({ where, hvp: true });
              const rof = d.hvpReverseOverForward;
              if (rof !== undefined) {
                const nested = Array.from({ length: n }, (_, i) => rof(p.at, unit(n, i))).flat();
                expect({ where, nested: nested.every((h, i) => same(h, p.hessian![i]!)) }).toEqual({ where, nested: true });
              }
            }
          }
        });
      }
    }
  });
}

const zeros = (n: number): number[] => new Array<number>(n).fill(0);
const x1: Variable[] = [{ name: 'x' }];
const gt = (a: Node, b: Node) => apply('gt', a, b);
const lt = (a: Node, b: Node) => apply('lt', a, b);

const ROWS: Row[] = [
  {
    row: "abs: 0 at 0 (sign(0)), as torch.abs",
    variables: x1,
    spellings: [
      { what: 'abs(x)', ir: ([x]) => apply('abs', x!), mathjs: 'abs(x)', modelFile: 'absMath' },
      { what: 'sqrt(x²)', ir: ([x]) => sqrt(mul(x!, x!)), mathjs: 'sqrt(x^2)', modelFile: 'sqrtSquare' },
    ],
    points: [
      { at: [0], gradient: [0], hessian: [0] },
      { at: [-0.5], gradient: [-1], hessian: [0] },
      { at: [0.5], gradient: [1], hessian: [0] },
    ],
  },
  {
    row: "relu: 0 at 0, as torch.relu, in every spelling",
    variables: x1,
    spellings: [
      { what: 'relu(x)', ir: ([x]) => relu(x!), mathjs: 'relu(x)', modelFile: 'reluPrelude' },
      { what: 'max(x, 0)', ir: ([x]) => apply('max', x!, constant(0)), mathjs: 'max(x, 0)', modelFile: 'reluMathMax' },
      { what: 'max(0, x)', ir: ([x]) => apply('max', constant(0), x!), mathjs: 'max(0, x)', modelFile: 'reluMathMaxFlipped' },
      { what: 'x > 0 ? x : 0', ir: ([x]) => select(gt(x!, constant(0)), x!, constant(0)), mathjs: 'x > 0 ? x : 0', modelFile: 'reluTernary' },
      { what: '0 < x ? x : 0', ir: ([x]) => select(lt(constant(0), x!), x!, constant(0)), mathjs: '0 < x ? x : 0' },
      { what: 'clamp(x, 0, ∞)', ir: ([x]) => clamp(x!, 0, Infinity), mathjs: 'clamp(x, 0, Infinity)', modelFile: 'reluClamp' },
      { what: 'if (x > 0) return x; return 0', modelFile: 'reluIf' },
    ],
    points: [
      { at: [0], gradient: [0], hessian: [0] },
      { at: [-0.5], gradient: [0], hessian: [0] },
      { at: [0.5], gradient: [1], hessian: [0] },
    ],
  },
  {
    row: 'relu on a tensor: 0 at the zero elements, in every spelling',
    variables: [{ name: 'v', shape: [4] }],
    spellings: [
      { what: 'sum(relu(v))', ir: ([v]) => sum(relu(v!)), mathjs: 'sum(relu(v))', modelFile: 'reluTensor' },
      { what: 'sum(maximum(v, 0))', modelFile: 'reluTensorMaximum' },
      { what: 'sum(where(gt(v, 0), v, 0))', modelFile: 'reluTensorWhere' },
      { what: 'sum(max(v, 0)) elementwise', ir: ([v]) => sum(apply('max', v!, constant(0))) },
      { what: 'sum(where(v > 0, v, 0))', ir: ([v]) => sum(where(gt(v!, constant(0)), v!, constant(0))) },
      { what: 'sum(clamp(v, 0, 1))', ir: ([v]) => sum(clamp(v!, 0, 1)), mathjs: 'sum(clamp(v, 0, 1))' },
    ],
    points: [{ at: [0, -1, 0.5, 0], gradient: [0, 0, 1, 0], hessian: zeros(16) }],
  },
  {
    row: 'leakyRelu and elu at 0: the left branch (slope, α), as torch',
    variables: x1,
    spellings: [
      { what: 'leakyRelu(x, 0.25)', ir: ([x]) => leakyRelu(x!, 0.25), modelFile: 'leaky' },
      { what: 'x > 0 ? x : 0.25 * x', ir: ([x]) => select(gt(x!, constant(0)), x!, mul(constant(0.25), x!)), mathjs: 'x > 0 ? x : 0.25 * x' },
      { what: 'elu(x, 0.25) (derivative α eˣ)', ir: ([x]) => elu(x!, 0.25) },
    ],
    points: [
      { at: [0], gradient: [0.25] },
      { at: [2], gradient: [1], hessian: [0] },
    ],
  },
  {
    row: 'max and min of two variables: a tie splits ½ and ½, as torch.maximum/minimum and amax/amin',
    variables: [{ name: 'a' }, { name: 'b' }],
    spellings: [
      { what: 'max(a, b)', ir: ([a, b]) => apply('max', a!, b!), mathjs: 'max(a, b)', modelFile: 'maxMath' },
      { what: 'max over stack([a, b])', ir: ([a, b]) => max(stack([a!, b!])) },
      { what: 'a > b ? a : (a == b ? (a + b) / 2 : b)', mathjs: 'a > b ? a : (a == b ? (a + b) / 2 : b)' },
    ],
    points: [
      { at: [1, 1], gradient: [0.5, 0.5], hessian: zeros(4) },
      { at: [-0.75, -0.75], gradient: [0.5, 0.5], hessian: zeros(4) },
      { at: [2, 1], gradient: [1, 0], hessian: zeros(4) },
    ],
  },
  {
    row: 'min of two variables: a tie splits ½ and ½',
    variables: [{ name: 'a' }, { name: 'b' }],
    spellings: [{ what: 'min(a, b)', ir: ([a, b]) => apply('min', a!, b!), mathjs: 'min(a, b)', modelFile: 'minMath' }],
    points: [
      { at: [1, 1], gradient: [0.5, 0.5], hessian: zeros(4) },
      { at: [2, 1], gradient: [0, 1], hessian: zeros(4) },
    ],
  },
  {
    row: 'max/min against a constant: 0 at the tie (minimum-norm subgradient; torch.maximum gives ½)',
    variables: x1,
    spellings: [
      { what: 'max(x, 2)', ir: ([x]) => apply('max', x!, constant(2)), mathjs: 'max(x, 2)', modelFile: 'maxConstant' },
      { what: 'x > 2 ? x : 2', ir: ([x]) => select(gt(x!, constant(2)), x!, constant(2)), mathjs: 'x > 2 ? x : 2' },
      { what: 'max(x, 1 + 1) (a constant expression, unfolded in the IR)', ir: ([x]) => apply('max', x!, apply('add', constant(1), constant(1))), mathjs: 'max(x, 1 + 1)' },
    ],
    points: [
      { at: [2], gradient: [0], hessian: [0] },
      { at: [2.5], gradient: [1], hessian: [0] },
    ],
  },
  {
    row: 'min against a constant: 0 at the tie',
    variables: x1,
    spellings: [
      { what: 'min(x, -1)', ir: ([x]) => apply('min', x!, constant(-1)), mathjs: 'min(x, -1)', modelFile: 'minConstant' },
      { what: 'x < -1 ? x : -1', ir: ([x]) => select(lt(x!, constant(-1)), x!, constant(-1)), mathjs: 'x < -1 ? x : -1' },
    ],
    points: [
      { at: [-1], gradient: [0], hessian: [0] },
      { at: [-2], gradient: [1], hessian: [0] },
    ],
  },
  {
    row: 'clamp with constant bounds: 0 at either bound, as F.hardtanh (torch.clamp gives 1)',
    variables: x1,
    spellings: [
      { what: 'clamp(x, -1, 1)', ir: ([x]) => clamp(x!, -1, 1), mathjs: 'clamp(x, -1, 1)', modelFile: 'clampPrelude' },
      { what: 'min(max(x, -1), 1)', ir: ([x]) => apply('min', apply('max', x!, constant(-1)), constant(1)), mathjs: 'min(max(x, -1), 1)', modelFile: 'clampMath' },
      { what: 'max(min(x, 1), -1)', mathjs: 'max(min(x, 1), -1)' },
      { what: 'x > -1 ? (x < 1 ? x : 1) : -1', mathjs: 'x > -1 ? (x < 1 ? x : 1) : -1', modelFile: 'clampIf' },
    ],
    points: [
      { at: [-1], gradient: [0], hessian: [0] },
      { at: [1], gradient: [0], hessian: [0] },
      { at: [0.25], gradient: [1], hessian: [0] },
      { at: [3], gradient: [0], hessian: [0] },
    ],
  },
  {
    row: 'clamp with a differentiated bound: x and the bound split a tie ½ and ½',
    variables: [{ name: 'x' }, { name: 'lo' }],
    spellings: [{ what: 'clamp(x, lo, 1)', ir: ([x, lo]) => clamp(x!, lo!, 1), mathjs: 'clamp(x, lo, 1)', modelFile: 'clampBound' }],
    points: [
      { at: [-1, -1], gradient: [0.5, 0.5], hessian: zeros(4) },
      { at: [-2, -1], gradient: [0, 1], hessian: zeros(4) },
    ],
  },
  {
    row: 'sqrt: 0 at 0 (torch gives +∞)',
    variables: x1,
    spellings: [{ what: 'sqrt(x)', ir: ([x]) => sqrt(x!), mathjs: 'sqrt(x)', modelFile: 'sqrtMath' }],
    points: [
      { at: [0], gradient: [0], hessian: [0] },
      { at: [4], gradient: [0.25], hessian: [-1 / 32] },
    ],
  },
  {
    row: 'norm: gradient 0 at the origin, as torch.linalg.norm; second derivative 0 there',
    variables: [{ name: 'v', shape: [3] }],
    spellings: [
      { what: 'norm(v)', ir: ([v]) => norm(v!), mathjs: 'norm(v)', modelFile: 'normPrelude' },
      { what: 'sqrt(sum(v * v))', ir: ([v]) => sqrt(sum(mul(v!, v!))), mathjs: 'sqrt(sum(v .* v))', modelFile: 'normByHand' },
      { what: 'sqrt(dot(v, v))', mathjs: 'sqrt(dot(v, v))' },
    ],
    points: [
      { at: [0, 0, 0], gradient: [0, 0, 0], hessian: zeros(9) },
      // ∇‖v‖ = v/‖v‖; H = (I − u uᵀ)/‖v‖ with u = v/‖v‖, exact in binary at (0, 3, 4)/5 only up to rounding: use an axis.
      { at: [0, 0, 2], gradient: [0, 0, 1], hessian: [0.5, 0, 0, 0, 0.5, 0, 0, 0, 0] },
    ],
  },
  {
    row: 'hypot: gradient 0 at the origin, in every spelling',
    variables: [{ name: 'a' }, { name: 'b' }],
    spellings: [
      { what: 'hypot(a, b)', ir: ([a, b]) => apply('hypot', a!, b!), mathjs: 'hypot(a, b)', modelFile: 'hypotMath' },
      { what: 'prelude hypot(a, b)', modelFile: 'hypotPrelude' },
      { what: 'sqrt(a² + b²)', ir: ([a, b]) => sqrt(apply('add', mul(a!, a!), mul(b!, b!))), mathjs: 'sqrt(a^2 + b^2)', modelFile: 'hypotByHand' },
    ],
    points: [{ at: [0, 0], gradient: [0, 0], hessian: zeros(4) }],
  },
  {
    row: 'documented exceptions: a ternary takes the branch taken, and x^0.5 is pow, not sqrt',
    variables: x1,
    spellings: [
      // x >= 0 takes the x branch at 0: derivative 1, unlike relu.
      { what: 'x >= 0 ? x : 0 gives 1 at 0', ir: ([x]) => select(apply('ge', x!, constant(0)), x!, constant(0)), mathjs: 'x >= 0 ? x : 0', modelFile: 'reluNonStrict' },
    ],
    points: [{ at: [0], gradient: [1], hessian: [0] }],
  },
  {
    row: 'x^0.5 at 0: +∞, as torch.pow (write sqrt(x) for the finite policy)',
    variables: x1,
    spellings: [{ what: 'x ^ 0.5', ir: ([x]) => apply('pow', x!, constant(0.5)), mathjs: 'x ^ 0.5', modelFile: 'halfPower' }],
    points: [{ at: [0], gradient: [Infinity] }],
  },
];

for (const row of ROWS) checkRow(row);

/**
 * Every op the table marks non-smooth or gives a kink policy, composed with an
 * op whose derivative is infinite at the kink's value (cbrt at 0, acosh at
 * 1): where the policy's derivative is 0 (at the kink, or where the op is
 * flat), 0·∞ must come out 0 in forward mode, reverse mode and H·v alike, not
 * NaN in one mode and 0 in another. Where the policy's derivative is not 0
 * (ties), both modes give the same ±∞; atan2's documented NaN is NaN in both.
 * The keys come from the op table, so a new piecewise op without a row fails.
 */
interface KinkComposition {
  readonly what: string;
  readonly variables: readonly Variable[];
  /** The piecewise expression g, its value κ at the points, and the side s it leaves κ to: s·(g − κ) ≥ 0. */
  readonly g: (vars: readonly Node[]) => Node;
  readonly value: number;
  readonly side: 1 | -1;
  readonly points: readonly (readonly number[])[];
  /** 'zero': the policy's derivative is 0; 'infinite': a share of ∞ per variable; 'nan': documented NaN. */
  readonly expect: 'zero' | 'infinite' | 'nan';
}

const vx: Variable[] = [{ name: 'x' }];
const vab: Variable[] = [{ name: 'a' }, { name: 'b' }];
const flat = (what: string, g: KinkComposition['g'], value: number, side: 1 | -1, points: number[][]): KinkComposition => ({
  what, variables: vx, g, value, side, points, expect: 'zero',
});

const KINK_COMPOSITIONS: Readonly<Record<string, readonly KinkComposition[]>> = {
  abs: [flat('abs(x) at 0', ([x]) => apply('abs', x!), 0, 1, [[0]])],
  sign: [flat('sign(x) at 0 and 0.5', ([x]) => apply('sign', x!), 0, 1, [[0]])],
  relu: [flat('relu(x) at 0 and -0.5', ([x]) => relu(x!), 0, 1, [[0], [-0.5]])],
  max: [
    flat('max(x, 1) at 1 and 0.5 (the issue: acosh(max(x, 1)) at 0.5)', ([x]) => apply('max', x!, constant(1)), 1, 1, [[1], [0.5]]),
    { what: 'max(a, b) at a tie: ½·∞ each', variables: vab, g: ([a, b]) => apply('max', a!, b!), value: 1, side: 1, points: [[1, 1]], expect: 'infinite' },
  ],
  min: [
    flat('min(x, -1) at -1 and -0.5', ([x]) => apply('min', x!, constant(-1)), -1, -1, [[-1], [-0.5]]),
    { what: 'min(a, b) at a tie: ½·∞ each', variables: vab, g: ([a, b]) => apply('min', a!, b!), value: 1, side: -1, points: [[1, 1]], expect: 'infinite' },
  ],
  clamp: [
    flat('clamp(x, -1, 1) at and past 1', ([x]) => clamp(x!, -1, 1), 1, -1, [[1], [3]]),
    flat('clamp(x, -1, 1) at and past -1', ([x]) => clamp(x!, -1, 1), -1, 1, [[-1], [-3]]),
  ],
  select: [
    flat('x > 0 ? x : 0 at 0 and -0.5', ([x]) => select(gt(x!, constant(0)), x!, constant(0)), 0, 1, [[0], [-0.5]]),
    flat('x <= 1 ? 1 : x at 1 and 0.5', ([x]) => select(apply('le', x!, constant(1)), constant(1), x!), 1, 1, [[1], [0.5]]),
  ],
  sqrt: [flat('sqrt(x) at 0', ([x]) => sqrt(x!), 0, 1, [[0]])],
  hypot: [{ what: 'hypot(a, b) at the origin', variables: vab, g: ([a, b]) => apply('hypot', a!, b!), value: 0, side: 1, points: [[0, 0]], expect: 'zero' }],
  atan2: [{ what: 'atan2(b, a) at the origin: NaN, as documented', variables: vab, g: ([a, b]) => apply('atan2', b!, a!), value: 0, side: 1, points: [[0, 0]], expect: 'nan' }],
  pow: [{
    what: 'stopGradient(a) ^ b at a = 0: the exponent partial is 0',
    variables: vab, g: ([a, b]) => apply('pow', apply('stopGradient', a!), b!), value: 0, side: 1, points: [[0, 2]], expect: 'zero',
  }],
  reduceMax: [{ what: 'max(v) at a three-way tie: ⅓·∞ each', variables: [{ name: 'v', shape: [3] }], g: ([v]) => max(v!), value: 1, side: 1, points: [[1, 1, 1]], expect: 'infinite' }],
  reduceMin: [{ what: 'min(v) at a three-way tie: ⅓·∞ each', variables: [{ name: 'v', shape: [3] }], g: ([v]) => min(v!), value: -1, side: -1, points: [[-1, -1, -1]], expect: 'infinite' }],
};

/** Outer functions with an infinite derivative at κ, and the sign of that derivative along s. */
const OUTERS: readonly { what: string; h: (g: Node, c: KinkComposition) => Node; sign: (c: KinkComposition) => number }[] = [
  { what: 'cbrt(g − κ)', h: (g, c) => apply('cbrt', apply('sub', g, constant(c.value))), sign: () => 1 },
  {
    what: 'acosh(1 + s·(g − κ))',
    h: (g, c) => apply('acosh', apply(c.side === 1 ? 'add' : 'sub', constant(1), apply('sub', g, constant(c.value)))),
    sign: (c) => c.side,
  },
];

describe('every kink policy against an infinite outer derivative: forward, reverse and H·v agree', () => {
  const keys = Object.entries(OP_TABLE).filter(([op, def]) => def.kink !== undefined || NONSMOOTH.has(op as Op)).map(([op]) => op);
  it('has a composition for every op with a kink (and for clamp)', () => {
    expect([...keys, 'clamp'].filter((op) => (KINK_COMPOSITIONS[op] ?? []).length === 0)).toEqual([]);
  });
  for (const [op, compositions] of Object.entries(KINK_COMPOSITIONS)) {
    for (const c of compositions) {
      for (const outer of OUTERS) {
        const spelling = { what: `${outer.what} with g = ${c.what}`, ir: (vars: readonly Node[]) => outer.h(c.g(vars), c) };
        for (const { how, d } of ways(c.variables, spelling)) {
          it(`${op}: ${spelling.what} (${how})`, () => {
            const n = c.variables.reduce((acc, v) => acc + sizeOf(v), 0);
            const share = c.expect === 'zero' ? 0 : c.expect === 'nan' ? NaN : outer.sign(c) * Infinity;
            for (const at of c.points) {
              const where = `at [${at.join(', ')}]`;
              const reverse = d.gradient(at);
              const forward = Array.from({ length: n }, (_, i) => d.jvp(at, unit(n, i)));
              const want = new Array<number>(n).fill(share);
              expect({ where, reverse, forward }).toEqual({ where, reverse: want, forward: want });
              if (c.expect === 'zero') {
                const hvp = Array.from({ length: n }, (_, i) => d.hvp(at, unit(n, i))).flat();
                expect({ where, hvp: hvp.map((h) => h === 0) }).toEqual({ where, hvp: new Array<boolean>(n * n).fill(true) });
              }
            }
          });
        }
      }
    }
  }
});
