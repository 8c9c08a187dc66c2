/**
 * Derivatives that keep their digits in floating point (issue 13, "Safety"):
 * logsumexp's softmax, sigmoid, tanh, softplus, log-sigmoid and softmax
 * cross-entropy at large |x|, first and second order, in every mode (gradient,
 * J·eᵢ, H·eᵢ) and every way of writing them (IR builders, mathjs expressions,
 * model files; reference and compiled). Expected values come from closed forms
 * that keep digits (e^-|x| never subtracted from 1): relative error ≤ 1e-12
 * where the true value is a normal double, and never NaN or ±∞.
 */
import { describe, expect, it } from 'vitest';
import { apply, constant, neg } from '../../compiler/ir/build.ts';
import { logsumexp, sigmoid, softmaxCrossEntropy, softplus, tanh } from '../../compiler/frontend/builders/nn.ts';
import { modelFileFunctions, sizeOf, unit, ways } from './derivativeWays.ts';
import type { Spelling, Variable } from './derivativeWays.ts';

interface Row {
  readonly row: string;
  readonly variables: readonly Variable[];
  readonly spellings: readonly Spelling[];
  readonly points: readonly (readonly number[])[];
  /** The exact gradient and row-major Hessian at a point. */
  readonly exact: (at: readonly number[]) => { gradient: number[]; hessian: number[] };
  /**
   * 'absolute': Hessian entries finite and within 1e-15 of the exact ones,
   * not relative to their own size (see the cross-entropy rows for why).
   */
  readonly hessianTolerance?: 'absolute';
}

const MODEL_FILE = `
import type { Param, Tensor } from 'gradc/prelude';
import { logsumexp, sigmoid, softplus, stack } from 'gradc/prelude';

export function lseMath(x: Param<number>, y: Param<number>): number { return Math.log(Math.exp(x) + Math.exp(y)); }
export function lseTensor(v: Param<Tensor<[2]>>): number { return logsumexp(v); }
export function lseStack(x: Param<number>, y: Param<number>): number { return logsumexp(stack([x, y])); }
export function sigmoidPrelude(x: Param<number>): number { return sigmoid(x); }
export function sigmoidByHand(x: Param<number>): number { return 1 / (1 + Math.exp(-x)); }
export function tanhMath(x: Param<number>): number { return Math.tanh(x); }
export function softplusPrelude(x: Param<number>): number { return softplus(x); }
export function softplusByHand(x: Param<number>): number { return Math.log(1 + Math.exp(x)); }
export function logSigmoid(x: Param<number>): number { return Math.log(sigmoid(x)); }
`;
const modelFunctions = modelFileFunctions('test/compiler/stability.model.ts', MODEL_FILE);

/** σ(x) without 1 - e: both branches divide by 1 + e^-|x|. */
const exactSigmoid = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));
/** σ'(x) = e^-|x| / (1 + e^-|x|)². */
const exactSigmoidSlope = (x: number): number => {
  const e = Math.exp(-Math.abs(x));
  return e / ((1 + e) * (1 + e));
};
/** σ''(x) = -σ'(x) tanh(x/2). */
const exactSigmoidCurve = (x: number): number => -exactSigmoidSlope(x) * Math.tanh(x / 2);
/** tanh'(x) = 4u / (1 + u)² with u = e^-2|x|. */
const exactTanhSlope = (x: number): number => {
  const u = Math.exp(-2 * Math.abs(x));
  return (4 * u) / ((1 + u) * (1 + u));
};

const LARGE = [40, -40, 100, -100, 700, -700];
const x1: Variable[] = [{ name: 'x' }];
const xy: Variable[] = [{ name: 'x' }, { name: 'y' }];
/** log(e^x + e^y): p = σ(x - y), with x - y exact at every point below. */
const lse2 = ([x, y]: readonly number[]) => {
  const p = exactSigmoid(x! - y!);
  const q = exactSigmoid(y! - x!);
  return { gradient: [p, q], hessian: [p * q, -p * q, -p * q, p * q] };
};
const LSE_POINTS = [[1e15, 1e15], [1e300, 1e300], [1e300, -1e300], [-1e300, 1e300], [0, 1e15], [-1e15, 0], [1e15, 1e15 + 0.5]];

