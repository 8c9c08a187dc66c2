/**
 * Shapes. A dimension is a number known at compile time or a named symbol
 * (such as `batch`) that becomes a kernel argument. A scalar is rank 0: `[]`.
 */
export type Dim = number | string;
export type Shape = readonly Dim[];

export const SCALAR: Shape = Object.freeze([]);

export class ShapeError extends Error {
  override readonly name = 'ShapeError';
}

export function shapeToString(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function shapesEqual(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * NumPy broadcasting, aligned from the trailing axis: equal dimensions match,
 * and a literal 1 stretches. Symbols only match themselves.
 */
export function broadcastShapes(op: string, shapes: readonly Shape[]): Shape {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out: Dim[] = [];
  for (let axis = 0; axis < rank; axis++) {
    let dim: Dim = 1;
    for (const shape of shapes) {
      const d = shape[shape.length - rank + axis] ?? 1;
      if (d === 1 || d === dim) continue;
      if (dim !== 1) {
        throw new ShapeError(
          `${op}: shapes ${shapes.map(shapeToString).join(' and ')} do not broadcast`,
        );
      }
      dim = d;
    }
    out.push(dim);
  }
  return out.length === 0 ? SCALAR : out;
}

/** Whether a value of shape `from` broadcasts to exactly `to` (NumPy rules, as above). */
export function broadcastsTo(from: Shape, to: Shape): boolean {
  if (from.length > to.length) return false;
  return from.every((d, i) => d === 1 || d === to[to.length - from.length + i]);
}

/**
 * Whether two shapes hold the same number of elements, symbolically: the
 * products of their numeric dimensions agree and their symbols are the same
 * multiset (so `[batch, 6]` and `[batch, 2, 3]` do, `[batch]` and `[time]` do not).
 */
export function sameSize(a: Shape, b: Shape): boolean {
  const numeric = (s: Shape) => s.reduce<number>((p, d) => (typeof d === 'number' ? p * d : p), 1);
  const symbols = (s: Shape) => s.filter((d): d is string => typeof d === 'string').sort().join(',');
  return numeric(a) === numeric(b) && symbols(a) === symbols(b);
}

/**
 * Axes `axes` of a tensor of rank `rank` (negative ones counting from the
 * end), resolved and sorted; a ShapeError for an axis that is not an
 * integer, is out of range, or is listed twice (as NumPy and PyTorch refuse
 * `sum(x, (1, 1))`), since each would otherwise give a wrong shape silently.
 */
export function resolveAxes(op: string, axes: readonly unknown[], rank: number): number[] {
  const seen = new Map<number, unknown>();
  for (const axis of axes) {
    if (typeof axis !== 'number' || !Number.isInteger(axis)) {
      throw new ShapeError(`${op}: axis ${String(axis)} is not an integer; axes are whole numbers`);
    }
    const resolved = axis < 0 ? axis + rank : axis;
    if (resolved < 0 || resolved >= rank) {
      const range = rank === 0 ? 'a scalar has no axes' : `axes run from 0 to ${rank - 1}, or -${rank} to -1 from the end`;
      throw new ShapeError(`${op}: axis ${axis} is out of range for rank ${rank} (${range})`);
    }
    if (seen.has(resolved)) {
      const first = seen.get(resolved);
      const as = first === axis ? '' : ` (as ${String(first)} and ${axis})`;
      throw new ShapeError(`${op}: axis ${resolved} is listed twice${as}; list each axis once`);
    }
    seen.set(resolved, axis);
  }
  return [...seen.keys()].sort((a, b) => a - b);
}
