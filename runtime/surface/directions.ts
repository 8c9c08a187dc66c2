// Directions to look at a loss surface along. Random directions are drawn per
// parameter, then filter-normalized (Li, Xu, Taylor, Studer & Goldstein 2018,
// "Visualizing the Loss Landscape of Neural Nets", §4): each filter of the direction is
// rescaled to the norm of the same filter of the parameters, so a step of 1 along it
// changes every unit by its own size, and surfaces of differently scaled networks
// (or of scale-invariant ones) can be compared. A filter of a dense layer's weight
// matrix W [in, out] (as used in X·W) is one output unit's incoming weights: a column.
import { lanczosEigen } from '../linalg/lanczos.ts';
import { SeededRng } from '../random/seededRng.ts';

/** A generated module's `<f>Layout`, with shapes: where each parameter block lives in the flat vector. */
export interface ShapedLayout {
  readonly size: number;
  readonly params: readonly { readonly name: string; readonly shape: readonly number[]; readonly offset: number; readonly size: number }[];
}

export interface FilterNormalizeOptions {
  /**
   * Blocks of rank 0 or 1 (biases, scales, a linear model's weight vector): 'normalize'
   * them as one filter (the default), or 'zero' them, as Li et al. do for biases and
   * batch-norm parameters, so the surface moves the weight matrices only.
   */
  readonly vectors?: 'normalize' | 'zero';
}

/** A direction of independent standard normal components, seeded. */
export function randomDirection(n: number, seed: number): Float64Array {
  const rng = SeededRng.fromSeed(seed);
  return Float64Array.from({ length: n }, () => rng.normal());
}

/** The direction with each filter rescaled to the norm of the parameters' filter (in place; also returned). */
export function filterNormalize(direction: Float64Array, params: Float64Array, layout: ShapedLayout, options: FilterNormalizeOptions = {}): Float64Array {
  if (direction.length !== layout.size || params.length !== layout.size) {
    throw new RangeError(`filterNormalize: the direction has ${direction.length} and the parameters ${params.length} elements, but the layout has ${layout.size}.`);
  }
  for (const block of layout.params) {
    const rank = block.shape.length;
    if (rank <= 1) {
      if (options.vectors === 'zero') direction.fill(0, block.offset, block.offset + block.size);
      else rescale(direction, params, block.offset, 1, block.size);
      continue;
    }
    // Row-major [..., out]: filter j is every element whose last index is j.
    const units = block.shape[rank - 1]!;
    const fanIn = block.size / units;
    for (let j = 0; j < units; j++) rescale(direction, params, block.offset + j, units, fanIn);
  }
  return direction;
}

/** Rescales the strided filter (start, stride, count) of d to the norm of the same elements of p; a zero filter of p zeroes it. */
function rescale(d: Float64Array, p: Float64Array, start: number, stride: number, count: number): void {
  let dd = 0;
  let pp = 0;
  for (let k = 0, i = start; k < count; k++, i += stride) {
    dd += d[i]! * d[i]!;
    pp += p[i]! * p[i]!;
  }
  const factor = dd === 0 ? 0 : Math.sqrt(pp / dd);
  for (let k = 0, i = start; k < count; k++, i += stride) d[i] = factor === 0 ? 0 : d[i]! * factor;
}

/**
 * The two principal directions of a trajectory around `center` (Li et al. 2018, §7):
 * random directions in a high-dimensional space are nearly orthogonal to the path an
 * optimizer took, so its projection onto a random plane is a dot; the top two
 * eigenvectors of Σᵢ (θᵢ − c)(θᵢ − c)ᵀ span the plane the path varies most in. Found
 * by Lanczos on that operator, never formed (n × n). Also returns the fraction of the
 * path's variation (squared distance from c) each direction explains.
 */
export function trajectoryDirections(trajectory: readonly Float64Array[], center: Float64Array): { directions: [Float64Array, Float64Array]; explained: [number, number] } {
  const n = center.length;
  const diffs = trajectory.map((p, k) => {
    if (p.length !== n) throw new RangeError(`trajectoryDirections: point ${k} has ${p.length} elements, but the center has ${n}.`);
    return p.map((v, i) => v - center[i]!);
  });
  const total = diffs.reduce((s, d) => s + d.reduce((t, v) => t + v * v, 0), 0);
  if (diffs.length < 2 || !(total > 0)) throw new RangeError('trajectoryDirections: the trajectory needs at least two points away from the center.');
  const product = (v: Float64Array, out: Float64Array): void => {
    out.fill(0);
    for (const d of diffs) {
      let c = 0;
      for (let i = 0; i < n; i++) c += d[i]! * v[i]!;
      for (let i = 0; i < n; i++) out[i]! += c * d[i]!;
    }
  };
  const top = lanczosEigen(product, n, 2, { steps: Math.min(n, diffs.length + 2) });
  if (top.vectors.length < 2) throw new RangeError('trajectoryDirections: the trajectory varies along a single direction only, so it spans no plane.');
  return { directions: [top.vectors[0]!, top.vectors[1]!], explained: [top.values[0]! / total, top.values[1]! / total] };
}
