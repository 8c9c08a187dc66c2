// LBFGS.step(closure) against torch.optim.LBFGS's semantics: hand-derived first
// steps on a 2-D quadratic, then whole trajectories (losses returned, parameters,
// funcEvals and nIter after every step) against a plain transcription of PyTorch's
// algorithm (./lbfgsReference.ts), with and without the strong Wolfe search.
import { describe, expect, it } from 'vitest';
import { LBFGS, type LBFGSOptions } from '../../../runtime/index.ts';
import { A, b, rosenbrock, rosenbrockGrad, start } from '../helpers.ts';
import { refStep, type RefOptions, type RefState } from './lbfgsReference.ts';

/** f = ½θᵀAθ − bᵀθ (the shared 3-D quadratic), with ∇f = Aθ − b. */
function quadLoss(theta: ArrayLike<number>): [number, number[]] {
  const g = A.map((row, i) => row[0] * theta[0]! + row[1] * theta[1]! + row[2] * theta[2]! - b[i]!);
  const f = 0.5 * (g[0]! + b[0]) * theta[0]! + 0.5 * (g[1]! + b[1]) * theta[1]! + 0.5 * (g[2]! + b[2]) * theta[2]! - (b[0] * theta[0]! + b[1] * theta[1]! + b[2] * theta[2]!);
  return [f, g];
}

type Loss = (theta: ArrayLike<number>) => [number, number[]];
const rosen: Loss = (p) => [rosenbrock(p), rosenbrockGrad(p)];
/** (x − 1)² + 0.1 sin 20x + y²: many local minima along x, cubic fits often poor. */
const wiggle: Loss = (p) => [(p[0]! - 1) ** 2 + 0.1 * Math.sin(20 * p[0]!) + p[1]! ** 2, [2 * (p[0]! - 1) + 2 * Math.cos(20 * p[0]!), 2 * p[1]!]];
/** √(10⁻⁴ + x²) + y²: nearly |x|, a kink the cubic cannot model. */
const softAbs: Loss = (p) => {
  const r = Math.sqrt(1e-4 + p[0]! ** 2);
  return [r + p[1]! ** 2, [p[0]! / r, 2 * p[1]!]];
};

function fullOptions(o: LBFGSOptions): RefOptions {
  const maxIter = o.maxIter ?? 20;
  return {
    lr: o.lr ?? 1,
    maxIter,
    maxEval: o.maxEval ?? Math.floor((maxIter * 5) / 4),
    toleranceGrad: o.toleranceGrad ?? 1e-7,
    toleranceChange: o.toleranceChange ?? 1e-9,
    historySize: o.historySize ?? 100,
    lineSearchFn: o.lineSearchFn ?? null,
  };
}

interface Snapshot {
  loss: number;
  params: number[];
  funcEvals: number;
  nIter: number;
}

function runClass(loss: Loss, x0: readonly number[], options: LBFGSOptions, steps: number): Snapshot[] {
  const params = Float64Array.from(x0);
  const opt = new LBFGS(params, options);
  const closure = (g: Float64Array): number => {
    const [f, grad] = loss(params);
    g.set(grad);
    return f;
  };
  return Array.from({ length: steps }, () => {
    const l = opt.step(closure);
    return { loss: l, params: [...params], funcEvals: opt.funcEvals, nIter: opt.nIter };
  });
}

function runReference(loss: Loss, x0: readonly number[], options: LBFGSOptions, steps: number): Snapshot[] {
  const params = [...x0];
  const state: RefState = { funcEvals: 0, nIter: 0 };
  const o = fullOptions(options);
  return Array.from({ length: steps }, () => {
    const l = refStep(params, () => loss(params), o, state);
    return { loss: l, params: [...params], funcEvals: state.funcEvals, nIter: state.nIter };
  });
}

