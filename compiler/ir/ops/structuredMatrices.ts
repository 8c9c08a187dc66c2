/**
 * Structured matrices on the last two axes, batched over the leading ones:
 * a lower triangle from its packed entries and back, a diagonal matrix from
 * a vector and back, a triangle of a matrix, and the triangular solve. Each
 * rule is another structured op (the adjoint of packing is unpacking, of a
 * solve another solve), so nothing is unrolled element by element.
 */
import { neg, sub } from '../build.ts';
import { transposeLast2 } from '../buildTensor.ts';
import {
  applyToSide, diagEmbed, diagonal, isVectorSide, lowerTriangular, packLowerTriangular, sideOuter, triangularPart, triangularSolve,
} from '../buildMatrix.ts';
import type { Attrs, Node } from '../node.ts';
import type { OpDef } from '../opDef.ts';
import { f64 } from '../opDef.ts';
import { ShapeError, shapeToString, shapesEqual } from '../shape.ts';
import type { Dim, Shape } from '../shape.ts';
import { helperCall } from '../syntax.ts';
import { sizeOf, zeros } from '../tensor.ts';
import type { Tensor } from '../tensor.ts';
import { notElementwise } from './shapeOps.ts';

const common = (op: string) => ({ inputTypes: f64, output: 'f64' as const, evaluate: notElementwise(op), syntax: helperCall(op) });

/** The number of packed entries of a d×d lower triangle, diagonal included. */
export const packedSize = (d: number): number => (d * (d + 1)) / 2;

/** The size d of [..., d, d] matrices (a number or a named size). */
function squareSize(op: string, shape: Shape): Dim {
  const r = shape.length;
  if (r < 2 || shape[r - 1] !== shape[r - 2]) {
    throw new ShapeError(`${op}: expected square matrices [..., d, d], got ${shapeToString(shape)}`);
  }
  return shape[r - 1]!;
}

function staticSquareSize(op: string, shape: Shape): number {
  const d = squareSize(op, shape);
  if (typeof d !== 'number') throw new ShapeError(`${op}: the matrix size must be known at compile time, got ${shapeToString(shape)}`);
  return d;
}

const lower = (attrs: Attrs): boolean => attrs['lower'] === true;

/** A batch of [..., d, d] results built from x, one matrix or vector at a time. */
function perMatrix(x: Tensor, out: readonly number[], write: (xi: Float64Array, oi: Float64Array, d: number) => void, outRank = 2): Tensor {
  const result = zeros(out);
  const d = out[out.length - 1]!;
  const batch = sizeOf(out.slice(0, out.length - outRank));
  const inRow = x.data.length / batch;
  const outRow = result.data.length / batch;
  for (let b = 0; b < batch; b++) write(x.data.subarray(b * inRow, (b + 1) * inRow), result.data.subarray(b * outRow, (b + 1) * outRow), d);
  return result;
}

/** Solves A x = b in place of `x` (b copied in first), for one column of `k` with stride k. */
function substitute(a: Float64Array, x: Float64Array, n: number, k: number, c: number, isLower: boolean): void {
  for (let step = 0; step < n; step++) {
    const i = isLower ? step : n - 1 - step;
    let s = x[i * k + c]!;
    const [from, to] = isLower ? [0, i] : [i + 1, n];
    for (let j = from; j < to; j++) s -= a[i * n + j]! * x[j * k + c]!;
    x[i * k + c] = s / a[i * n + i]!;
  }
}

