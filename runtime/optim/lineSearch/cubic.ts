// The minimizer of the cubic that interpolates φ and φ' at two points
// (Nocedal & Wright eq. 3.59):
//
//   d₁ = φ'(a) + φ'(b) − 3 (φ(a) − φ(b)) / (a − b)
//   d₂ = sign(b − a) √(d₁² − φ'(a) φ'(b))
//   α  = b − (b − a) (φ'(b) + d₂ − d₁) / (φ'(b) − φ'(a) + 2 d₂)

/** The cubic's minimizer, or NaN when it has none (d₁² < φ'(a)φ'(b)) or data are not finite. */
export function cubicMinimizer(a: number, fa: number, sa: number, b: number, fb: number, sb: number): number {
  const d1 = sa + sb - 3 * (fa - fb) / (a - b);
  const disc = d1 * d1 - sa * sb;
  if (!(disc >= 0)) return NaN;
  const d2 = (b >= a ? 1 : -1) * Math.sqrt(disc);
  return b - (b - a) * ((sb + d2 - d1) / (sb - sa + 2 * d2));
}

/** The zero of the line through (a, φ'(a)) and (b, φ'(b)): the secant step on φ'. */
export function secantZero(a: number, sa: number, b: number, sb: number): number {
  return a - (sa * (b - a)) / (sb - sa);
}

/**
 * A trial step strictly inside the interval between `a` and `b`: the cubic's
 * minimizer clamped to keep 10% of the width from either end (so the interval
 * shrinks by at least 10% per trial), or the midpoint when the cubic has none.
 * When φ(a) and φ(b) agree to rounding the cubic would fit noise, so the secant
 * step on φ' (exact for a quadratic φ) takes its place.
 */
export function safeguardedCubic(a: number, fa: number, sa: number, b: number, fb: number, sb: number, flat = false): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  const margin = 0.1 * (hi - lo);
  const t = flat ? secantZero(a, sa, b, sb) : cubicMinimizer(a, fa, sa, b, fb, sb);
  if (!Number.isFinite(t)) return 0.5 * (lo + hi);
  return Math.min(Math.max(t, lo + margin), hi - margin);
}
