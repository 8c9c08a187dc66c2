/**
 * Calling a kernel from flat vectors: the differentiated parameters (and
 * their tangents) live in one Float64Array in the layout order, and the data
 * are bound once. Tensor parameters are passed as views into the flat vector
 * (made once per vector and cached), scalar parameters are read at each call,
 * and named sizes follow the inputs in sorted order, as the emitter declares
 * them; the output array comes last.
 */
import type { LayoutEntry } from '../ir/parameterLayout.ts';
import { topoSort } from '../ir/program.ts';
import { kernelArgument } from './kernelArgs.ts';
import type { TensorValue } from './kernelArgs.ts';
import type { InputNode, Node } from '../ir/node.ts';
import { symbolsOf } from '../emit/loops/dims.ts';
import { UsageError } from '../errors.ts';
import type { Tensor } from '../ir/tensor.ts';

/** A kernel as the loaded module exports it. */
// Generated kernels take numbers and Float64Arrays positionally; the loader types them as unknown.
export type Kernel = (...args: (number | Float64Array)[]) => unknown;

/** Views of a flat vector, one per layout entry (a number slot for scalars). */
export class FlatViews {
  private readonly cache = new WeakMap<Float64Array, Float64Array[]>();
  constructor(private readonly layout: readonly LayoutEntry[]) {}

  arg(x: Float64Array, entry: number): number | Float64Array {
    const e = this.layout[entry]!;
    if (e.shape.length === 0) return x[e.offset]!;
    let views = this.cache.get(x);
    if (views === undefined) {
      views = this.layout.map((l) => x.subarray(l.offset, l.offset + l.size));
      this.cache.set(x, views);
    }
    return views[entry]!;
  }
}

export interface BoundData {
  /** Data values converted for the kernels, by input. */
  readonly values: ReadonlyMap<InputNode, number | Float64Array>;
  /** Named sizes bound from the data. */
  readonly sizes: ReadonlyMap<string, number>;
}

/** A data value: a number, (nested) arrays, a flat Float64Array, or a tensor with its shape. */
export type DataValue = TensorValue | Tensor;

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

/** Converts the data (every input that is not a parameter) and binds named sizes from them. */
export function bindData(data: readonly InputNode[], values: Readonly<Record<string, DataValue>>): BoundData {
  const sizes = new Map<string, number>();
  const converted = new Map(
    data.map((node) => {
      const v = values[node.name];
      return [node, v !== undefined && isTensor(v) ? tensorArgument(node, v, sizes) : kernelArgument(node, v, sizes)];
    }),
  );
  return { values: converted, sizes };
}

/** The named sizes a kernel takes after its inputs: those of its parameters and of every node it computes. */
export function kernelSizeNames(params: readonly InputNode[], roots: readonly Node[]): string[] {
  return symbolsOf([...params.map((p) => p.shape), ...topoSort(roots).map((n) => n.shape)]);
}

/**
 * A caller for one kernel: `flat[k]` supplies the parameters listed in
 * `flatParams[k]` (parameters, tangents, … each laid out by `views[k]`),
 * data come from `bound`, and the result is written into `out`.
 */
export function flatCaller(
  kernel: Kernel,
  params: readonly InputNode[],
  roots: readonly Node[],
  flatParams: readonly (readonly InputNode[])[],
  views: readonly FlatViews[],
  bound: BoundData,
): (flat: readonly Float64Array[], out?: Float64Array) => unknown {
  type Slot = { readonly kind: 'flat'; readonly vector: number; readonly entry: number } | { readonly kind: 'data'; readonly value: number | Float64Array };
  const plan = params.map((p): Slot => {
    for (let k = 0; k < flatParams.length; k++) {
      const entry = flatParams[k]!.indexOf(p);
      if (entry >= 0) return { kind: 'flat', vector: k, entry };
    }
    const value = bound.values.get(p);
    if (value === undefined) throw new UsageError(`no value given for '${p.name}'`);
    return { kind: 'data', value };
  });
  const sizes = kernelSizeNames(params, roots).map((s) => {
    const size = bound.sizes.get(s);
    if (size === undefined) throw new UsageError(`the size of '${s}' is not given by any data value`);
    return size;
  });
  const args: (number | Float64Array)[] = [...plan.map(() => 0), ...sizes];
  return (flat, out) => {
    for (let i = 0; i < plan.length; i++) {
      const p = plan[i]!;
      args[i] = p.kind === 'data' ? p.value : views[p.vector]!.arg(flat[p.vector]!, p.entry);
    }
    if (out === undefined) return kernel(...args);
    args[plan.length + sizes.length] = out;
    const result = kernel(...args);
    args.length = plan.length + sizes.length;
    return result;
  };
}
