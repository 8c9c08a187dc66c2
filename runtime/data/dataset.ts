// A data set as two flat Float64Arrays: features row-major [count, features] and
// one target per example (a class id stored as a double, or a regression value).
// Flat arrays are what the compiled kernels read, so batches are gathered by copying
// rows, never by building objects per example.

export interface Dataset {
  /** Features, row-major [count, features]. */
  readonly x: Float64Array;
  /** One target per example. */
  readonly y: Float64Array;
  readonly count: number;
  readonly features: number;
  /** Class names by class id, for classification data. */
  readonly classes?: readonly string[];
  readonly featureNames?: readonly string[];
}

/** A data set from rows of numbers and their targets. */
export function fromArrays(
  rows: readonly (readonly number[])[],
  targets: readonly number[],
  extra: Pick<Dataset, 'classes' | 'featureNames'> = {},
): Dataset {
  if (rows.length !== targets.length) {
    throw new RangeError(`fromArrays got ${rows.length} rows but ${targets.length} targets; give one target per row.`);
  }
  const features = rows[0]?.length ?? 0;
  const x = new Float64Array(rows.length * features);
  rows.forEach((row, i) => {
    if (row.length !== features) throw new RangeError(`Row ${i} has ${row.length} values but row 0 has ${features}; every row needs the same number of features.`);
    x.set(row, i * features);
  });
  return { x, y: Float64Array.from(targets), count: rows.length, features, ...extra };
}

/** The examples at `indices`, in that order, as a new data set. */
export function subset(data: Dataset, indices: ArrayLike<number>): Dataset {
  const { features } = data;
  const x = new Float64Array(indices.length * features);
  const y = new Float64Array(indices.length);
  gatherRows(data, indices, x, y);
  return { ...data, x, y, count: indices.length };
}

/** Copies the rows and targets at `indices` into the front of `xOut` and `yOut`. */
export function gatherRows(data: Dataset, indices: ArrayLike<number>, xOut: Float64Array, yOut: Float64Array): void {
  const { features, x, y } = data;
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r]!;
    if (!(i >= 0 && i < data.count)) throw new RangeError(`Example index ${i} is outside the data set (0 … ${data.count - 1}).`);
    xOut.set(x.subarray(i * features, (i + 1) * features), r * features);
    yOut[r] = y[i]!;
  }
}

/**
 * Gathers batches into buffers kept per batch size, so that a training loop
 * allocates nothing after the first batch of each size. The returned views are
 * overwritten by the next call with the same size.
 */
export class BatchGatherer {
  private readonly buffers = new Map<number, { x: Float64Array; y: Float64Array }>();
  constructor(readonly data: Dataset) {}

  gather(indices: ArrayLike<number>): { readonly x: Float64Array; readonly y: Float64Array; readonly size: number } {
    const n = indices.length;
    let b = this.buffers.get(n);
    if (b === undefined) {
      b = { x: new Float64Array(n * this.data.features), y: new Float64Array(n) };
      this.buffers.set(n, b);
    }
    gatherRows(this.data, indices, b.x, b.y);
    return { x: b.x, y: b.y, size: n };
  }
}
