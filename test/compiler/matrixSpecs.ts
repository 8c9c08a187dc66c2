/**
 * Op specs of the index vectors (arange, linspace) and the structured
 * matrices (triangles, diagonals, triangular solves), run by opSpec.test.ts
 * like every structural op: reference evaluation against plain index
 * arithmetic, J·V against finite differences, <JV, U> = <V, JᵀU>, H·V
 * against differences of the gradient, and the compiled kernels against the
 * reference evaluation. Cases with a named size carry a scalar factor `s` of
 * literal shape, so the compiled kernels have a parameter to differentiate.
 */
import { mul } from '../../compiler/ir/build.ts';
import { sum } from '../../compiler/ir/buildTensor.ts';
import {
  arange, diagEmbed, diagonal, linspace, lowerTriangular, packLowerTriangular, triangularPart, triangularSolve,
} from '../../compiler/ir/buildMatrix.ts';
import type { Tensor } from '../../compiler/ir/tensor.ts';
import type { Operand, TensorSpec } from './tensorSpecs.ts';
import { at, real } from './tensorSpecs.ts';

const lead = (index: readonly number[], keep: number) => index.slice(0, index.length - keep);

/** Row i, column j of the triangle packed in row order: i(i+1)/2 + j. */
const packedOracle = ([v]: readonly Tensor[], index: readonly number[]) => {
  const [i, j] = index.slice(-2) as [number, number];
  return j <= i ? at(v!, [...lead(index, 2), (i * (i + 1)) / 2 + j]) : 0;
};

/** The (row, column) of packed entry p, found by counting rows. */
function rowColumn(p: number): [number, number] {
  let i = 0;
  while (((i + 1) * (i + 2)) / 2 <= p) i++;
  return [i, p - (i * (i + 1)) / 2];
}

/**
 * The solution of one triangular system by column sweeps (each solved entry
 * eliminated from the rows after it): another order than the kernels' row
 * sweeps, so the oracle is independent of them.
 */
function solveByColumns(a: Tensor, b: Tensor, lower: boolean, batch: readonly number[], column: number | null): number[] {
  const n = a.shape[a.shape.length - 1]!;
  const entry = (i: number, j: number) => at(a, [...batch, i, j]);
  const x = Array.from({ length: n }, (_, i) => at(b, column === null ? [...batch, i] : [...batch, i, column]));
  const order = Array.from({ length: n }, (_, s) => (lower ? s : n - 1 - s));
  for (const j of order) {
    x[j]! /= entry(j, j);
    for (const i of order) if (lower ? i > j : i < j) x[i]! -= entry(i, j) * x[j]!;
  }
  return x;
}

function solveOracle(lower: boolean, vector: boolean) {
  return ([a, b]: readonly Tensor[], index: readonly number[]) => {
    const keep = vector ? 1 : 2;
    const batch = lead(index, keep);
    const row = index[index.length - keep]!;
    return solveByColumns(a!, b!, lower, batch, vector ? null : index[index.length - 1]!)[row]!;
  };
}

/** A triangular matrix: diagonal in [0.5, 1.5], so every solve is well conditioned; entries off the triangle are read by nothing. */
const triangular = (shape: Operand['shape']): Operand => real(shape, 0.5, 1.5);

