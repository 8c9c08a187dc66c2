/**
 * The lasso, min_x ½/m ‖A x − b‖² + μ ‖x‖₁, solved two ways with kernels gradc
 * compiles from the formula:
 *
 * - the subgradient method on the whole objective (gradc's abs has derivative 0
 *   at 0, a valid subgradient), steps a / (b + k), best iterate kept;
 * - cyclic coordinate descent on the smooth part s(x) = ½/m ‖A x − b‖², one forward-mode
 *   partial (JVP along eᵢ) per update. s is quadratic, so the exact minimizer of
 *   s + μ|xᵢ| along eᵢ is the soft-thresholded Newton step
 *     xᵢ ← S(xᵢ − ∂ᵢs / Hᵢᵢ, μ / Hᵢᵢ),   S(z, t) = sign(z) max(|z| − t, 0),
 *   with Hᵢᵢ = ∂²s/∂xᵢ² from one Hessian-vector product (constant, computed once).
 *   The runtime's coordinateDescent takes an update xᵢ ← xᵢ − pᵢ / Hᵢᵢ, so pᵢ is the
 *   coordinate's prox-gradient mapping Hᵢᵢ (xᵢ − S(…)), which is 0 exactly when
 *   xᵢ satisfies its optimality condition.
 *
 * Run: `npx tsx examples/lasso/lasso.ts` (prints the results, writes convergence.svg/png).
 */
import { compileExpression } from '../../compiler/index.ts';
import {
  coordinateDescent,
  subgradientMethod,
  symmetricEigen,
  type CoordinateDescentResult,
  type SubgradientResult,
  type SubgradientStep,
  SeededRng,
} from '../../runtime/index.ts';

export const SMOOTH = '0.5 / m * sum((A*x - b).^2)';
export const LASSO = `${SMOOTH} + mu * sum(abs(x))`;

export interface LassoProblem {
  readonly m: number;
  readonly n: number;
  /** m × n, row-major. */
  readonly a: Float64Array;
  readonly b: Float64Array;
  readonly mu: number;
  /** The sparse vector the data came from. */
  readonly xTrue: Float64Array;
}

/** A seeded problem: normal A, b = A x_true + noise with 5 of n entries of x_true nonzero. */
export function lassoProblem(m = 60, n = 20, mu = 0.1, seed = 1): LassoProblem {
  const rng = SeededRng.fromSeed(seed);
  const normal = () => rng.normal();
  const a = Float64Array.from({ length: m * n }, normal);
  const xTrue = new Float64Array(n);
  for (let j = 0; j < 5; j++) xTrue[(j * 7) % n] = (j % 2 === 0 ? 1 : -1) * (1 + j / 2);
  const b = Float64Array.from({ length: m }, (_, i) => {
    let s = 0.3 * normal();
    for (let j = 0; j < n; j++) s += a[i * n + j]! * xTrue[j]!;
    return s;
  });
  return { m, n, a, b, mu, xTrue };
}

/** Soft thresholding S(z, t) = sign(z) max(|z| − t, 0), the proximal map of t|·|. */
export function softThreshold(z: number, t: number): number {
  return z > t ? z - t : z < -t ? z + t : 0;
}

export interface LassoKernels {
  /** f(x) and a subgradient (the whole lasso objective). */
  readonly objective: (x: Float64Array, gradOut: Float64Array) => number;
  /** ∇s(x), the smooth part's gradient. */
  readonly smoothGradient: (x: Float64Array) => Float64Array;
  /** ∂s/∂xᵢ by forward mode along eᵢ. */
  readonly smoothPartial: (x: Float64Array, i: number) => number;
  /** ∇²s eᵢ by one Hessian-vector product (s is quadratic: the same at every x). */
  readonly smoothHessianColumn: (i: number) => number[];
}

