// Gradient clipping by norm (Pascanu et al. 2012), as torch.nn.utils.clip_grad_norm_
// computes it:
//
//   c ← a / (‖g‖_p + ε);   g ← g · c   when c < 1
//
// ‖g‖_p is taken over every entry of every group together, for any p > 0 or p = ∞
// (max |gᵢ|). PyTorch's ε = 1e-6 keeps the division finite; with `eps: 0` this is
// exactly the textbook rule g ← g · a / ‖g‖ when ‖g‖ > a.

/** One gradient vector, or parameter groups given as views into the flat vector. */
export type GradGroups = Float64Array | readonly Float64Array[];

export interface ClipGradNormOptions {
  /** Added to the norm before dividing. Default 1e-6 (PyTorch). */
  readonly eps?: number;
  /** Throw if the norm is NaN or infinite instead of scaling by it. Default false. */
  readonly errorIfNonfinite?: boolean;
}

/** The p-norm (p > 0 or Infinity) over all groups together. */
export function gradNorm(grad: GradGroups, normType = 2): number {
  if (!(normType > 0)) throw new RangeError(`Invalid normType: ${normType}; use a number > 0 or Infinity.`);
  const groups = asGroups(grad);
  // Scale by max |gᵢ| so that gᵢ^p neither overflows nor underflows.
  let scale = 0;
  for (const g of groups) for (let i = 0; i < g.length; i++) scale = Math.max(scale, Math.abs(g[i]));
  if (normType === Infinity || scale === 0 || !Number.isFinite(scale)) return scale;
  let sum = 0;
  for (const g of groups) {
    for (let i = 0; i < g.length; i++) {
      const x = Math.abs(g[i]) / scale;
      sum += normType === 2 ? x * x : normType === 1 ? x : x ** normType;
    }
  }
  return scale * (normType === 2 ? Math.sqrt(sum) : normType === 1 ? sum : sum ** (1 / normType));
}

/**
 * Scales `grad` in place so that its p-norm is at most `maxNorm`, and returns the
 * norm it had before (PyTorch's return value).
 */
export function clipGradNorm(
  grad: GradGroups,
  maxNorm: number,
  normType = 2,
  options: ClipGradNormOptions = {},
): number {
  if (!(maxNorm >= 0)) throw new RangeError(`Invalid maxNorm: ${maxNorm}; it must be a number >= 0.`);
  const total = gradNorm(grad, normType);
  if (options.errorIfNonfinite === true && !Number.isFinite(total)) {
    throw new RangeError(
      `The total norm of order ${normType} of the gradients is ${total}, so they cannot be clipped; pass errorIfNonfinite: false to scale anyway.`,
    );
  }
  const coef = maxNorm / (total + (options.eps ?? 1e-6));
  // PyTorch multiplies by min(coef, 1); multiplying by 1 changes nothing, so skip it.
  // A NaN norm gives a NaN coef, which PyTorch's clamp passes through as well.
  if (coef < 1 || Number.isNaN(coef)) {
    for (const g of asGroups(grad)) for (let i = 0; i < g.length; i++) g[i] = g[i] * coef;
  }
  return total;
}

/** The groups as a list (one vector becomes a list of one). */
export function asGroups(grad: GradGroups): readonly Float64Array[] {
  return grad instanceof Float64Array ? [grad] : grad;
}
