// The limited memory of L-BFGS: the last m pairs (sᵢ, yᵢ) in a ring, and the
// two-loop recursion that applies the implicit inverse Hessian Hₖ to a vector
// (Nocedal & Wright, Alg. 7.4):
//
//   q ← v;  for i = k−1 … k−m:  αᵢ = ρᵢ sᵢᵀq;  q ← q − αᵢ yᵢ
//   r ← γ q,  γ = sₖ₋₁ᵀyₖ₋₁ / yₖ₋₁ᵀyₖ₋₁                           (N&W 7.20)
//   for i = k−m … k−1:  β = ρᵢ yᵢᵀr;  r ← r + (αᵢ − β) sᵢ
//
// All storage (2 m n + 2 m numbers) is allocated once.
import { curvatureIsSafe } from './bfgs.ts';
import { dot } from '../../linalg/vector.ts';

export class LbfgsMemory {
  /** Pairs stored (≤ m). */
  count = 0;
  /** Scaling γ of H₀ = γ I; 1 until the first pair. */
  gamma = 1;
  private readonly s: Float64Array;
  private readonly y: Float64Array;
  private readonly rho: Float64Array;
  private readonly alpha: Float64Array;
  /** Slot of the oldest pair. */
  private head = 0;

  constructor(readonly n: number, readonly m: number) {
    this.s = new Float64Array(m * n);
    this.y = new Float64Array(m * n);
    this.rho = new Float64Array(m);
    this.alpha = new Float64Array(m);
  }

  /** Stores (s, y), dropping the oldest pair when full; false (nothing stored) if yᵀs is not safely positive. */
  push(s: Float64Array, y: Float64Array): boolean {
    const ys = dot(y, s);
    if (!curvatureIsSafe(ys, s, y)) return false;
    const slot = (this.head + this.count) % this.m;
    if (this.count === this.m) this.head = (this.head + 1) % this.m;
    else this.count++;
    this.s.set(s, slot * this.n);
    this.y.set(y, slot * this.n);
    this.rho[slot] = 1 / ys;
    this.gamma = ys / dot(y, y);
    return true;
  }

  clear(): void {
    this.count = 0;
    this.head = 0;
    this.gamma = 1;
  }

  /** out ← Hₖ v by the two-loop recursion; `out` must not alias `v`. */
  apply(v: Float64Array, out: Float64Array): void {
    const { n, m } = this;
    out.set(v);
    for (let j = this.count - 1; j >= 0; j--) {
      const slot = (this.head + j) % m;
      const a = this.rho[slot] * this.dotAt(this.s, slot, out);
      this.alpha[slot] = a;
      this.axpyAt(-a, this.y, slot, out);
    }
    for (let i = 0; i < n; i++) out[i] *= this.gamma;
    for (let j = 0; j < this.count; j++) {
      const slot = (this.head + j) % m;
      const beta = this.rho[slot] * this.dotAt(this.y, slot, out);
      this.axpyAt(this.alpha[slot] - beta, this.s, slot, out);
    }
  }

  private dotAt(store: Float64Array, slot: number, v: Float64Array): number {
    const off = slot * this.n;
    let sum = 0;
    for (let i = 0; i < this.n; i++) sum += store[off + i] * v[i];
    return sum;
  }

  private axpyAt(a: number, store: Float64Array, slot: number, v: Float64Array): void {
    const off = slot * this.n;
    for (let i = 0; i < this.n; i++) v[i] += a * store[off + i];
  }
}