export function compileLasso(p: LassoProblem): LassoKernels {
  const shapes = { A: [p.m, p.n], x: [p.n], b: [p.m] };
  const lasso = compileExpression(LASSO, { wrt: ['x'], shapes });
  const smooth = compileExpression(SMOOTH, { wrt: ['x'], shapes });
  const fixed = { A: p.a, b: p.b, m: p.m };
  const point = { ...fixed, x: new Float64Array(p.n) };
  const tangent = { x: new Float64Array(p.n) };
  const along = (i: number) => {
    tangent.x.fill(0);
    tangent.x[i] = 1;
    return tangent;
  };
  const smoothObjective = smooth.objective(fixed);
  return {
    objective: lasso.objective({ ...fixed, mu: p.mu }),
    smoothGradient: (x) => {
      const g = new Float64Array(p.n);
      smoothObjective(x, g);
      return g;
    },
    smoothPartial: (x, i) => {
      point.x.set(x);
      return smooth.jvp(point, along(i));
    },
    smoothHessianColumn: (i) => smooth.hvp(point, along(i)),
  };
}

/** Cyclic coordinate descent with exact (soft-thresholded) coordinate minimization. */
export function solveByCoordinateDescent(p: LassoProblem, k: LassoKernels, gradTol = 1e-12, onSweep?: (x: Float64Array) => void): CoordinateDescentResult {
  const h = Float64Array.from({ length: p.n }, (_, i) => k.smoothHessianColumn(i)[i]!);
  const g = new Float64Array(p.n);
  return coordinateDescent(
    {
      partial: (x, i) => h[i]! * (x[i]! - softThreshold(x[i]! - k.smoothPartial(x, i) / h[i]!, p.mu / h[i]!)),
      secondPartial: (_x, i) => h[i]!,
      value: (x) => k.objective(x, g),
    },
    new Float64Array(p.n),
    { gradTol, ...(onSweep === undefined ? {} : { callback: (info) => void onSweep(info.x) }) },
  );
}

/** The extreme eigenvalues σ ≤ L of ∇²s = AᵀA/m, from n Hessian-vector products. */
export function curvatureBounds(p: LassoProblem, k: LassoKernels): { sigma: number; lipschitz: number } {
  const h = new Float64Array(p.n * p.n);
  for (let i = 0; i < p.n; i++) h.set(k.smoothHessianColumn(i), i * p.n); // column i = row i (symmetric)
  const values = new Float64Array(p.n);
  symmetricEigen(h, p.n, values, new Float64Array(p.n * p.n));
  return { sigma: Math.min(...values), lipschitz: Math.max(...values) };
}

/**
 * αₖ = a / (b + k) with a = 1/σ: for a σ-strongly convex f this is the step with
 * the O(1/k) rate (smaller a slows it to k^(−aσ)); b = a L makes α₁ < 1/L, so the
 * first steps do not overshoot along the stiffest direction.
 */
export function subgradientStep(bounds: { sigma: number; lipschitz: number }): SubgradientStep {
  const a = 1 / bounds.sigma;
  return { kind: 'diminishing', a, b: a * bounds.lipschitz };
}

/** The subgradient method from 0 with the step rule above; returns the best iterate. */
export function solveBySubgradient(
  k: LassoKernels,
  n: number,
  step: SubgradientStep,
  maxIter = 10000,
  onIteration?: (f: number) => void,
): SubgradientResult {
  return subgradientMethod(k.objective, new Float64Array(n), {
    step,
    maxIter,
    ...(onIteration === undefined ? {} : { callback: (info) => void onIteration(info.f) }),
  });
}

/**
 * The largest violation of the lasso's optimality conditions 0 ∈ ∇s(x) + μ ∂‖x‖₁:
 * |∇ᵢs + μ sign xᵢ| where xᵢ ≠ 0, and max(|∇ᵢs| − μ, 0) where xᵢ = 0. Entries with
 * |xᵢ| ≤ zeroTol count as zero (the subgradient method never lands exactly on 0).
 */
