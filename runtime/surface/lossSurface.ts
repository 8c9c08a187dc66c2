// The loss evaluated off the training path: along the segment between two parameter
// vectors (Goodfellow, Vinyals & Saxe 2015, "Qualitatively characterizing neural network
// optimization problems"), and on a plane through a point spanned by two directions
// (Li et al. 2018), with an optimizer's trajectory projected onto that plane.
export type ValueFunction = (x: Float64Array) => number;

export interface LossLine {
  /** θ(α) = (1 − α)·from + α·to at each α. */
  readonly alphas: Float64Array;
  readonly losses: Float64Array;
}

export interface LineOptions {
  /** The α range. Default [−0.25, 1.25]: a little beyond both ends. */
  readonly range?: readonly [number, number];
  /** Points, ends included. Default 61. */
  readonly points?: number;
}

function grid(range: readonly [number, number], points: number, what: string): Float64Array {
  if (!Number.isInteger(points) || points < 2) throw new RangeError(`${what}: points must be an integer of at least 2, not ${points}.`);
  const [lo, hi] = range;
  if (!(Number.isFinite(lo) && Number.isFinite(hi) && lo < hi)) throw new RangeError(`${what}: the range must be two finite numbers in increasing order, not [${lo}, ${hi}].`);
  return Float64Array.from({ length: points }, (_, i) => lo + ((hi - lo) * i) / (points - 1));
}

function sameLength(what: string, arrays: Record<string, Float64Array>): number {
  const entries = Object.entries(arrays);
  const n = entries[0]![1].length;
  for (const [name, a] of entries) {
    if (a.length !== n) throw new RangeError(`${what}: ${name} has ${a.length} elements, but ${entries[0]![0]} has ${n}.`);
  }
  return n;
}

/** The loss along the line through `from` (α = 0) and `to` (α = 1). */
export function lossAlongLine(value: ValueFunction, from: Float64Array, to: Float64Array, options: LineOptions = {}): LossLine {
  const n = sameLength('lossAlongLine', { from, to });
  const alphas = grid(options.range ?? [-0.25, 1.25], options.points ?? 61, 'lossAlongLine');
  const x = new Float64Array(n);
  const losses = alphas.map((a) => {
    for (let i = 0; i < n; i++) x[i] = (1 - a) * from[i]! + a * to[i]!;
    return value(x);
  });
  return { alphas, losses };
}

export interface LossSurface {
  /** Coordinates along the first direction (columns). */
  readonly xs: Float64Array;
  /** Coordinates along the second direction (rows). */
  readonly ys: Float64Array;
  /** losses[r · xs.length + c] = f(center + xs[c]·d1 + ys[r]·d2). */
  readonly losses: Float64Array;
}

export interface SurfaceOptions {
  /** Coordinate range along each direction. Default [−1, 1]. */
  readonly range?: readonly [number, number];
  /** Range along the second direction, when it differs. Default `range`. */
  readonly yRange?: readonly [number, number];
  /** Grid points along each direction, ends included. Default 41. */
  readonly resolution?: number;
}

/** The loss on the plane center + a·d1 + b·d2, on a regular grid of (a, b). */
export function lossSurface(value: ValueFunction, center: Float64Array, d1: Float64Array, d2: Float64Array, options: SurfaceOptions = {}): LossSurface {
  const n = sameLength('lossSurface', { center, d1, d2 });
  const range = options.range ?? [-1, 1];
  const xs = grid(range, options.resolution ?? 41, 'lossSurface');
  const ys = grid(options.yRange ?? range, options.resolution ?? 41, 'lossSurface');
  const losses = new Float64Array(xs.length * ys.length);
  const x = new Float64Array(n);
  for (let r = 0; r < ys.length; r++) {
    for (let c = 0; c < xs.length; c++) {
      for (let i = 0; i < n; i++) x[i] = center[i]! + xs[c]! * d1[i]! + ys[r]! * d2[i]!;
      losses[r * xs.length + c] = value(x);
    }
  }
  return { xs, ys, losses };
}

/**
 * Coordinates (a, b) of each point's projection onto the plane center + a·d1 + b·d2:
 * the least-squares solution of a·d1 + b·d2 ≈ point − center (d1 and d2 need not be
 * orthogonal, random directions seldom are exactly).
 */
export function projectOntoPlane(points: readonly Float64Array[], center: Float64Array, d1: Float64Array, d2: Float64Array): [number, number][] {
  const n = sameLength('projectOntoPlane', { center, d1, d2 });
  let g11 = 0;
  let g12 = 0;
  let g22 = 0;
  for (let i = 0; i < n; i++) {
    g11 += d1[i]! * d1[i]!;
    g12 += d1[i]! * d2[i]!;
    g22 += d2[i]! * d2[i]!;
  }
  const det = g11 * g22 - g12 * g12;
  if (!(det > 1e-14 * g11 * g22)) throw new RangeError('projectOntoPlane: the two directions are (nearly) parallel, so they span no plane.');
  return points.map((p, k) => {
    if (p.length !== n) throw new RangeError(`projectOntoPlane: point ${k} has ${p.length} elements, but the center has ${n}.`);
    let r1 = 0;
    let r2 = 0;
    for (let i = 0; i < n; i++) {
      const e = p[i]! - center[i]!;
      r1 += e * d1[i]!;
      r2 += e * d2[i]!;
    }
    return [(g22 * r1 - g12 * r2) / det, (g11 * r2 - g12 * r1) / det];
  });
}
