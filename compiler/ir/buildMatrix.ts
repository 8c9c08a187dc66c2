/**
 * Builders for index vectors (arange, linspace) and structured matrices
 * (triangles, diagonals, triangular solves). Matrix ops act on the last one
 * or two axes and are batched over the leading ones.
 */
import { apply, applyWith } from './build.ts';
import { matmul, reshape, sum, transposeLast2 } from './buildTensor.ts';
import type { Node } from './node.ts';
import { ShapeError, shapeToString } from './shape.ts';
import type { Dim } from './shape.ts';

/** 0, 1, …, n − 1. */
export function arange(n: Dim): Node {
  return applyWith('arange', [], { n });
}

/** n points from a to b, both included (NumPy's linspace with endpoint=True). */
export function linspace(a: Node, b: Node, n: Dim): Node {
  return applyWith('linspace', [a, b], { n });
}

/** A [..., d(d+1)/2] vector of packed rows of a lower triangle (diagonal included) as the [..., d, d] matrix. */
export function lowerTriangular(v: Node, d: number): Node {
  return applyWith('lowerTriangular', [v], { d });
}

/** The lower triangle of [..., d, d] matrices, packed row by row: the adjoint of lowerTriangular. */
export function packLowerTriangular(m: Node): Node {
  return applyWith('packLowerTriangular', [m], {});
}

/** [..., d] vectors as [..., d, d] diagonal matrices. */
export function diagEmbed(v: Node): Node {
  return applyWith('diagEmbed', [v], {});
}

/** The diagonals of [..., d, d] matrices. */
export function diagonal(m: Node): Node {
  return applyWith('diagonal', [m], {});
}

/** torch.diag and mathjs diag: a vector's diagonal matrix, or a matrix's diagonal. */
export function diag(x: Node): Node {
  if (x.shape.length === 1) return diagEmbed(x);
  if (x.shape.length === 2) return diagonal(x);
  throw new ShapeError(`diag: expected a vector or a matrix, got ${shapeToString(x.shape)}; use diagEmbed or diagonal for batches`);
}

/** The lower (or upper) triangle of [..., d, d] matrices, diagonal included, zeros elsewhere. */
export function triangularPart(m: Node, lower: boolean): Node {
  return applyWith('triangularPart', [m], { lower });
}

/** X with A X = B, reading only A's lower (or upper) triangle; B is [..., n, k], or [..., n] for one right-hand side. */
export function triangularSolve(a: Node, b: Node, lower: boolean): Node {
  return applyWith('triangularSolve', [a, b], { lower });
}

/** A right-hand side of a triangular solve is a vector when it has one axis fewer than the matrix. */
export const isVectorSide = (a: Node, b: Node): boolean => b.shape.length === a.shape.length - 1;

/** M · X for [..., n, n] matrices M and right-hand sides X shaped as triangularSolve's. */
export function applyToSide(m: Node, x: Node, vector: boolean): Node {
  if (!vector) return matmul(m, x);
  return reshape(matmul(m, reshape(x, [...x.shape, 1])), x.shape);
}

/** Σ_k U[..., i, k] · V[..., j, k]: the matrix U Vᵀ, of right-hand sides shaped as triangularSolve's. */
export function sideOuter(u: Node, v: Node, vector: boolean): Node {
  if (vector) return matmul(reshape(u, [...u.shape, 1]), reshape(v, [...v.shape.slice(0, -1), 1, v.shape[v.shape.length - 1]!]));
  return matmul(u, transposeLast2(v));
}

/** Σ log |L_ii| over the last two axes: the log-determinant of triangular matrices. */
export function logDetTriangular(l: Node): Node {
  const d = diagonal(l);
  return sum(apply('log', apply('abs', d)), [d.shape.length - 1]);
}