export function optimalityViolation(p: LassoProblem, k: LassoKernels, x: Float64Array, zeroTol = 0): number {
  const g = k.smoothGradient(x);
  let worst = 0;
  for (let i = 0; i < p.n; i++) {
    const v = Math.abs(x[i]!) <= zeroTol ? Math.max(Math.abs(g[i]!) - p.mu, 0) : Math.abs(g[i]! + p.mu * Math.sign(x[i]!));
    worst = Math.max(worst, v);
  }
  return worst;
}

/** Everything the README reports: both solvers on the seeded problem, with their curves. */
export async function main(log: (line: string) => void = console.log, plotBase?: string): Promise<void> {
  const p = lassoProblem();
  const k = compileLasso(p);
  const cdCurve: [number, number][] = [];
  const cdValues: number[] = [];
  const g = new Float64Array(p.n);
  const cd = solveByCoordinateDescent(p, k, 1e-12, (x) => cdValues.push(k.objective(x, g)));
  const fStar = cd.f;
  // One sweep is n partials (JVPs), each a pass over the data like one subgradient evaluation.
  cdValues.forEach((f, s) => cdCurve.push([(s + 1) * p.n, Math.max(f - fStar, 1e-16)]));
  const sgCurve: [number, number][] = [];
  let fBest = k.objective(new Float64Array(p.n), g);
  let it = 0;
  const step = subgradientStep(curvatureBounds(p, k));
  const sg = solveBySubgradient(k, p.n, step, 10000, (f) => {
    fBest = Math.min(fBest, f);
    if (++it % 20 === 0) sgCurve.push([it, Math.max(fBest - fStar, 1e-16)]);
  });
  let dx = 0;
  for (let i = 0; i < p.n; i++) dx = Math.max(dx, Math.abs(sg.x[i]! - cd.x[i]!));
  const support = (x: Float64Array, tol: number) => Array.from(x, (v, i) => (Math.abs(v) > tol ? i : -1)).filter((i) => i >= 0).join(', ');
  log(`lasso: m = ${p.m}, n = ${p.n}, μ = ${p.mu}; x_true is nonzero at ${support(p.xTrue, 0)}`);
  log(`subgradient step a/(b + k): a = 1/σ = ${step.kind === 'diminishing' ? step.a.toFixed(3) : ''}, b = aL = ${step.kind === 'diminishing' ? (step.b ?? 0).toFixed(3) : ''}`);
  log('| method | iterations | kernel calls | f − f* | ‖x − x_cd‖∞ | optimality violation | support |');
  log('| --- | --- | --- | --- | --- | --- | --- |');
  log(`| coordinate descent (exact, cyclic) | ${cd.iterations} sweeps | ${cd.partialEvaluations} JVPs + ${p.n} HVPs | 0 (is f*) | 0 | ${optimalityViolation(p, k, cd.x).toExponential(2)} | ${support(cd.x, 0)} |`);
  log(`| subgradient method, best iterate | ${sg.iterations} | ${sg.functionEvaluations} subgradients | ${(sg.f - fStar).toExponential(2)} | ${dx.toExponential(2)} | ${optimalityViolation(p, k, sg.x, 1e-3).toExponential(2)} (\\|xᵢ\\| ≤ 1e-3 as 0) | ${support(sg.x, 1e-3)} |`);
  log(`f* = ${fStar.toFixed(12)}; x_cd = (${Array.from(cd.x, (v) => v.toFixed(4)).join(', ')})`);
  if (plotBase !== undefined) {
    const { writeLineChart } = await import('../../runtime/plot/lineChart.ts');
    await writeLineChart(
      {
        title: 'Lasso: f − f* (best so far for the subgradient method)',
        xLabel: 'kernel calls (subgradients, or partials by forward mode)',
        yLabel: 'f − f*',
        logY: true,
        series: [
          { name: 'coordinate descent', points: cdCurve },
          { name: 'subgradient method', points: sgCurve },
        ],
      },
      plotBase,
    );
    log(`wrote ${plotBase}.svg and ${plotBase}.png`);
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) await main(console.log, new URL('./convergence', import.meta.url).pathname);
