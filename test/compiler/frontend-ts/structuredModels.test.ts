/**
 * Model files written with the structured-matrix and index-vector ops
 * (fixtures/structured.model.ts): a Gaussian mixture's log-likelihood
 * over packed Cholesky factors of the precisions, and a cubic least-squares
 * fit on a linspace grid. One compiled module serves every number of points:
 * its value equals the eager run of the model file, its gradient central
 * differences of that run, its JVP and HVP the gradient and differences of
 * it, and both objectives are minimized with L-BFGS.
 */
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileModelFile } from '../../../compiler/api/compileModelFile.ts';
import { constant } from '../../../compiler/ir/build.ts';
import { linspace as linspaceNode } from '../../../compiler/ir/buildMatrix.ts';
import { evaluateTensors } from '../../../compiler/ir/evaluate.ts';
import { loadModule } from '../../../compiler/load/loadModule.ts';
import {
  arange, diag, diagEmbed, diagonal, linspace, logDetTriangular, lowerTriangular, packLowerTriangular, tensor, triangularSolve, tril, triu,
} from '../../../compiler/prelude/index.ts';
import { Tensor } from '../../../compiler/prelude/tensor.ts';
import { minimizeLBFGS } from '../../../runtime/optim/minimize/lbfgs.ts';
import { differentiate, mismatches, seededRandom } from '../gradcheck.ts';
import * as models from './fixtures/structured.model.ts';

const path = relative(process.cwd(), fileURLToPath(new URL('./fixtures/structured.model.ts', import.meta.url)));
const compiled = compileModelFile(path).files[0]!.content;
const generated = loadModule(compiled) as Record<string, unknown>;

type Kernel = (...args: Float64Array[]) => number | Float64Array;
const kernel = (name: string) => generated[name] as Kernel;
interface Flat {
  readonly size: number;
  readonly value: (x: Float64Array) => number;
  readonly objective: (x: Float64Array, gradOut: Float64Array) => number;
}

/** The parameters of one function, their shapes in layout order, and its data. */
interface Problem {
  readonly fn: 'gmmLogLikelihood' | 'cubicLeastSquares' | 'recurrentSolves';
  readonly shapes: readonly (readonly number[])[];
  readonly params: Float64Array;
  readonly data: Tensor;
}

const K = 4;
const D = 3;
const PACKED = (D * (D + 1)) / 2;

/** Row i, column j of a packed lower triangle. */
const packedIndex = (i: number, j: number) => (i * (i + 1)) / 2 + j;

function mixtureProblem(n: number, seed: number): Problem {
  const random = seededRandom(seed);
  const alphas = Array.from({ length: K }, () => random() - 0.5);
  const means = Array.from({ length: K * D }, () => 2 * random() - 1);
  // Diagonals of the factors in [0.5, 1.5] (|det L| well away from 0), the rest in [-0.5, 0.5].
  const factors = Array.from({ length: K * PACKED }, (_, q) => {
    const p = q % PACKED;
    const onDiagonal = Array.from({ length: D }, (_, i) => packedIndex(i, i)).includes(p);
    return onDiagonal ? 0.5 + random() : random() - 0.5;
  });
  const X = Float64Array.from({ length: n * D }, () => 3 * random() - 1.5);
  return { fn: 'gmmLogLikelihood', shapes: [[K], [K, D], [K, PACKED]], params: Float64Array.from([...alphas, ...means, ...factors]), data: new Tensor([n, D], X) };
}

function cubicProblem(n: number, seed: number): Problem {
  const random = seededRandom(seed);
  const y = Float64Array.from({ length: n }, (_, i) => {
    const t = -1 + (2 * i) / (n - 1);
    return 0.5 - t + 2 * t * t * t + 0.1 * (random() - 0.5);
  });
  return { fn: 'cubicLeastSquares', shapes: [[4]], params: Float64Array.from({ length: 4 }, () => random() - 0.5), data: new Tensor([n], y) };
}

function recurrentProblem(steps: number, seed: number): Problem {
  const random = seededRandom(seed);
  const factors = Float64Array.from({ length: PACKED }, (_, p) => (p === 0 || p === 2 || p === 5 ? 1 + random() : random() - 0.5));
  const X = Float64Array.from({ length: steps * D }, () => 2 * random() - 1);
  return { fn: 'recurrentSolves', shapes: [[PACKED]], params: factors, data: new Tensor([steps, D], X) };
}

