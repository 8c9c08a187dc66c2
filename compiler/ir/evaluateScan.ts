/**
 * Reference evaluation of a loop: the body graph evaluated step by step with
 * the reference evaluator. Gives every result of the loop at once (final
 * carries, stacked outputs, carry history, step count).
 */
import { evaluateTensors } from './evaluate.ts';
import type { Value } from './evaluate.ts';
import type { Attrs } from './node.ts';
import { bodyOf } from './scanBody.ts';
import { isBoundary, loopAttrs } from './scanNode.ts';
import type { ScanPart } from './scanNode.ts';
import { concreteShape, scalarTensor, sizeOf, zeros } from './tensor.ts';
import type { Tensor } from './tensor.ts';

const copy = (t: Tensor): Tensor => ({ shape: [...t.shape], data: t.data.slice() });

function row(t: Tensor, s: number): Tensor {
  const shape = t.shape.slice(1);
  const n = sizeOf(shape);
  return { shape, data: t.data.slice(s * n, (s + 1) * n) };
}

function setRow(t: Tensor, s: number, value: Tensor): void {
  t.data.set(value.data, s * value.data.length);
}

export function evaluateLoop(inputs: readonly Tensor[], attrs: Attrs, sizes: Readonly<Record<string, number>>): (member: Attrs) => Tensor {
  const a = loopAttrs(attrs);
  const b = bodyOf(a.body);
  const [nc, ns, nw] = [b.carries.length, b.sequences.length, b.closures.length];
  const length = typeof a.length === 'number' ? a.length : sizes[a.length]!;
  const limit = a.counted ? Math.min(length, Math.max(0, Math.round(inputs[nc + ns + nw]!.data[0]!))) : length;
  const carries = inputs.slice(0, nc).map(copy);
  const stacks = b.outputs.map((o) => zeros([length, ...concreteShape(o.shape, sizes)]));
  const history = carries.map((c) => zeros([length, ...c.shape]));
  const roots = [...(b.cond === null ? [] : [b.cond]), ...b.next, ...b.outputs];
  const bound: Record<string, Value> = {};
  b.closures.forEach((w, j) => (bound[w.name] = inputs[nc + ns + j]!));
  let count = 0;
  for (let k = 0; k < limit; k++) {
    const s = a.reverse ? limit - 1 - k : k;
    if (isBoundary(a, s, limit)) for (const z of a.zero) carries[z] = zeros(carries[z]!.shape);
    carries.forEach((c, i) => setRow(history[i]!, s, c));
    b.carries.forEach((c, i) => (bound[c.name] = carries[i]!));
    b.sequences.forEach((x, i) => (bound[x.name] = row(inputs[nc + i]!, s)));
    if (b.index !== null) bound[b.index.name] = s;
    const values = evaluateTensors(roots, bound, sizes);
    if (b.cond !== null && values.get(b.cond)!.data[0] === 0) break;
    b.outputs.forEach((o, j) => setRow(stacks[j]!, s, values.get(o)!));
    b.next.forEach((n, i) => (carries[i] = copy(values.get(n)!)));
    count++;
  }
  return (member) => {
    const index = member['index'] as number;
    switch (member['part'] as ScanPart) {
      case 'carry':
        return carries[index]!;
      case 'stack':
        return stacks[index]!;
      case 'history':
        return history[index]!;
      case 'count':
        return scalarTensor(count);
    }
  };
}
