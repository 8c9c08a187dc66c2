/** Indexing by integer-valued tensors: gather (embedding lookup), its adjoint scatterAdd, and oneHot. */
import { gather, scatterAdd } from '../buildTensor.ts';
import type { Attrs } from '../node.ts';
import type { OpDef } from '../opDef.ts';
import { f64 } from '../opDef.ts';
import { ShapeError, shapeToString } from '../shape.ts';
import type { Dim } from '../shape.ts';
import { helperCall } from '../syntax.ts';
import { sizeOf, zeros } from '../tensor.ts';
import { notElementwise } from './shapeOps.ts';

/** Index i of a table with `rows` rows, or -1 when i is not a valid row. */
export function rowIndex(i: number, rows: number): number {
  return Number.isInteger(i) && i >= 0 && i < rows ? i : -1;
}

const common = (op: string) => ({ inputTypes: f64, output: 'f64' as const, evaluate: notElementwise(op), syntax: helperCall(op) });

export const indexingOps = {
  gather: {
    ...common('gather'),
    doc: 'rows of a table (first axis) at integer indices: out[i…, r…] = table[indices[i…], r…]; an index outside [0, rows) is a RangeError',
    arity: 2,
    indices: { operand: 1, bound: (node) => node.inputs[0]!.shape[0]!, what: 'a row index', fallbackName: 'indices' },
    shape: (_op, [table, indices]) => [...indices!, ...table!.slice(1)],
    emission: { kind: 'gather' },
    evaluateTensor([table, indices], _attrs, out) {
      const result = zeros(out);
      const row = sizeOf(table!.shape.slice(1));
      indices!.data.forEach((v, i) => {
        const r = rowIndex(v, table!.shape[0]!);
        if (r < 0) result.data.fill(NaN, i * row, (i + 1) * row);
        else result.data.set(table!.data.subarray(r * row, (r + 1) * row), i * row);
      });
      return result;
    },
    derivative: {
      jvp: (node, [dTable]) => (dTable === null ? null : gather(dTable!, node.inputs[1]!)),
      vjp: (node, bar) => [scatterAdd(node.inputs[1]!, bar, node.inputs[0]!.shape[0]!), null],
    },
  },
  scatterAdd: {
    ...common('scatterAdd'),
    doc: 'the adjoint of gather: out[r, …] = Σ values[i…, …] over indices[i…] = r; an index outside [0, rows) is a RangeError',
    arity: 2,
    indices: { operand: 0, bound: (node) => node.shape[0]!, what: 'a row index', fallbackName: 'indices' },
    shape(op, [indices, values], attrs: Attrs) {
      const lead = indices!.length;
      if (!indices!.every((d, i) => d === values![i])) {
        throw new ShapeError(`${op}: values ${shapeToString(values!)} do not start with the index shape ${shapeToString(indices!)}`);
      }
      return [attrs['rows'] as Dim, ...values!.slice(lead)];
    },
    emission: { kind: 'scatterAdd' },
    evaluateTensor([indices, values], _attrs, out) {
      const result = zeros(out);
      const row = sizeOf(out.slice(1));
      indices!.data.forEach((v, i) => {
        const r = rowIndex(v, out[0]!);
        if (r < 0) return;
        for (let k = 0; k < row; k++) result.data[r * row + k]! += values!.data[i * row + k]!;
      });
      return result;
    },
    derivative: {
      jvp: (node, [, dValues]) => (dValues === null ? null : scatterAdd(node.inputs[0]!, dValues!, node.shape[0]!)),
      vjp: (node, bar) => [null, gather(bar, node.inputs[0]!)],
    },
  },
  oneHot: {
    ...common('oneHot'),
    doc: 'out[i…, c] = 1 where indices[i…] = c, else 0; an index outside [0, depth) is a RangeError (a dropped label would be a wrong loss)',
    arity: 1,
    // The depth may be a named size (the class count of logits [batch, vocab]).
    indices: { operand: 0, bound: (node) => node.attrs['depth'] as Dim, what: 'a label', fallbackName: 'labels' },
    shape: (_op, [indices], attrs) => [...indices!, attrs['depth'] as Dim],
    emission: { kind: 'oneHot' },
    evaluateTensor([indices], _attrs, out) {
      const depth = out[out.length - 1]!;
      const result = zeros(out);
      indices!.data.forEach((v, i) => {
        const c = rowIndex(v, depth);
        if (c >= 0) result.data[i * depth + c] = 1;
      });
      return result;
    },
    // Indices are integers: piecewise constant, so the derivative is 0.
    derivative: { jvp: () => null, vjp: () => [null] },
  },
  dimSize: {
    ...common('dimSize'),
    doc: 'the run-time size of a named dimension (such as batch), as a scalar',
    arity: 0,
    shape: () => [],
    emission: { kind: 'dimSize' },
    evaluateTensor: (_inputs, attrs, _out, sizes) => {
      const size = sizes[attrs['dim'] as string];
      if (size === undefined) throw new Error(`no size given for dimension '${String(attrs['dim'])}'`);
      return { shape: [], data: Float64Array.of(size) };
    },
    derivative: { jvp: () => null, vjp: () => [] },
  },
} satisfies Record<string, OpDef>;
