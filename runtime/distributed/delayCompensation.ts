// Delay compensation of an asynchronous gradient g, computed at w_read and applied at
// w_now: a first-order Taylor step of the gradient, g(w_now) ≈ g + H (w_now − w_read).
// DC-ASGD (Zheng et al. 2017, "Asynchronous Stochastic Gradient Descent with Delay
// Compensation") stands in λ g⊙g for the Hessian's diagonal; with the model's compiled
// Hessian-vector product the term is H(w_read)(w_now − w_read) itself (exact when the
// loss is quadratic). These are the arithmetic; the server decides when to apply them.

/** g ← g + λ g⊙g⊙(w_now − w_read), in place. */
export function dcAsgdCorrect(g: Float64Array, wNow: Float64Array, wRead: Float64Array, lambda: number): void {
  for (let i = 0; i < g.length; i++) {
    const gi = g[i]!;
    g[i] = gi + lambda * gi * gi * (wNow[i]! - wRead[i]!);
  }
}

/** out ← w_now − w_read: the vector the Hessian-vector product is taken along. */
export function displacement(out: Float64Array, wNow: Float64Array, wRead: Float64Array): void {
  for (let i = 0; i < out.length; i++) out[i] = wNow[i]! - wRead[i]!;
}

/** g ← g + λ hd, in place (hd = H(w_read)(w_now − w_read); λ = 1 is the Taylor step itself). */
export function addCorrection(g: Float64Array, hd: Float64Array, lambda = 1): void {
  if (lambda === 1) for (let i = 0; i < g.length; i++) g[i] = g[i]! + hd[i]!;
  else for (let i = 0; i < g.length; i++) g[i] = g[i]! + lambda * hd[i]!;
}
