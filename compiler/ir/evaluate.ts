/**
 * The reference evaluator: the IR's meaning, op by op from the op table. Used
 * by constant folding and as the oracle compiled kernels are tested against;
 * never on the path that computes users' values. Elementwise ops are their
 * scalar rule broadcast over tensors; structural ops evaluate whole tensors.
 */
import type { Attrs, Node } from './node.ts';
import { checkIndices } from './indexCheck.ts';
import { isElementwise } from './ops.ts';
import { OP_TABLE } from './opTable.ts';
import type { Program } from './program.ts';
import { topoSort } from './program.ts';
import { concreteShape, forEachBroadcast, scalarTensor, sizeOf, zeros } from './tensor.ts';
import type { Tensor } from './tensor.ts';

export class EvaluationError extends Error {
  override readonly name = 'EvaluationError';
}

export type Value = number | Tensor;

/** Binds the symbolic dimensions of `node`'s declared shape to the value's sizes. */
function bindSizes(node: Node, value: Tensor, sizes: Record<string, number>, name: string): void {
  if (value.shape.length !== node.shape.length) {
    throw new EvaluationError(`input '${name}' has rank ${value.shape.length}, declared [${node.shape.join(', ')}]`);
  }
  node.shape.forEach((d, i) => {
    const actual = value.shape[i]!;
    const bound = typeof d === 'number' ? d : sizes[d];
    if (bound !== undefined && bound !== actual) {
      throw new EvaluationError(`input '${name}' has size ${actual} on axis ${i}, expected ${bound} (${d})`);
    }
    if (typeof d === 'string') sizes[d] = actual;
  });
}

const asTensor = (v: Value): Tensor => (typeof v === 'number' ? scalarTensor(v) : v);

function applyElementwise(node: Node & { op: Exclude<Node['op'], 'const' | 'input'> }, args: readonly Tensor[], out: number[]): Tensor {
  const f = OP_TABLE[node.op].evaluate;
  const result = zeros(out);
  const operands = new Array<number>(args.length);
  forEachBroadcast(out, args.map((a) => a.shape), (o, ins) => {
    for (let k = 0; k < args.length; k++) operands[k] = args[k]!.data[ins[k]!]!;
    result.data[o] = f(operands);
  });
  return result;
}

/** Values of `roots` and everything below them, as tensors (scalars are rank 0). */
export function evaluateTensors(
  roots: readonly Node[],
  inputs: Readonly<Record<string, Value>>,
  givenSizes: Readonly<Record<string, number>> = {},
): Map<Node, Tensor> {
  const sizes: Record<string, number> = { ...givenSizes };
  const values = new Map<Node, Tensor>();
  const order = topoSort(roots);
  for (const node of order) {
    if (node.op !== 'input') continue;
    const value = inputs[node.name];
    if (value === undefined) throw new EvaluationError(`no value for input '${node.name}'`);
    const t = asTensor(value);
    bindSizes(node, t, sizes, node.name);
    values.set(node, t);
  }
  // The results of one loop are evaluated together, once.
  const groups = new Map<string, (member: Attrs) => Tensor>();
  for (const node of order) {
    if (node.op === 'input') continue;
    const out = concreteShape(node.shape, sizes);
    if (node.op === 'const') {
      values.set(node, { shape: out, data: new Float64Array(sizeOf(out)).fill(node.value) });
      continue;
    }
    const args = node.inputs.map((n) => values.get(n)!);
    const def = OP_TABLE[node.op];
    if (def.group !== undefined) {
      const key = `${node.op}|${def.group.key(node)}`;
      let results = groups.get(key);
      if (results === undefined) groups.set(key, (results = def.group.evaluate(args, node.attrs, sizes)));
      values.set(node, results(node.attrs));
      continue;
    }
    if (def.indices !== undefined) checkIndices(node, def.indices, args[def.indices.operand]!, sizes);
    const result = isElementwise(node.op) ? applyElementwise(node, args, out) : def.evaluateTensor!(args, node.attrs, out, sizes);
    values.set(node, result);
  }
  return values;
}

/** Scalar values of `roots` (and everything below them), with input values by name. */
export function evaluateNodes(roots: readonly Node[], inputs: Readonly<Record<string, number>>): Map<Node, number> {
  const tensors = evaluateTensors(roots, inputs);
  const values = new Map<Node, number>();
  for (const [node, t] of tensors) {
    if (t.shape.length === 0) values.set(node, t.data[0]!);
  }
  for (const root of roots) {
    if (root.shape.length !== 0) throw new EvaluationError('evaluateNodes handles scalar roots only; use evaluateTensors');
  }
  return values;
}

/** Output values by output name. */
export function evaluateProgram(prog: Program, inputs: Readonly<Record<string, Value>>): Record<string, Tensor> {
  const values = evaluateTensors(prog.outputs.map((o) => o.node), inputs);
  return Object.fromEntries(prog.outputs.map((o) => [o.name, values.get(o.node)!]));
}
