/**
 * From named user values to the positional arguments of a generated
 * module's functions: each of the function's inputs in declaration order
 * (scalars as numbers, tensors as flat row-major Float64Arrays, shapes
 * checked and named sizes bound from the values), then the sizes the
 * module takes as arguments because no single array determines them.
 */
import { UsageError } from '../errors.ts';
import type { InputNode } from '../ir/node.ts';
import type { Tensor } from '../ir/tensor.ts';
import { kernelArgument } from './kernelArgs.ts';
import type { TensorValue } from './kernelArgs.ts';

/** A function of the loaded module; generated code takes numbers and Float64Arrays (the loader types exports as unknown). */
export type Kernel = (...args: (number | Float64Array)[]) => unknown;

/** A data value: a number, (nested) arrays, a flat Float64Array, or a tensor with its shape. */
export type DataValue = TensorValue | Tensor;

export interface BoundData {
  /** Values converted for the generated functions, by input. */
  readonly values: ReadonlyMap<InputNode, number | Float64Array>;
  /** Named sizes bound from the data. */
  readonly sizes: ReadonlyMap<string, number>;
}

const isTensor = (v: DataValue): v is Tensor => typeof v === 'object' && 'shape' in v && 'data' in v;

/** A tensor's data, after checking its shape against the input's and binding named sizes. */
function tensorArgument(node: InputNode, t: Tensor, sizes: Map<string, number>): number | Float64Array {
  if (t.shape.length !== node.shape.length) throw new UsageError(`'${node.name}' has shape [${node.shape.join(', ')}]; got rank ${t.shape.length}`);
  node.shape.forEach((d, i) => {
    const actual = t.shape[i]!;
    const want = typeof d === 'number' ? d : sizes.get(d);
    if (want !== undefined && want !== actual) throw new UsageError(`'${node.name}': axis ${i} has ${actual} entries, expected ${want}`);
    if (typeof d === 'string') sizes.set(d, actual);
  });
  return node.shape.length === 0 ? t.data[0]! : t.data;
}

/** Converts the values of `inputs` and binds named sizes from them. */
export function bindData(inputs: readonly InputNode[], values: Readonly<Record<string, DataValue>>): BoundData {
  const sizes = new Map<string, number>();
  const converted = new Map(
    inputs.map((node) => {
      const v = values[node.name];
      return [node, v !== undefined && isTensor(v) ? tensorArgument(node, v, sizes) : kernelArgument(node, v, sizes)];
    }),
  );
  return { values: converted, sizes };
}

/** The positional arguments: `inputs`' values in order, then each size in `sizeArguments`. */
export function positionalArguments(inputs: readonly InputNode[], sizeArguments: readonly string[], bound: BoundData): (number | Float64Array)[] {
  return [
    ...inputs.map((x) => bound.values.get(x)!),
    ...sizeArguments.map((s) => {
      const size = bound.sizes.get(s);
      if (size === undefined) throw new UsageError(`the size of '${s}' is not given by any value (pass nested arrays or a tensor with its shape)`);
      return size;
    }),
  ];
}
