/**
 * Objectives from benchmarks and papers written the natural way with every
 * size named (issue 15, must show 1): a regularized log-sum-exp over a vector
 * of any length, polynomial least squares of any degree on an arange grid of
 * any number of points, and a Gaussian mixture negative log-likelihood with any
 * number of components over packed Cholesky factors. One compiled module each:
 * the compiled value equals the eager run at two sizes, the gradient central
 * differences, the HVP differences of the gradient, and L-BFGS reaches the
 * known optimum (or a stationary point below the start, for the mixture).
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileModelFile } from '../../../compiler/api/compileModelFile.ts';
import { loadModule } from '../../../compiler/load/loadModule.ts';
import { typeCheckModule } from '../../../compiler/load/typeCheckModule.ts';
import { Tensor } from '../../../compiler/prelude/tensor.ts';
import { minimizeLBFGS } from '../../../runtime/optim/minimize/lbfgs.ts';
import { SeededRng } from '../../../runtime/random/seededRng.ts';
import * as eager from './fixtures/general.model.ts';
import { checkFlatDerivatives } from './flatDerivatives.ts';

const path = relative(process.cwd(), fileURLToPath(new URL('./fixtures/general.model.ts', import.meta.url)));
const source = compileModelFile(path).files[0]!.content;
const mod = loadModule(source);

interface Flat {
  readonly size: number;
  readonly value: (x: Float64Array) => number;
  readonly objective: (x: Float64Array, g: Float64Array) => number;
  readonly hvp: (x: Float64Array, v: Float64Array, out: Float64Array) => void;
}
const factory = (name: string) => mod[`${name}Flat`] as (...args: (number | Float64Array)[]) => Flat;
const rng = SeededRng.fromSeed(15);
const normals = (n: number, scale = 1) => Float64Array.from({ length: n }, () => scale * rng.normal());
const t = (shape: number[], data: Float64Array) => new Tensor(shape, Float64Array.from(data));

describe('general models, every size at run time', () => {
  it('type-checks strictly', () => {
    expect(typeCheckModule(source)).toEqual([]);
  });

  it('regularized log-sum-exp: eager value, derivatives, and L-BFGS to x = −1/n at n = 7 and 300', () => {
    for (const n of [7, 300]) {
      const f = factory('regularizedLogSumExp')(n);
      const x = normals(n);
      expect(f.value(x)).toBeCloseTo(eager.regularizedLogSumExp(t([n], x)), 12);
      checkFlatDerivatives(f, x, 1);
      const result = minimizeLBFGS(f.objective, x, { gradTol: 1e-12 });
      result.x.forEach((xi) => expect(xi).toBeCloseTo(-1 / n, 9));
    }
  });

  it('polynomial least squares: any degree, any grid; L-BFGS recovers the coefficients', () => {
    for (const [m, n] of [[4, 30], [7, 200]] as const) {
      const truth = normals(m);
      const y = Float64Array.from({ length: n }, (_, i) => {
        const ti = -1 + (2 * i) / (n - 1);
        return truth.reduce((s, c, j) => s + c * ti ** j, 0);
      });
      const f = factory('polynomialLeastSquares')(y, m);
      expect(f.size).toBe(m);
      const c = normals(m);
      expect(f.value(c)).toBeCloseTo(eager.polynomialLeastSquares(t([m], c), t([n], y)), 10);
      checkFlatDerivatives(f, c, 2);
      const result = minimizeLBFGS(f.objective, new Float64Array(m), { gradTol: 1e-12, maxIter: 500 });
      result.x.forEach((ci, j) => expect(ci).toBeCloseTo(truth[j]!, 6));
    }
  });

  it('Gaussian mixture NLL: k = 2 and 5 components from one module; L-BFGS lowers it', () => {
    for (const [k, n] of [[2, 40], [5, 120]] as const) {
      // Points around k centres.
      const centres = normals(k * 3, 3);
      const X = Float64Array.from({ length: n * 3 }, (_, i) => centres[((Math.floor(i / 3) % k) * 3) + (i % 3)]! + 0.5 * rng.normal());
      const f = factory('gmmNegativeLogLikelihood')(X, k);
      expect(f.size).toBe(k + 3 * k + 6 * k);
      // Identity precisions (packed rows 1; 0 1; 0 0 1), means at random points, equal weights.
      const theta = new Float64Array(f.size);
      theta.set(normals(3 * k), k);
      for (let c = 0; c < k; c++) for (const j of [0, 2, 5]) theta[4 * k + 6 * c + j] = 1;
      const alphas = theta.subarray(0, k);
      const means = theta.subarray(k, 4 * k);
      const factors = theta.subarray(4 * k);
      expect(f.value(theta)).toBeCloseTo(eager.gmmNegativeLogLikelihood(t([k], alphas), t([k, 3], means), t([k, 6], factors), t([n, 3], X)), 9);
      checkFlatDerivatives(f, theta, 3);
      const start = f.value(theta);
      // Without a prior the likelihood is unbounded (a component can collapse onto a point), so 50 iterations, not a minimum.
      const result = minimizeLBFGS(f.objective, theta, { maxIter: 50 });
      expect(Number.isFinite(result.f)).toBe(true);
      expect(result.f).toBeLessThan(start - 0.1 * Math.abs(start));
    }
  });

  it('Gaussian mixture with Wishart and Dirichlet priors (lgamma, multigammaln): L-BFGS converges to a stationary point', () => {
    for (const [k, n] of [[2, 60], [4, 150]] as const) {
      const centres = normals(k * 3, 3);
      const X = Float64Array.from({ length: n * 3 }, (_, i) => centres[((Math.floor(i / 3) % k) * 3) + (i % 3)]! + 0.5 * rng.normal());
      const [gamma, m, a] = [1, 2, 2];
      const f = factory('gmmNegativeLogPosterior')(X, gamma, m, a, k);
      const theta = new Float64Array(f.size);
      theta.set(normals(3 * k), k);
      for (let c = 0; c < k; c++) for (const j of [0, 2, 5]) theta[4 * k + 6 * c + j] = 1;
      const args = [t([k], theta.subarray(0, k)), t([k, 3], theta.subarray(k, 4 * k)), t([k, 6], theta.subarray(4 * k)), t([n, 3], X), gamma, m, a] as const;
      expect(f.value(theta)).toBeCloseTo(eager.gmmNegativeLogPosterior(...args), 9);
      checkFlatDerivatives(f, theta, 3);
      const result = minimizeLBFGS(f.objective, theta, { gradTol: 1e-6, maxIter: 3000 });
      expect(result.f).toBeLessThan(f.value(theta));
      expect(result.gradNorm).toBeLessThan(1e-6);
    }
  });
});
