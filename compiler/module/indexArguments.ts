/**
 * Model arguments read as integer indices (labels of a one-hot or a
 * cross-entropy, rows of a gather): the generated wrappers check them where
 * the data is bound — each named-API call, a flat variant's construction and
 * its `setData` — so a bad label is named the moment it enters, with the
 * function it was passed to. The kernels keep their own check at the op
 * (indexCheck.ts), which also covers indices computed inside the model.
 */
import type { InputNode, Node } from '../ir/node.ts';
import { OP_TABLE } from '../ir/opTable.ts';
import { topoSort } from '../ir/program.ts';
import type { Dim } from '../ir/shape.ts';

export interface IndexArgument {
  readonly param: InputNode;
  /** Exclusive upper bound of every element. */
  readonly bound: Dim;
  /** What one element is, in messages: 'a label', 'a row index'. */
  readonly what: string;
}

const found = new WeakMap<Node, readonly IndexArgument[]>();

/** The arguments `value` reads (through reshapes) as index operands, each with its bound; one entry per argument and bound. */
export function indexArguments(value: Node): readonly IndexArgument[] {
  const known = found.get(value);
  if (known !== undefined) return known;
  const out: IndexArgument[] = [];
  for (const node of topoSort([value])) {
    if (node.op === 'const' || node.op === 'input') continue;
    const spec = OP_TABLE[node.op].indices;
    if (spec === undefined) continue;
    let source: Node = node.inputs[spec.operand]!;
    while (source.op === 'reshape' || source.op === 'stopGradient') source = source.inputs[0]!;
    if (source.op !== 'input') continue;
    const param = source;
    const bound = spec.bound(node);
    if (!out.some((a) => a.param === param && a.bound === bound)) out.push({ param, bound, what: spec.what });
  }
  found.set(value, out);
  return out;
}