/** The flat parameters cut into the function's tensors. */
function split(p: Problem, x: Float64Array): Float64Array[] {
  let offset = 0;
  return p.shapes.map((s) => {
    const size = s.reduce((a, b) => a * b, 1);
    offset += size;
    return x.slice(offset - size, offset);
  });
}

const eager = (p: Problem, x: Float64Array): number => {
  const f = models[p.fn] as (...args: Tensor[]) => number;
  return f(...split(p, x).map((data, i) => new Tensor(p.shapes[i]!, data)), p.data);
};
const compiledValue = (p: Problem, x: Float64Array) => kernel(p.fn)(...split(p, x), p.data.data) as number;
const compiledGradient = (p: Problem, x: Float64Array) => kernel(`${p.fn}Gradient`)(...split(p, x), p.data.data) as Float64Array;
const unit = (size: number, j: number) => Float64Array.from({ length: size }, (_, i) => (i === j ? 1 : 0));
const moved = (x: Float64Array, v: Float64Array, t: number) => x.map((xi, i) => xi + t * v[i]!);

const PROBLEMS: readonly Problem[] = [
  mixtureProblem(6, 11), mixtureProblem(40, 12), cubicProblem(9, 13), cubicProblem(101, 14), recurrentProblem(3, 15), recurrentProblem(12, 16),
];

describe('structured-matrix and index-vector model files', () => {
  it('compile to one small module, whatever the number of points', () => {
    // Built column by column with pad/concat steps, the mixture alone made a 10 MB module;
    // all three functions here, each with value, gradient, JVP and HVP kernels, take about 140 kB.
    expect(compiled.length).toBeLessThan(250_000);
    expect(compiled).not.toMatch(/\bpad\b|\bconcat\b/);
  });

  for (const p of PROBLEMS) {
    const where = `${p.fn}, n = ${p.data.shape[0]}`;

    it(`${where}: value equals the eager run, gradient central differences of it`, () => {
      expect(mismatches([compiledValue(p, p.params)], [eager(p, p.params)], { rtol: 1e-12, atol: 1e-12 })).toEqual([]);
      const g = compiledGradient(p, p.params);
      const fd = Array.from(p.params, (_, j) => {
        const d = differentiate((t) => [eager(p, moved(p.params, unit(p.params.length, j), t))], 1e-3);
        expect(d.reliable, `${where}: differences in coordinate ${j}: ${d.why}`).toBe(true);
        return d.derivative[0]!;
      });
      expect(mismatches([...g], fd, { rtol: 1e-7, atol: 1e-7 })).toEqual([]);
    });

    it(`${where}: JVP is the gradient along v, HVP the differences of the gradient`, () => {
      const random = seededRandom(p.params.length + p.data.data.length);
      const v = Float64Array.from(p.params, () => 2 * random() - 1);
      const g = compiledGradient(p, p.params);
      const jvp = kernel(`${p.fn}Jvp`)(...split(p, p.params), p.data.data, v) as number;
      expect(mismatches([jvp], [g.reduce((s, gi, i) => s + gi * v[i]!, 0)], { rtol: 1e-11, atol: 1e-11 })).toEqual([]);
      const hv = kernel(`${p.fn}Hvp`)(...split(p, p.params), p.data.data, v) as Float64Array;
      const fd = differentiate((t) => [...compiledGradient(p, moved(p.params, v, t))], 1e-3);
      expect(fd.reliable, fd.why).toBe(true);
      expect(mismatches([...hv], fd.derivative, { rtol: 1e-7, atol: 1e-7 * (1 + fd.scale) })).toEqual([]);
    });
  }

  it('the mixture is fitted by L-BFGS: the log-likelihood rises to a stationary point', () => {
    const p = mixtureProblem(60, 21);
    const flat = (generated['gmmLogLikelihoodFlat'] as (X: Float64Array) => Flat)(p.data.data);
    const negative = (x: Float64Array, gradOut: Float64Array) => {
      const value = flat.objective(x, gradOut);
      for (let i = 0; i < gradOut.length; i++) gradOut[i] = -gradOut[i]!;
      return -value;
    };
    const result = minimizeLBFGS(negative, p.params.slice(), { maxIter: 500, gradTol: 1e-6 });
    expect(result.converged, result.reason).toBe(true);
    expect(flat.value(result.x)).toBeGreaterThan(flat.value(p.params) + 1);
  });

  it('the cubic least-squares fit recovers the coefficients of its data', () => {
    const n = 201;
    const y = Float64Array.from({ length: n }, (_, i) => {
      const t = -1 + (2 * i) / (n - 1);
      return 0.5 - t + 2 * t * t * t;
    });
    const flat = (generated['cubicLeastSquaresFlat'] as (y: Float64Array) => Flat)(y);
    const result = minimizeLBFGS(flat.objective, new Float64Array(4), { maxIter: 200, gradTol: 1e-10 });
    expect(mismatches([...result.x], [0.5, -1, 0, 2], { rtol: 1e-7, atol: 1e-7 })).toEqual([]);
  });
});