export const MATRIX_SPECS = {
  arange: {
    kind: 'tensor',
    cases: [
      { note: 'x ⊙ arange(4): read as the loop index', operands: [real([4])], build: ([x]) => mul(x!, arange(4)), oracle: ([x], [i]) => at(x!, [i!]) * i! },
      {
        note: '[2, 3] ⊙ arange(3), broadcast over rows',
        operands: [real([2, 3])],
        build: ([x]) => mul(x!, arange(3)),
        oracle: ([x], [r, i]) => at(x!, [r!, i!]) * i!,
      },
      { note: 's · Σ arange(5): stored for the reduction', operands: [real([])], build: ([s]) => mul(s!, sum(arange(5))), oracle: ([s]) => 10 * s!.data[0]! },
      {
        note: 's · x ⊙ arange(n), n named',
        operands: [real(['n']), real([])],
        build: ([x, s]) => mul(s!, mul(x!, arange('n'))),
        oracle: ([x, s], [i]) => s!.data[0]! * at(x!, [i!]) * i!,
        sizes: { n: 5 },
      },
    ],
  },
  linspace: {
    kind: 'tensor',
    cases: [
      {
        note: 'linspace(a, b, 5)',
        operands: [real([]), real([])],
        build: ([a, b]) => linspace(a!, b!, 5),
        oracle: ([a, b], [i]) => (i === 4 ? b!.data[0]! : a!.data[0]! * (1 - i! / 4) + b!.data[0]! * (i! / 4)),
      },
      {
        note: 's · linspace(a, b, n), n named',
        operands: [real([]), real([]), real([])],
        build: ([a, b, s]) => mul(s!, linspace(a!, b!, 'n')),
        oracle: ([a, b, s], [i]) => s!.data[0]! * (i === 5 ? b!.data[0]! : a!.data[0]! * (1 - i! / 5) + b!.data[0]! * (i! / 5)),
        sizes: { n: 6 },
      },
    ],
  },
  lowerTriangular: {
    kind: 'tensor',
    cases: [
      { note: '[3] → 2×2', operands: [real([3])], build: ([v]) => lowerTriangular(v!, 2), oracle: packedOracle },
      { note: 'batched [2, 6] → [2, 3, 3]', operands: [real([2, 6])], build: ([v]) => lowerTriangular(v!, 3), oracle: packedOracle },
    ],
  },
  packLowerTriangular: {
    kind: 'tensor',
    cases: [
      {
        note: '[4, 4] → [10]',
        operands: [real([4, 4])],
        build: ([m]) => packLowerTriangular(m!),
        oracle: ([m], [p]) => at(m!, rowColumn(p!)),
      },
      {
        note: 'batched [2, 3, 3] → [2, 6]',
        operands: [real([2, 3, 3])],
        build: ([m]) => packLowerTriangular(m!),
        oracle: ([m], [b, p]) => at(m!, [b!, ...rowColumn(p!)]),
      },
    ],
  },
  diagEmbed: {
    kind: 'tensor',
    cases: [
      {
        note: 'batched [2, 3] → [2, 3, 3]',
        operands: [real([2, 3])],
        build: ([v]) => diagEmbed(v!),
        oracle: ([v], [b, i, j]) => (i === j ? at(v!, [b!, i!]) : 0),
      },
      {
        note: 's · diagEmbed(v), v of named size n',
        operands: [real(['n']), real([])],
        build: ([v, s]) => mul(s!, diagEmbed(v!)),
        oracle: ([v, s], [i, j]) => (i === j ? s!.data[0]! * at(v!, [i!]) : 0),
        sizes: { n: 3 },
      },
    ],
  },
  diagonal: {
    kind: 'tensor',
    cases: [
      { note: 'batched [2, 3, 3] → [2, 3]', operands: [real([2, 3, 3])], build: ([m]) => diagonal(m!), oracle: ([m], [b, i]) => at(m!, [b!, i!, i!]) },
      {
        note: 's · diagonal(M), M of named size [n, n]',
        operands: [real(['n', 'n']), real([])],
        build: ([m, s]) => mul(s!, diagonal(m!)),
        oracle: ([m, s], [i]) => s!.data[0]! * at(m!, [i!, i!]),
        sizes: { n: 4 },
      },
    ],
  },
  triangularPart: {
    kind: 'tensor',
    cases: [
      {
        note: 'lower triangle of [2, 3, 3]',
        operands: [real([2, 3, 3])],
        build: ([m]) => triangularPart(m!, true),
        oracle: ([m], [b, i, j]) => (j! <= i! ? at(m!, [b!, i!, j!]) : 0),
      },
      {
        note: 'upper triangle of [4, 4]',
        operands: [real([4, 4])],
        build: ([m]) => triangularPart(m!, false),
        oracle: ([m], [i, j]) => (j! >= i! ? at(m!, [i!, j!]) : 0),
      },
    ],
  },
  triangularSolve: {
    kind: 'tensor',
    cases: [
      {
        note: 'lower [3, 3] with a vector',
        operands: [triangular([3, 3]), real([3])],
        build: ([a, b]) => triangularSolve(a!, b!, true),
        oracle: solveOracle(true, true),
      },
      {
        note: 'upper [3, 3] with a [3, 2] matrix',
        operands: [triangular([3, 3]), real([3, 2])],
        build: ([a, b]) => triangularSolve(a!, b!, false),
        oracle: solveOracle(false, false),
      },
      {
        note: 'batched lower [2, 3, 3] with [2, 3, 2]',
        operands: [triangular([2, 3, 3]), real([2, 3, 2])],
        build: ([a, b]) => triangularSolve(a!, b!, true),
        oracle: solveOracle(true, false),
      },
      {
        note: 'batched upper [2, 3, 3] with vectors [2, 3]',
        operands: [triangular([2, 3, 3]), real([2, 3])],
        build: ([a, b]) => triangularSolve(a!, b!, false),
        oracle: solveOracle(false, true),
      },
      {
        note: 's · solve, lower [n, n] with a vector, n named',
        operands: [triangular(['n', 'n']), real(['n']), real([])],
        build: ([a, b, s]) => mul(s!, triangularSolve(a!, b!, true)),
        oracle: (xs, index) => xs[2]!.data[0]! * solveOracle(true, true)(xs, index),
        sizes: { n: 3 },
      },
    ],
  },
} satisfies Record<string, TensorSpec>;
