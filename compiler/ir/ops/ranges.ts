/** Index vectors of a length known at compile time or bound at run time: arange and linspace. */
import { constant, mul } from '../build.ts';
import { linspace } from '../buildMatrix.ts';
import { sum } from '../buildTensor.ts';
import type { Attrs, Node } from '../node.ts';
import type { OpDef } from '../opDef.ts';
import { f64 } from '../opDef.ts';
import { ShapeError, shapeToString } from '../shape.ts';
import type { Dim } from '../shape.ts';
import { helperCall } from '../syntax.ts';
import { notElementwise } from './shapeOps.ts';

const common = (op: string) => ({ inputTypes: f64, output: 'f64' as const, evaluate: notElementwise(op), syntax: helperCall(op) });

/** The length attribute: a named size, or a whole number of at least `least`. */
function length(op: string, attrs: Attrs, least: number): Dim {
  const n = attrs['n'] as Dim;
  if (typeof n === 'number' && !(Number.isInteger(n) && n >= least)) {
    throw new ShapeError(`${op}: the length must be a whole number of at least ${least}, got ${n}`);
  }
  return n;
}

/** linspace(a, b, n)[i] = a + i·(b − a)/(n − 1), and exactly b at the end (NumPy). */
export function linspacePoints(a: number, b: number, n: number): Float64Array {
  if (!(n >= 2)) throw new RangeError(`linspace: n must be at least 2, got ${n}`);
  const out = new Float64Array(n);
  const step = (b - a) / (n - 1);
  for (let i = 0; i < n - 1; i++) out[i] = a + i * step;
  out[n - 1] = b;
  return out;
}

export const rangeOps = {
  arange: {
    ...common('arange'),
    doc: 'the integers 0, 1, …, n − 1 as a vector of length n (a literal or a named size)',
    arity: 0,
    shape: (op, _inputs, attrs) => [length(op, attrs, 0)],
    emission: { kind: 'indexVector', points: 'integers' },
    evaluateTensor: (_inputs, _attrs, out) => ({ shape: [...out], data: Float64Array.from({ length: out[0]! }, (_, i) => i) }),
    // Integers: no operand to differentiate.
    derivative: { jvp: () => null, vjp: () => [] },
  },
  linspace: {
    ...common('linspace'),
    doc: 'n evenly spaced points from a to b, both included (NumPy linspace); n ≥ 2, checked where the op runs',
    arity: 2,
    shape(op, [a, b], attrs) {
      if (a!.length !== 0 || b!.length !== 0) throw new ShapeError(`${op}: the endpoints must be numbers, got ${shapeToString(a!)} and ${shapeToString(b!)}`);
      return [length(op, attrs, 2)];
    },
    emission: { kind: 'indexVector', points: 'endpoints' },
    evaluateTensor: ([a, b], _attrs, out) => ({ shape: [...out], data: linspacePoints(a!.data[0]!, b!.data[0]!, out[0]!) }),
    // Linear in (a, b): d linspace = linspace(da, db); ā = Σ Ḡ_i (1 − t_i), b̄ = Σ Ḡ_i t_i with t = linspace(0, 1).
    derivative: {
      jvp(node, [da, db]) {
        if (da === null && db === null) return null;
        return linspace(da ?? constant(0), db ?? constant(0), node.attrs['n'] as Dim);
      },
      vjp(node, bar) {
        const n = node.attrs['n'] as Dim;
        const weigh = (from: number, to: number): Node => sum(mul(bar, linspace(constant(from), constant(to), n)));
        return [weigh(1, 0), weigh(0, 1)];
      },
    },
  },
} satisfies Record<string, OpDef>;
