/**
 * Integer index operands (gather's rows, scatterAdd's rows, oneHot's
 * classes) must each be an integer in [0, bound). An index outside that
 * range used to be dropped (a one-hot row of zeros: a wrong loss, silently)
 * or turned into NaN; now the reference evaluator and the emitted kernels
 * both raise a RangeError naming the argument, the position and the value:
 * `labels[7] = 3.5: a label must be an integer in [0, 3)`.
 */
import type { ApplyNode, Node } from './node.ts';
import type { IndexOperand } from './opDef.ts';
import { concreteShape } from './tensor.ts';
import type { Tensor } from './tensor.ts';

/**
 * The name a message gives the indices: the model argument they are read
 * from (through reshapes, which keep the row-major position), else the op's
 * own word for them. Eager prelude calls name their operands `$0`, `$1`, …
 * and loop bodies theirs `§…`: names that mean nothing to a user.
 */
export function indexArgumentName(node: ApplyNode, spec: IndexOperand): string {
  let source: Node = node.inputs[spec.operand]!;
  while (source.op === 'reshape' || source.op === 'stopGradient') source = source.inputs[0]!;
  const internal = (name: string) => name.startsWith('$') || name.startsWith('§');
  return source.op === 'input' && !internal(source.name) ? source.name : spec.fallbackName;
}

/** The message for index `value` at flat position `position`, as the kernels also build it. */
export function indexMessage(name: string, position: number, value: number, bound: number, spec: IndexOperand): string {
  return `${name}[${position}] = ${value}: ${spec.what} must be an integer in [0, ${bound})`;
}

export const isValidIndex = (value: number, bound: number): boolean => Number.isInteger(value) && value >= 0 && value < bound;

/** Throws a RangeError for the first index of `node` outside [0, bound). */
export function checkIndices(node: ApplyNode, spec: IndexOperand, indices: Tensor, sizes: Readonly<Record<string, number>>): void {
  const [bound] = concreteShape([spec.bound(node)], sizes) as [number];
  const bad = indices.data.findIndex((v) => !isValidIndex(v, bound));
  if (bad >= 0) throw new RangeError(indexMessage(indexArgumentName(node, spec), bad, indices.data[bad]!, bound, spec));
}
