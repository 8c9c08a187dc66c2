// Extreme eigenpairs of a symmetric operator known only through products H·v (the
// compiled Hessian-vector product), by the Lanczos iteration with full
// reorthogonalization (Golub & Van Loan, Matrix Computations, §10.1): m steps build an
// orthonormal Krylov basis Q and the tridiagonal T = QᵀHQ; the eigenpairs of T (dense
// Jacobi, symmetricEigen.ts) give Ritz pairs (θ, Qs) whose extreme ones converge first.
// Reorthogonalizing against every earlier vector costs O(m²n) but keeps Q orthonormal,
// so no ghost copies of converged eigenvalues appear. Memory: m vectors of n; k runs
// of m products for k pairs.
import { SeededRng } from '../random/seededRng.ts';
import { symmetricEigen } from './symmetricEigen.ts';
import { dot } from './vector.ts';

export type OperatorProduct = (v: Float64Array, out: Float64Array) => void;

export interface LanczosOptions {
  /** Krylov steps per pair (at most the dimension left). Default max(4k + 20, 40). */
  readonly steps?: number;
  /** Seed of the random start vector. Default 0. */
  readonly seed?: number;
  /** 'largest' (most positive first, the default) or 'magnitude' (largest |λ| first). */
  readonly which?: 'largest' | 'magnitude';
}

export interface EigenPairs {
  /** The k eigenvalue estimates, in the order asked for (fewer when the start vector spans an invariant subspace of smaller dimension). */
  readonly values: Float64Array;
  /** Their unit eigenvectors. */
  readonly vectors: readonly Float64Array[];
  /** ‖H·v − λv‖ of each pair: how far it is from an exact eigenpair. */
  readonly residuals: Float64Array;
  /** Operator products of the Krylov runs (the residual checks not counted). */
  readonly steps: number;
}

/** A unit vector of independent standard normal components. */
function randomUnitVector(n: number, rng: SeededRng): Float64Array {
  const v = Float64Array.from({ length: n }, () => rng.normal());
  const norm = Math.sqrt(dot(v, v));
  for (let i = 0; i < n; i++) v[i]! /= norm;
  return v;
}

/**
 * The k extreme eigenpairs of the symmetric n×n operator `product`. One Krylov space
 * sees a repeated eigenvalue once, so the pairs are found one at a time: each run
 * keeps its basis orthogonal to the eigenvectors already found (deflation), and finds
 * the extreme pair of the rest, a second copy of a repeated eigenvalue included.
 */
export function lanczosEigen(product: OperatorProduct, n: number, k: number, options: LanczosOptions = {}): EigenPairs {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`lanczosEigen: n must be a positive integer, not ${n}.`);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new RangeError(`lanczosEigen: k must be an integer in [1, ${n}], not ${k}.`);
  const m = options.steps ?? Math.max(4 * k + 20, 40);
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`lanczosEigen: steps must be a positive integer, not ${options.steps}.`);
  const rng = SeededRng.fromSeed(options.seed ?? 0);
  const found: Float64Array[] = [];
  const values: number[] = [];
  let steps = 0;
  while (found.length < k) {
    const run = lanczosRun(product, n, Math.min(m, n - found.length), found, rng, options.which ?? 'largest');
    steps += run.steps;
    if (run.vector === null) break;
    found.push(run.vector);
    values.push(run.value);
  }
  const w = new Float64Array(n);
  const residuals = Float64Array.from(found, (v, i) => {
    product(v, w);
    let r = 0;
    for (let t = 0; t < n; t++) r += (w[t]! - values[i]! * v[t]!) ** 2;
    return Math.sqrt(r);
  });
  return { values: Float64Array.from(values), vectors: found, residuals, steps };
}

/** w ← w with its components along every vector of each list removed, twice ("twice is enough", Parlett). */
function orthogonalize(w: Float64Array, ...lists: readonly Float64Array[][]): void {
  for (let pass = 0; pass < 2; pass++) {
    for (const list of lists) {
      for (const q of list) {
        const c = dot(w, q);
        for (let t = 0; t < w.length; t++) w[t]! -= c * q[t]!;
      }
    }
  }
}

/** One Lanczos run in the orthogonal complement of `locked`: its extreme Ritz pair, or null when the complement is empty to rounding. */
function lanczosRun(
  product: OperatorProduct,
  n: number,
  m: number,
  locked: Float64Array[],
  rng: SeededRng,
  which: 'largest' | 'magnitude',
): { value: number; vector: Float64Array | null; steps: number } {
  const start = randomUnitVector(n, rng);
  orthogonalize(start, locked);
  const startNorm = Math.sqrt(dot(start, start));
  if (!(startNorm > 1e-8)) return { value: NaN, vector: null, steps: 0 };
  const q: Float64Array[] = [start.map((x) => x / startNorm)];
  const alpha: number[] = [];
  const beta: number[] = [];
  const w = new Float64Array(n);
  let scale = 0;
  for (let j = 0; j < m; j++) {
    const qj = q[j]!;
    product(qj, w);
    const a = dot(w, qj);
    alpha.push(a);
    // Full reorthogonalization, against the eigenvectors already found too.
    orthogonalize(w, q, locked);
    const b = Math.sqrt(dot(w, w));
    scale = Math.max(scale, Math.abs(a), b);
    if (j === m - 1 || b <= 1e-12 * scale) break;
    beta.push(b);
    q.push(w.map((x) => x / b));
  }
  const steps = alpha.length;
  const t = new Float64Array(steps * steps);
  for (let i = 0; i < steps; i++) {
    t[i * steps + i] = alpha[i]!;
    if (i + 1 < steps) t[i * steps + i + 1] = t[(i + 1) * steps + i] = beta[i]!;
  }
  const theta = new Float64Array(steps);
  const s = new Float64Array(steps * steps);
  symmetricEigen(t, steps, theta, s);
  const rank = (i: number): number => (which === 'magnitude' ? Math.abs(theta[i]!) : theta[i]!);
  let best = 0;
  for (let i = 1; i < steps; i++) if (rank(i) > rank(best)) best = i;
  const v = new Float64Array(n);
  for (let i = 0; i < steps; i++) {
    const c = s[i * steps + best]!;
    const qi = q[i]!;
    for (let r = 0; r < n; r++) v[r]! += c * qi[r]!;
  }
  orthogonalize(v, locked);
  const norm = Math.sqrt(dot(v, v));
  return { value: theta[best]!, vector: v.map((x) => x / norm), steps };
}