function expectSameTrajectory(got: Snapshot[], want: Snapshot[], tol: number): void {
  expect(got.map((s) => [s.funcEvals, s.nIter])).toEqual(want.map((s) => [s.funcEvals, s.nIter]));
  got.forEach((s, k) => {
    expect(Math.abs(s.loss - want[k]!.loss)).toBeLessThanOrEqual(tol * Math.max(1, Math.abs(want[k]!.loss)));
    s.params.forEach((p, i) => expect(Math.abs(p - want[k]!.params[i]!)).toBeLessThanOrEqual(tol));
  });
}

describe('LBFGS.step: hand-derived steps on f = ½(x² + 10y²) from (1, 1)', () => {
  // |∇f|₁ = 11, so the first step is t = min(1, 1/11)·lr = 1/11 along −∇f = (−1, −10).
  const loss: Loss = (p) => [0.5 * (p[0]! ** 2 + 10 * p[1]! ** 2), [p[0]!, 10 * p[1]!]];

  it('maxIter 2 (so maxEval = 2): one iteration per step; the loss returned is the loss before the step', () => {
    const [s1, s2] = runClass(loss, [1, 1], { maxIter: 2 }, 2);
    expect(s1!.loss).toBe(5.5);
    expect(s1!.params[0]).toBeCloseTo(10 / 11, 15);
    expect(s1!.params[1]).toBeCloseTo(1 / 11, 15);
    // One evaluation at the start, one after the move; then currentEvals = 2 ≥ maxEval.
    expect([s1!.funcEvals, s1!.nIter]).toEqual([2, 1]);
    // Step 2 starts at (10/11, 1/11), loss 5/11. The pair y = (−1/11, −100/11),
    // s = (−1/11, −10/11) has yᵀs = 91/11, so H_diag = 1001/10001, and the two-loop
    // direction is d = (−1009010, −991010)/10011001, taken with t = lr = 1.
    expect(s2!.loss).toBeCloseTo(5 / 11, 15);
    expect(s2!.params[0]).toBeCloseTo(8091900 / 10011001, 14);
    expect(s2!.params[1]).toBeCloseTo(-80919 / 10011001, 14);
    expect([s2!.funcEvals, s2!.nIter]).toEqual([4, 2]);
  });

  it('returns at once, counting one evaluation, when max|g| ≤ toleranceGrad', () => {
    const params = Float64Array.of(0, 0);
    const opt = new LBFGS(params);
    const l = opt.step((g) => {
      g.fill(0);
      return 0;
    });
    expect([l, opt.funcEvals, opt.nIter]).toEqual([0, 1, 0]);
  });
});