export const structuredMatrixOps = {
  lowerTriangular: {
    ...common('lowerTriangular'),
    doc: 'the [..., d, d] lower-triangular matrices (diagonal included) whose rows are packed in order in [..., d(d+1)/2]',
    arity: 1,
    shape(op, [v], attrs) {
      const d = attrs['d'] as number;
      if (!(Number.isInteger(d) && d >= 1)) throw new ShapeError(`${op}: the size d must be a whole number of at least 1, got ${d}`);
      if (v!.length < 1 || v![v!.length - 1] !== packedSize(d)) {
        throw new ShapeError(`${op}: a ${d}×${d} triangle packs ${packedSize(d)} entries on the last axis, got ${shapeToString(v!)}`);
      }
      return [...v!.slice(0, -1), d, d];
    },
    emission: { kind: 'matrixStructure', map: 'packedToLower' },
    evaluateTensor: ([v], _attrs, out) => perMatrix(v!, out, (packed, m, d) => {
      for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) m[i * d + j] = packed[(i * (i + 1)) / 2 + j]!;
    }),
    // Linear: d L(v) = L(dv), and the adjoint of unpacking is packing the cotangent's lower triangle.
    derivative: {
      jvp: (node, [dv]) => lowerTriangular(dv!, node.attrs['d'] as number),
      vjp: (_node, bar) => [packLowerTriangular(bar)],
    },
  },
  packLowerTriangular: {
    ...common('packLowerTriangular'),
    doc: 'the lower triangles (diagonal included) of [..., d, d] matrices, rows packed in order into [..., d(d+1)/2]; d known at compile time',
    arity: 1,
    shape: (op, [m]) => [...m!.slice(0, -2), packedSize(staticSquareSize(op, m!))],
    emission: { kind: 'matrixStructure', map: 'lowerToPacked' },
    evaluateTensor: ([m], _attrs, out) => {
      const d = m!.shape[m!.shape.length - 1]!;
      return perMatrix(m!, out, (full, packed) => {
        for (let i = 0; i < d; i++) for (let j = 0; j <= i; j++) packed[(i * (i + 1)) / 2 + j] = full[i * d + j]!;
      }, 1);
    },
    derivative: {
      jvp: (_node, [dm]) => packLowerTriangular(dm!),
      vjp: (node, bar) => [lowerTriangular(bar, staticSquareSize('packLowerTriangular', node.inputs[0]!.shape))],
    },
  },
  diagEmbed: {
    ...common('diagEmbed'),
    doc: 'the [..., d, d] diagonal matrices with the [..., d] vectors on their diagonals (torch.diag_embed)',
    arity: 1,
    shape(op, [v]) {
      if (v!.length < 1) throw new ShapeError(`${op}: expected vectors [..., d], got a number`);
      return [...v!, v![v!.length - 1]!];
    },
    emission: { kind: 'matrixStructure', map: 'vectorToDiagonal' },
    evaluateTensor: ([v], _attrs, out) => perMatrix(v!, out, (vector, m, d) => {
      for (let i = 0; i < d; i++) m[i * (d + 1)] = vector[i]!;
    }),
    derivative: {
      jvp: (_node, [dv]) => diagEmbed(dv!),
      vjp: (_node, bar) => [diagonal(bar)],
    },
  },
  diagonal: {
    ...common('diagonal'),
    doc: 'the diagonals [..., d] of [..., d, d] matrices, over the last two axes (torch.linalg.diagonal)',
    arity: 1,
    shape: (op, [m]) => [...m!.slice(0, -2), squareSize(op, m!)],
    emission: { kind: 'matrixStructure', map: 'diagonalToVector' },
    evaluateTensor: ([m], _attrs, out) => perMatrix(m!, out, (full, vector, d) => {
      for (let i = 0; i < d; i++) vector[i] = full[i * (d + 1)]!;
    }, 1),
    derivative: {
      jvp: (_node, [dm]) => diagonal(dm!),
      vjp: (_node, bar) => [diagEmbed(bar)],
    },
  },
  triangularPart: {
    ...common('triangularPart'),
    doc: 'the lower (lower = true) or upper triangle of [..., d, d] matrices, diagonal included, zeros elsewhere (torch.tril, torch.triu)',
    arity: 1,
    shape(op, [m]) {
      squareSize(op, m!);
      return m!;
    },
    emission: { kind: 'matrixStructure', map: 'triangle' },
    evaluateTensor: ([m], attrs, out) => perMatrix(m!, out, (full, part, d) => {
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (lower(attrs) ? j <= i : j >= i) part[i * d + j] = full[i * d + j]!;
    }),
    // A projection: its own adjoint.
    derivative: {
      jvp: (node, [dm]) => triangularPart(dm!, lower(node.attrs)),
      vjp: (node, bar) => [triangularPart(bar, lower(node.attrs))],
    },
  },
  triangularSolve: {
    ...common('triangularSolve'),
    doc: 'X with A X = B for triangular A [..., n, n], reading only its lower (lower = true) or upper triangle; B is [..., n, k], or [..., n] for one right-hand side (torch.linalg.solve_triangular; SciPy for vectors)',
    arity: 2,
    shape(op, [a, b]) {
      const n = squareSize(op, a!);
      const lead = a!.slice(0, -2);
      const vector = b!.length === a!.length - 1;
      const ok = (vector || b!.length === a!.length) && shapesEqual(b!.slice(0, lead.length), lead) && b![lead.length] === n;
      if (!ok) {
        throw new ShapeError(`${op}: the right-hand side must be [..., ${n}, k] or [..., ${n}] with the matrices' batch axes, got ${shapeToString(b!)} for ${shapeToString(a!)}`);
      }
      return b!;
    },
    emission: { kind: 'triangularSolve' },
    evaluateTensor([a, b], attrs, out) {
      const r = a!.shape.length;
      const n = a!.shape[r - 1]!;
      const k = out.length === r ? out[r - 1]! : 1;
      const result: Tensor = { shape: [...out], data: b!.data.slice() };
      for (let batch = 0; batch < sizeOf(a!.shape.slice(0, r - 2)); batch++) {
        const x = result.data.subarray(batch * n * k, (batch + 1) * n * k);
        const matrix = a!.data.subarray(batch * n * n, (batch + 1) * n * n);
        for (let c = 0; c < k; c++) substitute(matrix, x, n, k, c, lower(attrs));
      }
      return result;
    },
    // X = A⁻¹B: dX = A⁻¹(dB − tri(dA) X);  B̄ = A⁻ᵀ X̄ (a solve with the other triangle),  Ā = −tri(B̄ Xᵀ).
    derivative: {
      jvp(node, [dA, dB]) {
        const [a, b] = node.inputs as [Node, Node];
        const isLower = lower(node.attrs);
        const vector = isVectorSide(a, b);
        const moved = dA === null ? null : applyToSide(triangularPart(dA, isLower), node, vector);
        const rhs = moved === null ? dB : dB === null ? neg(moved) : sub(dB, moved);
        return rhs === null ? null : triangularSolve(a, rhs, isLower);
      },
      vjp(node, bar) {
        const [a, b] = node.inputs as [Node, Node];
        const isLower = lower(node.attrs);
        const bBar = triangularSolve(transposeLast2(a), bar, !isLower);
        return [neg(triangularPart(sideOuter(bBar, node, isVectorSide(a, b)), isLower)), bBar];
      },
    },
  },
} satisfies Record<string, OpDef>;
