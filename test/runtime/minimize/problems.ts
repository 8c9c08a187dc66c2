// Test functions with gradients, Hessian-vector products and Hessians written out by
// hand, and a direct solver, so the minimizers are checked against nothing of
// their own making.
import type { DenseHessian, HessianVectorProduct, Objective } from '../../../runtime/index.ts';

/** n-D Rosenbrock: Σᵢ 100 (xᵢ₊₁ − xᵢ²)² + (1 − xᵢ)²; minimum 0 at (1, …, 1). */
export const rosenbrock: Objective = (x, g) => {
  g.fill(0);
  let f = 0;
  for (let i = 0; i < x.length - 1; i++) {
    const t = x[i + 1] - x[i] * x[i];
    const u = 1 - x[i];
    f += 100 * t * t + u * u;
    g[i] += -400 * x[i] * t - 2 * u;
    g[i + 1] += 200 * t;
  }
  return f;
};

/** Its Hessian is tridiagonal: ∂²/∂xᵢ² gets 1200xᵢ² − 400xᵢ₊₁ + 2 and 200, ∂²/∂xᵢ∂xᵢ₊₁ = −400xᵢ. */
export const rosenbrockHessian: DenseHessian = (x, h) => {
  const n = x.length;
  h.fill(0);
  for (let i = 0; i < n - 1; i++) {
    h[i * n + i] += 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
    h[(i + 1) * n + i + 1] += 200;
    h[i * n + i + 1] = -400 * x[i];
    h[(i + 1) * n + i] = -400 * x[i];
  }
};

export const rosenbrockHvp: HessianVectorProduct = (x, v, out) => {
  out.fill(0);
  for (let i = 0; i < x.length - 1; i++) {
    const hii = 1200 * x[i] * x[i] - 400 * x[i + 1] + 2;
    const hij = -400 * x[i];
    out[i] += hii * v[i] + hij * v[i + 1];
    out[i + 1] += hij * v[i] + 200 * v[i + 1];
  }
};

/** The standard start (−1.2, 1, −1.2, 1, …). */
export function rosenbrockStart(n: number): Float64Array {
  return Float64Array.from({ length: n }, (_, i) => (i % 2 === 0 ? -1.2 : 1));
}

/** Beale: Σ rₖ² with r = (1.5 − x + xy, 2.25 − x + xy², 2.625 − x + xy³); minimum 0 at (3, 0.5). */
function bealeResiduals(x: number, y: number): { r: number[]; rx: number[]; ry: number[]; rxy: number[]; ryy: number[] } {
  return {
    r: [1.5 - x + x * y, 2.25 - x + x * y * y, 2.625 - x + x * y ** 3],
    rx: [y - 1, y * y - 1, y ** 3 - 1],
    ry: [x, 2 * x * y, 3 * x * y * y],
    rxy: [1, 2 * y, 3 * y * y],
    ryy: [0, 2 * x, 6 * x * y],
  };
}

export const beale: Objective = (p, g) => {
  const { r, rx, ry } = bealeResiduals(p[0], p[1]);
  g[0] = 2 * (r[0] * rx[0] + r[1] * rx[1] + r[2] * rx[2]);
  g[1] = 2 * (r[0] * ry[0] + r[1] * ry[1] + r[2] * ry[2]);
  return r[0] ** 2 + r[1] ** 2 + r[2] ** 2;
};

/** ∇²f = 2 Σ (∇rₖ∇rₖᵀ + rₖ∇²rₖ); ∂²rₖ/∂x² = 0. */
export const bealeHessian: DenseHessian = (p, h) => {
  const { r, rx, ry, rxy, ryy } = bealeResiduals(p[0], p[1]);
  let hxx = 0;
  let hxy = 0;
  let hyy = 0;
  for (let k = 0; k < 3; k++) {
    hxx += 2 * rx[k] * rx[k];
    hxy += 2 * (rx[k] * ry[k] + r[k] * rxy[k]);
    hyy += 2 * (ry[k] * ry[k] + r[k] * ryy[k]);
  }
  h.set([hxx, hxy, hxy, hyy]);
};

export const bealeHvp: HessianVectorProduct = (x, v, out) => {
  const h = new Float64Array(4);
  bealeHessian(x, h);
  out[0] = h[0] * v[0] + h[1] * v[1];
  out[1] = h[2] * v[0] + h[3] * v[1];
};

/**
 * A fixed SPD matrix A = S (MᵀM / n + I/2) S, row-major, with
 * Mₖⱼ = sin(0.37 (k + 1)(j + 2) + 0.1 k) and S = diag(10^(i/(n−1))): eigenvalues spread
 * over about [0.7, 120] (condition number ≈ 140 for n = 20, ≈ 180 for n = 200).
 */
export function spdMatrix(n: number): Float64Array {
  const m = (k: number, j: number): number => Math.sin(0.37 * (k + 1) * (j + 2) + 0.1 * k);
  const scale = (i: number): number => 10 ** (i / (n - 1));
  const a = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += m(k, i) * m(k, j);
      a[i * n + j] = scale(i) * (s / n + (i === j ? 0.5 : 0)) * scale(j);
    }
  }
  return a;
}

/** f(x) = ½xᵀAx − bᵀx with bᵢ = cos(i); ∇f = Ax − b; ∇²f = A. */
export function quadratic(n: number): { objective: Objective; hessian: DenseHessian; hvp: HessianVectorProduct; a: Float64Array; b: Float64Array } {
  const a = spdMatrix(n);
  const b = Float64Array.from({ length: n }, (_, i) => Math.cos(i));
  const matVec = (v: Float64Array, out: Float64Array): void => {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += a[i * n + j] * v[j];
      out[i] = s;
    }
  };
  const objective: Objective = (x, g) => {
    matVec(x, g);
    let f = 0;
    for (let i = 0; i < n; i++) {
      f += 0.5 * x[i] * g[i] - b[i] * x[i];
      g[i] -= b[i];
    }
    return f;
  };
  return { objective, hessian: (_x, h) => h.set(a), hvp: (_x, v, out) => matVec(v, out), a, b };
}

/** Solves A x = b by Gaussian elimination with partial pivoting (an independent direct solve). */
export function solveDense(a: Float64Array, b: Float64Array): Float64Array {
  const n = b.length;
  const m = Array.from({ length: n }, (_, i) => [...a.subarray(i * n, (i + 1) * n), b[i]]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(m[r]![c]!) > Math.abs(m[p]![c]!)) p = r;
    [m[c], m[p]] = [m[p]!, m[c]!];
    for (let r = c + 1; r < n; r++) {
      const factor = m[r]![c]! / m[c]![c]!;
      for (let k = c; k <= n; k++) m[r]![k]! -= factor * m[c]![k]!;
    }
  }
  const x = new Float64Array(n);
  for (let r = n - 1; r >= 0; r--) {
    let s = m[r]![n]!;
    for (let k = r + 1; k < n; k++) s -= m[r]![k]! * x[k];
    x[r] = s / m[r]![r]!;
  }
  return x;
}

/** max |aᵢ − bᵢ|. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