describe('the ops as the eager run computes them', () => {
  const values = (t: Tensor) => t.toArray();

  it('arange and linspace, with linspace\'s endpoint exact and n ≥ 2 checked', () => {
    expect(values(arange(4))).toEqual([0, 1, 2, 3]);
    expect(values(linspace(-1, 1, 5))).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(linspace(0, 0.3, 7).data[6]).toBe(0.3);
    expect(() => linspace(0, 1, 1)).toThrow(/linspace: the length must be a whole number of at least 2, got 1/);
    // A named size is checked where the op runs: here the reference evaluator.
    expect(() => evaluateTensors([linspaceNode(constant(0), constant(1), 'n')], {}, { n: 1 })).toThrow(/linspace: n must be at least 2, got 1/);
  });

  it('a compiled linspace over a named size checks n ≥ 2 when it runs', () => {
    const y = Float64Array.of(1);
    expect(() => kernel('cubicLeastSquares')(new Float64Array(4), y)).toThrow(RangeError);
    expect(() => kernel('cubicLeastSquares')(new Float64Array(4), y)).toThrow(/linspace: the length n must be at least 2, got 1/);
  });

  it('a packed lower triangle and back', () => {
    const L = lowerTriangular(tensor([1, 2, 3, 4, 5, 6], [6]), 3);
    expect(values(L)).toEqual([[1, 0, 0], [2, 3, 0], [4, 5, 6]]);
    expect(values(packLowerTriangular(tensor([[1, 9, 9], [2, 3, 9], [4, 5, 6]])))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('diagonals: torch.diag both ways, diagEmbed and diagonal batched over the last two axes', () => {
    expect(values(diag(tensor([1, 2])))).toEqual([[1, 0], [0, 2]]);
    expect(values(diag(tensor([[1, 2], [3, 4]])))).toEqual([1, 4]);
    expect(values(diagEmbed(tensor([[1, 2], [3, 4]])))).toEqual([[[1, 0], [0, 2]], [[3, 0], [0, 4]]]);
    expect(values(diagonal(tensor([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])))).toEqual([[1, 4], [5, 8]]);
    expect(() => diag(tensor([[[1]]]))).toThrow(/diag: expected a vector or a matrix/);
  });

  it('triangles, solves that read only their triangle, and the log-determinant', () => {
    const M = tensor([[1, 2], [3, 4]]);
    expect(values(tril(M))).toEqual([[1, 0], [3, 4]]);
    expect(values(triu(M))).toEqual([[1, 2], [0, 4]]);
    // [[2, 0], [1, 1]] x = [2, 3]: x = [1, 2]; the 9 above the diagonal is never read.
    expect(values(triangularSolve(tensor([[2, 9], [1, 1]]), tensor([2, 3]), true))).toEqual([1, 2]);
    // [[2, 1], [0, 1]] X = [[4, 2], [2, 1]] column by column; the 9 below is never read.
    expect(values(triangularSolve(tensor([[2, 1], [9, 1]]), tensor([[4, 2], [2, 1]]), false))).toEqual([[1, 0.5], [2, 1]]);
    expect(logDetTriangular(tensor([[2, 0], [1, -3]]))).toBeCloseTo(Math.log(6), 14);
    expect(values(logDetTriangular(tensor([[[1, 0], [5, 1]], [[2, 0], [0, 2]]])) as Tensor)).toEqual([0, 2 * Math.log(2)]);
  });
});
