// Gradient clipping by value (torch.nn.utils.clip_grad_value_):
//
//   gᵢ ← min(a, max(b, gᵢ))
//
// with [b, a] = [−clipValue, clipValue], or any [min, max] for the asymmetric form.
// NaN entries stay NaN, as with torch.clamp.
import { asGroups, type GradGroups } from './clipGradNorm.ts';

/** Clamps every entry of `grad` in place to [−clip, clip], or to [clip.min, clip.max]. */
export function clipGradValue(grad: GradGroups, clip: number | { readonly min: number; readonly max: number }): void {
  const lo = typeof clip === 'number' ? -clip : clip.min;
  const hi = typeof clip === 'number' ? clip : clip.max;
  if (!(lo <= hi)) throw new RangeError(`Invalid clip range [${lo}, ${hi}]; the lower bound must not exceed the upper.`);
  for (const g of asGroups(grad)) for (let i = 0; i < g.length; i++) g[i] = Math.min(hi, Math.max(lo, g[i]));
}