describe('LBFGS.step follows the transcription of torch.optim.LBFGS', () => {
  const cases: [string, Loss, readonly number[], LBFGSOptions, number][] = [
    ['quadratic, defaults (fixed step lr = 1)', quadLoss, start, {}, 3],
    ['quadratic, lr 0.5, maxIter 4, historySize 2', quadLoss, start, { lr: 0.5, maxIter: 4, historySize: 2 }, 8],
    ['quadratic, strong Wolfe', quadLoss, start, { lineSearchFn: 'strong_wolfe' }, 3],
    ['quadratic, strong Wolfe, maxIter 3, historySize 1', quadLoss, start, { lineSearchFn: 'strong_wolfe', maxIter: 3, historySize: 1 }, 6],
    ['Rosenbrock, strong Wolfe', rosen, [-1.2, 1], { lineSearchFn: 'strong_wolfe' }, 5],
    // lr far too small: the search extrapolates; far too large: it zooms.
    ['Rosenbrock, strong Wolfe, lr 1e-3 (extrapolation)', rosen, [-1.2, 1], { lineSearchFn: 'strong_wolfe', lr: 1e-3 }, 4],
    ['Rosenbrock, strong Wolfe, lr 30 (zoom)', rosen, [-1.2, 1], { lineSearchFn: 'strong_wolfe', lr: 30 }, 4],
    ['Rosenbrock from (2, −1), strong Wolfe, lr 5', rosen, [2, -1], { lineSearchFn: 'strong_wolfe', lr: 5, maxIter: 50, maxEval: 200 }, 3],
    // Trials near a bracket end: PyTorch's 10% "insufficient progress" rule acts.
    ['wiggly valley, strong Wolfe, lr 5', wiggle, [-2, 1], { lineSearchFn: 'strong_wolfe', lr: 5 }, 4],
    ['smoothed |x|, strong Wolfe', softAbs, [3, 1], { lineSearchFn: 'strong_wolfe' }, 4],
    ['Rosenbrock, lr 0.1, maxIter 10, maxEval 12', rosen, [-1.2, 1], { lr: 0.1, maxIter: 10, maxEval: 12 }, 6],
  ];
  for (const [name, loss, x0, options, steps] of cases) {
    it(name, () => {
      const got = runClass(loss, x0, options, steps);
      expectSameTrajectory(got, runReference(loss, x0, options, steps), 1e-12);
      // The loss returned is the one at the start of each step: the previous step's end.
      for (let k = 1; k < steps; k++) expect(got[k]!.loss).toBeCloseTo(loss(got[k - 1]!.params)[0], 14);
    });
  }

  it('counters persist: a later step continues the run (its first iteration uses the history)', () => {
    const one = runClass(quadLoss, start, { maxIter: 2 }, 3);
    expect(one.map((s) => s.nIter)).toEqual([1, 2, 3]);
    // The second step did not restart from −∇f with the 1/|g|₁ step: it differs from a fresh optimizer's first step.
    const fresh = runClass(quadLoss, one[0]!.params, { maxIter: 2 }, 1);
    expect(Math.abs(fresh[0]!.params[0]! - one[1]!.params[0]!)).toBeGreaterThan(1e-3);
  });

  it('reaches Rosenbrock’s minimum with strong Wolfe in a few steps', () => {
    const got = runClass(rosen, [-1.2, 1], { lineSearchFn: 'strong_wolfe', toleranceChange: 1e-14, toleranceGrad: 1e-10 }, 4);
    const last = got[got.length - 1]!;
    expect(Math.abs(last.params[0]! - 1)).toBeLessThan(1e-6);
    expect(Math.abs(last.params[1]! - 1)).toBeLessThan(1e-6);
  });
});

describe('LBFGS stateDict', () => {
  for (const lineSearchFn of [null, 'strong_wolfe'] as const) {
    it(`round trip mid-run continues bit-identically (lineSearchFn ${String(lineSearchFn)}, historySize 2)`, () => {
      const options: LBFGSOptions = { lineSearchFn, maxIter: 3, historySize: 2, lr: lineSearchFn === null ? 0.3 : 1 };
      const params = Float64Array.from([-1.2, 1]);
      const closure = (p: Float64Array) => (g: Float64Array): number => {
        g.set(rosenbrockGrad(p));
        return rosenbrock(p);
      };
      const opt = new LBFGS(params, options);
      for (let k = 0; k < 3; k++) opt.step(closure(params));
      const saved = structuredClone(opt.stateDict());
      const paramsAt3 = params.slice();
      const cont = Array.from({ length: 4 }, () => [opt.step(closure(params)), ...params, opt.funcEvals, opt.nIter]);

      const params2 = paramsAt3.slice();
      const resumed = new LBFGS(params2); // options come back from the state dict
      resumed.loadStateDict(saved);
      const cont2 = Array.from({ length: 4 }, () => [resumed.step(closure(params2)), ...params2, resumed.funcEvals, resumed.nIter]);
      cont.forEach((row, k) => row.forEach((v, i) => expect(Object.is(v, cont2[k]![i])).toBe(true)));
      expect(resumed.historySize).toBe(2);
      expect(resumed.lineSearchFn).toBe(lineSearchFn);
    });
  }

  it('refuses another optimizer’s state dict', () => {
    const opt = new LBFGS(new Float64Array(2));
    expect(() => opt.loadStateDict({ ...opt.stateDict(), type: 'Adam' })).toThrow(/Cannot load a Adam state dict into LBFGS/);
  });
});
