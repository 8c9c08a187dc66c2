// L-BFGS (Nocedal & Wright, Alg. 7.5): BFGS whose inverse Hessian is never formed,
// only applied by the two-loop recursion over the last m curvature pairs, with the
// scaling H₀ = (sᵀy / yᵀy) I of the newest pair (N&W 7.20). Steps come from a strong
// Wolfe line search (c₂ = 0.9), which keeps yᵀs > 0; pairs without safely positive
// yᵀs are skipped and counted. O(m n) memory and work per step.
//
// This is the minimize-style function (scipy's method='L-BFGS-B' without bounds).
// For PyTorch's torch.optim.LBFGS step(closure) semantics use the LBFGS class.
import { norm2 } from '../../linalg/vector.ts';
import { descend, type DescentKind, type DirectionRule } from './descent.ts';
import { LbfgsMemory } from './lbfgsMemory.ts';
import { lineSearchFactory, type LineSearchOptions } from './lineSearchChoice.ts';
import type { MinimizeOptions, MinimizeResult, Objective } from './types.ts';

export type LBFGSStepKind = 'quasi-newton';

export interface LBFGSMinimizeOptions extends MinimizeOptions<DescentKind<LBFGSStepKind>>, LineSearchOptions {
  /** Pairs kept, m (scipy's `maxcor`). Default 10. */
  readonly historySize?: number;
}

export interface LBFGSMinimizeResult extends MinimizeResult<DescentKind<LBFGSStepKind>> {
  readonly skippedUpdates: number;
}

/** Minimizes f from x0 by L-BFGS with a strong Wolfe line search. */
export function minimizeLBFGS(objective: Objective, x0: Float64Array, options: LBFGSMinimizeOptions = {}): LBFGSMinimizeResult {
  const m = options.historySize ?? 10;
  if (!(Number.isInteger(m) && m >= 1)) throw new RangeError(`Invalid historySize: ${m}; it must be an integer >= 1.`);
  const rule = new LBFGSRule(new LbfgsMemory(x0.length, m));
  const result = descend(objective, x0, rule, lineSearchFactory(options, { kind: 'strong-wolfe', c2: 0.9 }), options);
  return { ...result, skippedUpdates: rule.skipped };
}

class LBFGSRule implements DirectionRule<LBFGSStepKind> {
  readonly kinds = ['quasi-newton'] as const;
  skipped = 0;

  constructor(private readonly memory: LbfgsMemory) {}

  direction(_x: Float64Array, _f: number, g: Float64Array, d: Float64Array): LBFGSStepKind {
    this.memory.apply(g, d);
    for (let i = 0; i < d.length; i++) d[i] = -d[i];
    return 'quasi-newton';
  }

  /** Unit step once the memory holds curvature; before that −∇f cut to length 1. */
  initialStep(g: Float64Array): number {
    return this.memory.count === 0 ? Math.min(1, 1 / norm2(g)) : 1;
  }

  update(s: Float64Array, y: Float64Array): void {
    if (!this.memory.push(s, y)) this.skipped++;
  }

  reset(): void {
    this.memory.clear();
  }
}
