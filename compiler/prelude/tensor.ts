/**
 * The run-time tensor of the prelude: what a model file's functions receive
 * and return when it runs as plain TypeScript (the eager reference run).
 * The shape in the type is what the front end reads from annotations; the
 * shape on the value is the concrete one.
 */

/** A dimension in a type: a size known at compile time, or a name (such as 'batch') bound at run time. */
export type Dim = number | string;
export type Shape = readonly Dim[];

/**
 * Carries `S` in the type without a value. A method signature is compared
 * bivariantly, so a `Tensor<[784, 64]>` is still accepted where a `Tensor`
 * of any shape is, but not where a `Tensor<[10]>` is.
 */
export interface Tensor<S extends Shape = Shape> {
  shapeType?(shape: S): void;
}

export class Tensor<S extends Shape = Shape> {
  constructor(
    /** Concrete sizes, row-major. */
    readonly shape: readonly number[],
    readonly data: Float64Array,
    /** Comparison results are boolean tensors (stored as 0 and 1), for `where`. */
    readonly dtype: 'f64' | 'bool' = 'f64',
  ) {
    const size = shape.reduce((a, b) => a * b, 1);
    if (data.length !== size) {
      throw new RangeError(`a tensor of shape [${shape.join(', ')}] holds ${size} values, got ${data.length}`);
    }
  }

  /** The values as a (nested) array, for printing and tests. */
  toArray(): unknown {
    const nest = (offset: number, axis: number): unknown => {
      if (axis === this.shape.length) return this.data[offset];
      const stride = this.shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      return Array.from({ length: this.shape[axis]! }, (_, i) => nest(offset + i * stride, axis + 1));
    };
    return nest(0, 0);
  }
}

/** A differentiated parameter: `W: Param<Tensor<[784, 64]>>`. Unmarked parameters are data. */
export type Param<T extends Tensor | number> = T;

/** A tensor from flat row-major values, or from nested arrays whose shape is inferred. */
export function tensor<S extends Shape = Shape>(data: ArrayLike<number> | readonly unknown[], shape?: readonly number[]): Tensor<S> {
  const flat: number[] = [];
  const inferred: number[] = [];
  const walk = (v: unknown, depth: number): void => {
    if (typeof v === 'number') {
      flat.push(v);
      return;
    }
    const items = Array.from(v as ArrayLike<unknown>);
    if (inferred.length === depth) inferred.push(items.length);
    items.forEach((item) => walk(item, depth + 1));
  };
  walk(data, 0);
  return new Tensor<S>(shape ?? inferred, Float64Array.from(flat));
}
