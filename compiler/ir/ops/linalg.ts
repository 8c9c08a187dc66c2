/** Matrix products. Vector forms (matrix·vector, dot, outer) are built on matmul with reshapes. */
import { add } from '../build.ts';
import { matmul, transposeLast2 } from '../buildTensor.ts';
import type { Node } from '../node.ts';
import type { OpDef } from '../opDef.ts';
import { f64 } from '../opDef.ts';
import { ShapeError, shapeToString } from '../shape.ts';
import { helperCall } from '../syntax.ts';
import { sizeOf, zeros } from '../tensor.ts';
import { notElementwise } from './shapeOps.ts';

export const linalgOps = {
  matmul: {
    doc: 'matrix product over the last two axes, batched over equal leading axes',
    arity: 2,
    inputTypes: f64,
    output: 'f64',
    evaluate: notElementwise('matmul'),
    syntax: helperCall('matmul'),
    shape(op, [a, b]) {
      const r = a!.length;
      const ok = r >= 2 && b!.length === r && a![r - 1] === b![r - 2] && a!.slice(0, r - 2).every((d, i) => d === b![i]);
      if (!ok) throw new ShapeError(`${op}: cannot multiply ${shapeToString(a!)} by ${shapeToString(b!)}`);
      return [...a!.slice(0, r - 1), b![r - 1]!];
    },
    emission: { kind: 'matmul' },
    evaluateTensor([a, b], _attrs, out) {
      const r = out.length;
      const [m, n, k] = [out[r - 2]!, out[r - 1]!, a!.shape[r - 1]!];
      const result = zeros(out);
      const batches = sizeOf(out.slice(0, r - 2));
      for (let t = 0; t < batches; t++) {
        const [ao, bo, co] = [t * m * k, t * k * n, t * m * n];
        for (let i = 0; i < m; i++) {
          for (let j = 0; j < n; j++) {
            let s = 0;
            for (let p = 0; p < k; p++) s += a!.data[ao + i * k + p]! * b!.data[bo + p * n + j]!;
            result.data[co + i * n + j] = s;
          }
        }
      }
      return result;
    },
    // d(AB) = dA·B + A·dB;  Ā = Ḡ·Bᵀ,  B̄ = Aᵀ·Ḡ
    derivative: {
      jvp(node, [da, db]) {
        const [a, b] = node.inputs as [Node, Node];
        const left = da === null ? null : matmul(da!, b);
        const right = db === null ? null : matmul(a, db!);
        return left === null ? right : right === null ? left : add(left, right);
      },
      vjp: (node, bar) => [matmul(bar, transposeLast2(node.inputs[1]!)), matmul(transposeLast2(node.inputs[0]!), bar)],
    },
  },
} satisfies Record<string, OpDef>;