const ROWS: Row[] = [
  {
    row: 'logsumexp of two variables: the shifted softmax e^(xᵢ-m) / Σ e^(xⱼ-m)',
    variables: xy,
    spellings: [
      { what: 'log(exp(x) + exp(y))', mathjs: 'log(exp(x) + exp(y))', modelFile: 'lseMath', compiledOnly: true },
      { what: 'logsumexp(x, y)', ir: ([x, y]) => apply('logsumexp', x!, y!), mathjs: 'logsumexp(x, y)' },
      { what: 'logsumexp(stack([x, y]))', modelFile: 'lseStack' },
    ],
    points: LSE_POINTS,
    exact: lse2,
  },
  {
    row: 'logsumexp over a tensor (reduceLogSumExp)',
    variables: [{ name: 'v', shape: [2] }],
    spellings: [{ what: 'logsumexp(v)', ir: ([v]) => logsumexp(v!), mathjs: 'logsumexp(v)', modelFile: 'lseTensor' }],
    points: LSE_POINTS,
    exact: lse2,
  },
  {
    row: "sigmoid: σ' = σ(x)σ(-x), σ'' = σ'(x)(σ(-x) - σ(x))",
    variables: x1,
    spellings: [
      { what: 'sigmoid(x)', ir: ([x]) => sigmoid(x!), mathjs: 'sigmoid(x)', modelFile: 'sigmoidPrelude' },
      { what: '1 / (1 + exp(-x))', mathjs: '1/(1+exp(-x))', modelFile: 'sigmoidByHand', compiledOnly: true },
    ],
    points: [...LARGE.map((x) => [x]), [0.3], [-2.5]],
    exact: ([x]) => ({ gradient: [exactSigmoidSlope(x!)], hessian: [exactSigmoidCurve(x!)] }),
  },
  {
    row: "tanh: tanh' = 4u/(1+u)², u = e^-2|x|, and tanh'' = -2 tanh(x) tanh'(x), near 0 too",
    variables: x1,
    spellings: [{ what: 'tanh(x)', ir: ([x]) => tanh(x!), mathjs: 'tanh(x)', modelFile: 'tanhMath' }],
    points: [...LARGE.map((x) => [x]), [20], [-3], [0.3], [1e-5], [-1e-9]],
    exact: ([x]) => ({ gradient: [exactTanhSlope(x!)], hessian: [-2 * Math.tanh(x!) * exactTanhSlope(x!)] }),
  },
  {
    row: "softplus: softplus' = σ(x), softplus'' = σ'(x)",
    variables: x1,
    spellings: [
      { what: 'softplus(x)', ir: ([x]) => softplus(x!), mathjs: 'softplus(x)', modelFile: 'softplusPrelude' },
      { what: 'log(1 + exp(x))', mathjs: 'log(1 + exp(x))', modelFile: 'softplusByHand', compiledOnly: true },
    ],
    points: [...LARGE.map((x) => [x]), [0.3]],
    exact: ([x]) => ({ gradient: [exactSigmoid(x!)], hessian: [exactSigmoidSlope(x!)] }),
  },
  {
    row: "log-sigmoid: d/dx log σ(x) = σ(-x), second derivative -σ'(x)",
    variables: x1,
    spellings: [
      { what: '-softplus(-x)', ir: ([x]) => neg(softplus(neg(x!))) },
      { what: 'log(sigmoid(x))', ir: ([x]) => apply('log', sigmoid(x!)), mathjs: 'log(sigmoid(x))', modelFile: 'logSigmoid', compiledOnly: true },
    ],
    points: [...LARGE.map((x) => [x]), [0.3]],
    exact: ([x]) => ({ gradient: [exactSigmoid(-x!)], hessian: [-exactSigmoidSlope(x!)] }),
  },
  ...[0, 1, 2].map((label): Row => ({
    row: `softmax cross-entropy with label ${label}: ∂/∂z_label = -Σ_(j≠label) p_j, never p_label - 1`,
    variables: [{ name: 'z', shape: [3] }],
    spellings: [{ what: 'softmaxCrossEntropy(z, label)', ir: ([z]) => softmaxCrossEntropy(z!, constant(label)) }],
    points: [[40, 0, -40], [-40, 40, 0], [700, -700, 0], [0, -700, 700], [100, 100, -100], [1e15, 1e15, 0], [0.3, -0.2, 0.1]],
    exact: (z) => exactCrossEntropy(z, label),
    // Known loss, left for a fused softmax op with its own Hessian rule
    // (diag(p) - p pᵀ with p_j Σ_(k≠j) p_k on the diagonal): the product rule
    // gives p_j - p_j² where one class other than the label holds p_j ≈ 1 (at
    // [-40, 40, 0] with label 0, 0 instead of 4.2e-18), and q_j q_k (σ'(r) - σ(r))
    // between two others when the label dominates. The gradient above is exact.
    hessianTolerance: 'absolute',
  })),
];

