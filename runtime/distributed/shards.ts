// A step's examples (the indices of its units, in order) split into contiguous
// shards whose sizes differ by at most one, larger first: shard s of S over n
// examples starts at s·⌊n/S⌋ + min(s, n mod S). The split depends only on n and S,
// so every run, and one process reproducing it, cuts the batch the same way.

/** Splits steps' examples into `count` shards, reusing one buffer (no allocation once it is large enough). */
export class ShardPlanner {
  private buffer = new Int32Array(0);

  constructor(readonly count: number) {
    if (!(Number.isInteger(count) && count >= 1)) throw new RangeError(`Invalid shard count ${count}; it must be an integer >= 1.`);
  }

  /** The shards of the examples of `units`: views that stay valid until the next call. Empty shards are left out. */
  split(units: readonly { readonly indices: Int32Array }[]): Int32Array[] {
    const all = this.concatenate(units);
    return shardBounds(all.length, this.count).map(([from, to]) => all.subarray(from, to));
  }

  private concatenate(units: readonly { readonly indices: Int32Array }[]): Int32Array {
    if (units.length === 1) return units[0]!.indices;
    let n = 0;
    for (const u of units) n += u.indices.length;
    if (this.buffer.length < n) this.buffer = new Int32Array(n);
    let at = 0;
    for (const u of units) {
      this.buffer.set(u.indices, at);
      at += u.indices.length;
    }
    return this.buffer.subarray(0, n);
  }
}

/** [from, to) of each non-empty shard of n examples cut into `count`. */
export function shardBounds(n: number, count: number): [number, number][] {
  const base = Math.floor(n / count);
  const extra = n % count;
  const bounds: [number, number][] = [];
  for (let s = 0; s < count; s++) {
    const from = s * base + Math.min(s, extra);
    const to = from + base + (s < extra ? 1 : 0);
    if (to > from) bounds.push([from, to]);
  }
  return bounds;
}
