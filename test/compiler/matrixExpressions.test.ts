/** Math expressions over matrices and vectors (mathjs semantics), compiled to tensor kernels. */
import { describe, expect, it } from 'vitest';
import { compileExpression } from '../../compiler/index.ts';
import { SourceError } from '../../compiler/errors.ts';

const A = [[1, 2, 3, 4], [0, 1, 0, 1], [2, 0, 1, 0]];
const x = [0.5, -1, 2, 0.25];
const b = [1, 2, 3];

describe('matrix expressions', () => {
  const f = compileExpression('sum((A*x - b).^2)', { wrt: ['x'], shapes: { A: [3, 4], x: [4], b: [3] } });
  const residual = A.map((row, i) => row.reduce((s, a, j) => s + a * x[j]!, 0) - b[i]!);

  it('computes ‖Ax − b‖² and its gradient 2Aᵀ(Ax − b)', () => {
    expect(f.value({ A, x, b })).toBe(residual.reduce((s, r) => s + r * r, 0));
    expect(f.gradient({ A, x, b })).toEqual([0, 1, 2, 3].map((j) => 2 * A.reduce((s, row, i) => s + row[j]! * residual[i]!, 0)));
  });

  it('takes Float64Arrays as well as nested arrays', () => {
    const flat = { A: Float64Array.from(A.flat()), x: Float64Array.from(x), b: Float64Array.from(b) };
    expect(f.value(flat)).toBe(f.value({ A, x, b }));
  });

  it('gives H·v = 2AᵀA v and a JVP equal to the directional derivative', () => {
    const v = [1, -1, 0.5, 2];
    const Av = A.map((row) => row.reduce((s, a, j) => s + a * v[j]!, 0));
    expect(f.hvp({ A, x, b }, { x: v })).toEqual([0, 1, 2, 3].map((j) => 2 * A.reduce((s, row, i) => s + row[j]! * Av[i]!, 0)));
    const g = f.gradient({ A, x, b });
    expect(f.jvp({ A, x, b }, { x: v })).toBeCloseTo(g.reduce((s, gi, i) => s + gi * v[i]!, 0), 12);
  });

  it('feeds optimizers through a flat objective', () => {
    const objective = f.objective({ A, b });
    const grad = new Float64Array(4);
    expect(objective(Float64Array.from(x), grad)).toBe(f.value({ A, x, b }));
    expect(Array.from(grad)).toEqual(f.gradient({ A, x, b }));
  });

  it('reads diagonals with diag: the trace of AᵀA is ‖A‖², and diag(x) is a diagonal matrix', () => {
    const trace = compileExpression("sum(diag(A' * A))", { wrt: ['A'], shapes: { A: [3, 4] } });
    expect(trace.value({ A })).toBe(A.flat().reduce((s, a) => s + a * a, 0));
    expect(trace.gradient({ A })).toEqual(A.flat().map((a) => 2 * a));
    const weighted = compileExpression('sum((diag(x) * x) .^ 2)', { wrt: ['x'], shapes: { x: [4] } });
    expect(weighted.value({ x })).toBe(x.reduce((s, xi) => s + xi ** 4, 0));
    expect(weighted.gradient({ x })).toEqual(x.map((xi) => 4 * xi ** 3));
  });

  it.each([
    ['A / B', "'/' with a matrix on the right is not supported; use './'", 3],
    ['sum(A + v)', 'add: shapes [3, 4] and [3] do not broadcast', 7],
    ['A^2', "'^' of a matrix is the matrix power", 2],
    ['A * v', 'matmul: cannot multiply [3, 4] by [3, 1]', 3],
    ['A', 'the expression is a [3, 4] tensor, not a scalar', 1],
  ])('rejects %s with a located shape error', (text, message, column) => {
    try {
      compileExpression(text, { wrt: ['A'], shapes: { A: [3, 4], B: [3, 4], v: [3] } });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SourceError);
      expect((e as SourceError).message).toContain(message);
      expect((e as SourceError).location.column).toBe(column);
    }
  });
});