/**
 * Softmax p_j = 1 / Σ_k e^(z_k - z_j) (each exponent exact or negligible),
 * gradient p - onehot with the label's entry summed from the others, and
 * Hessian diag(p) - p pᵀ with p_j(1 - p_j) = p_j Σ_(k≠j) p_k.
 */
function exactCrossEntropy(z: readonly number[], label: number): { gradient: number[]; hessian: number[] } {
  const p = z.map((zj) => 1 / z.reduce((acc, zk) => acc + Math.exp(zk - zj), 0));
  const othersThan = (j: number) => p.reduce((acc, pk, k) => (k === j ? acc : acc + pk), 0);
  const gradient = p.map((pj, j) => (j === label ? -othersThan(j) : pj));
  const hessian = p.flatMap((pi, i) => p.map((pj, j) => (i === j ? pi * othersThan(i) : -pi * pj)));
  return { gradient, hessian };
}

/** Relative error ≤ 1e-12, with an absolute floor far below every normal double the rows expect. */
const close = (got: number, want: number): boolean => Math.abs(got - want) <= 1e-12 * Math.abs(want) + 1e-300;

function checkRow(row: Row): void {
  describe(row.row, () => {
    for (const s of row.spellings) {
      for (const { how, d } of ways(row.variables, s, modelFunctions)) {
        it(`${s.what} (${how})`, () => {
          const n = row.variables.reduce((acc, v) => acc + sizeOf(v), 0);
          for (const at of row.points) {
            const want = row.exact(at);
            const where = `at [${at.join(', ')}]`;
            const reverse = d.gradient(at);
            const forward = Array.from({ length: n }, (_, i) => d.jvp(at, unit(n, i)));
            const hvp = Array.from({ length: n }, (_, i) => d.hvp(at, unit(n, i))).flat();
            const ok = (got: number[], exact: number[]) => got.every((g, i) => close(g, exact[i]!));
            const okHessian = (got: number[]) =>
              row.hessianTolerance === 'absolute'
                ? got.every((g, i) => Number.isFinite(g) && Math.abs(g - want.hessian[i]!) <= 1e-15)
                : ok(got, want.hessian);
            expect({ where, reverse, forward, hvp, ok: [ok(reverse, want.gradient), ok(forward, want.gradient), okHessian(hvp)] })
              .toEqual({ where, reverse, forward, hvp, ok: [true, true, true] });
            const rof = d.hvpReverseOverForward;
            if (rof !== undefined) {
              const nested = Array.from({ length: n }, (_, i) => rof(at, unit(n, i))).flat();
              expect({ where, nested, ok: okHessian(nested) }).toEqual({ where, nested, ok: true });
            }
          }
        });
      }
    }
  });
}

for (const row of ROWS) checkRow(row);

describe('the issue as reported', () => {
  it("log(exp(x)+exp(y)) at x = y = 1e15 has gradient [0.5, 0.5]", async () => {
    const { compileExpression } = await import('../../compiler/api/compileExpression.ts');
    expect(compileExpression('log(exp(x)+exp(y))', { wrt: ['x', 'y'] }).gradient({ x: 1e15, y: 1e15 })).toEqual([0.5, 0.5]);
  });
  it("sigmoid'(40) is 4.25e-18, not 0", async () => {
    const { compileExpression } = await import('../../compiler/api/compileExpression.ts');
    const [g] = compileExpression('sigmoid(x)', { wrt: ['x'] }).gradient({ x: 40 });
    expect(close(g!, exactSigmoidSlope(40))).toBe(true);
    expect(g).toBeCloseTo(4.248354255291589e-18, 30);
  });
});
