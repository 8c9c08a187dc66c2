// The rule that keeps every update within a staleness bound s when workers wait
// (stale-synchronous parallel) rather than have gradients dropped.
//
// At server version V, let the unapplied gradients (computing, arrived or held) have
// read versions r₀ ≤ r₁ ≤ … ≤ rₘ. Applied oldest first, the i-th would have staleness
// V + i − rᵢ, the least any order gives them; so all can still be applied within s
// exactly when V + i − rᵢ ≤ s for every i. The server keeps that true:
// - a worker may start (read version V, last in the order) only when at most s
//   gradients are unapplied, since it would come m + 1 = their count after V;
// - a gradient may be applied only when the others still satisfy the rule at V + 1.
// The oldest unapplied gradient always may (the others' places all move up by one as
// V does), so holding the others until it arrives never deadlocks.

/** Whether a worker may read the parameters and start, with `unapplied` gradients outstanding. */
export function mayStart(unapplied: number, bound: number): boolean {
  return unapplied <= bound;
}

/** Whether a gradient may be applied at `version` with the other unapplied gradients' read versions `others`. */
export function mayApply(version: number, others: readonly number[], bound: number): boolean {
  const sorted = [...others].sort((a, b) => a - b);
  return sorted.every((read, i) => version + 1 + i - read <= bound);
}
