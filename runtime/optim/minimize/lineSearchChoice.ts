// The line-search options the minimizers share, turned into a LineSearchFactory.
import { BacktrackingArmijo } from '../lineSearch/armijo.ts';
import { StrongWolfe } from '../lineSearch/strongWolfe.ts';
import type { LineSearchFactory } from './descent.ts';

export type LineSearchKind = 'strong-wolfe' | 'armijo';

export interface LineSearchOptions {
  /** Which line search to use. Defaults differ per method (see each). */
  readonly lineSearch?: LineSearchKind;
  /** Sufficient decrease constant c₁ (both searches). Default 1e-4. */
  readonly c1?: number;
  /** Curvature constant c₂ of the strong Wolfe search. Default per method: 0.9 quasi-Newton, 0.1 CG. */
  readonly c2?: number;
  /** Evaluations per line search. Default 30 strong Wolfe, 60 Armijo. */
  readonly maxLineSearchEvaluations?: number;
}

export function lineSearchFactory(options: LineSearchOptions, defaults: { kind: LineSearchKind; c2: number }): LineSearchFactory {
  const kind = options.lineSearch ?? defaults.kind;
  const c1 = options.c1 ?? 1e-4;
  const maxEvaluations = options.maxLineSearchEvaluations;
  if (kind === 'armijo') return (objective, n) => new BacktrackingArmijo(objective, n, { c1, maxEvaluations });
  const c2 = options.c2 ?? defaults.c2;
  return (objective, n) => new StrongWolfe(objective, n, { c1, c2, maxEvaluations });
}
