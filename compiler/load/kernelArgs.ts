/**
 * From user values (numbers, nested arrays, Float64Arrays) to the arguments
 * a kernel takes: scalars as numbers, tensors as flat row-major
 * Float64Arrays, then the sizes of named dimensions, bound from the values.
 */
import { UsageError } from '../errors.ts';
import type { InputNode } from '../ir/node.ts';

export type TensorValue = number | Float64Array | readonly number[] | readonly TensorValue[];

function shapeOfNested(value: TensorValue): number[] {
  if (typeof value === 'number') return [];
  if (value instanceof Float64Array) return [value.length];
  if (value.length === 0) return [0];
  return [value.length, ...shapeOfNested(value[0] as TensorValue)];
}

function flatten(value: TensorValue, out: number[]): void {
  if (typeof value === 'number') out.push(value);
  else for (const v of value as readonly TensorValue[]) flatten(v, out);
}

/** Converts one value to what the kernel takes for `node`, binding named sizes. */
export function kernelArgument(node: InputNode, value: TensorValue | undefined, sizes: Map<string, number>): number | Float64Array {
  if (value === undefined) throw new UsageError(`no value given for variable '${node.name}'`);
  if (node.shape.length === 0) {
    if (typeof value !== 'number') throw new UsageError(`'${node.name}' is a scalar; got an array`);
    return value;
  }
  if (typeof value === 'number') throw new UsageError(`'${node.name}' has shape [${node.shape.join(', ')}]; got a number`);
  const flat = value instanceof Float64Array ? value : null;
  const shape = flat !== null && node.shape.length > 1 ? null : shapeOfNested(value);
  let expected = 1;
  node.shape.forEach((d, i) => {
    const actual = shape?.[i];
    if (typeof d === 'string') {
      if (actual === undefined) throw new UsageError(`'${node.name}': pass nested arrays to give the size of '${d}'`);
      const bound = sizes.get(d);
      if (bound !== undefined && bound !== actual) throw new UsageError(`'${node.name}': size ${actual} for '${d}', elsewhere ${bound}`);
      sizes.set(d, actual);
      expected *= actual;
    } else {
      if (actual !== undefined && actual !== d) throw new UsageError(`'${node.name}' has shape [${node.shape.join(', ')}]; axis ${i} has ${actual} entries`);
      expected *= d;
    }
  });
  const data = flat ?? Float64Array.from((() => { const out: number[] = []; flatten(value, out); return out; })());
  if (data.length !== expected) throw new UsageError(`'${node.name}' needs ${expected} values, got ${data.length}`);
  return data;
}

export function kernelArguments(inputs: readonly InputNode[], values: Readonly<Record<string, TensorValue>>, sizeNames: readonly string[]): (number | Float64Array)[] {
  const sizes = new Map<string, number>();
  const args = inputs.map((node) => kernelArgument(node, values[node.name], sizes));
  return [...args, ...sizeNames.map((s) => {
    const size = sizes.get(s);
    if (size === undefined) throw new UsageError(`the size of '${s}' is not given by any value`);
    return size;
  })];
}
