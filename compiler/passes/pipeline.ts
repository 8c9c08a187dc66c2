/**
 * The optimization pipeline: a flat list of passes, run in rounds until the
 * program stops changing (bounded). Dead code needs no pass of its own: the
 * schedule is what the outputs reach, so whatever a rewrite orphans is gone.
 */
import type { Program } from '../ir/program.ts';
import { verifyPass } from '../ir/verify.ts';
import { eliminateCommonSubexpressions } from './eliminateCommonSubexpressions.ts';
import { foldConstants } from './foldConstants.ts';
import { inlineCustomRules } from './inlineCustomRules.ts';
import { optimizeLoopBodies } from './optimizeLoopBodies.ts';
import type { RewriteNote, RewriteResult } from './rewrite.ts';
import { rewriteForStability } from './rewriteForStability.ts';
import { simplify } from './simplify.ts';
import type { SimplifyOptions } from './simplify.ts';

export interface OptimizeOptions extends SimplifyOptions {
  /** Apply the numerical stability rewrites (default true). */
  readonly stability?: boolean;
  /** Run the verifier after every pass, and check the pass kept every output's shape and type (tests turn this on). */
  readonly verifyEachPass?: boolean;
  /**
   * Replace custom-rule nodes (customDerivative) by their primal graphs. Only
   * the last optimization before emission asks for it: a program that will
   * still be differentiated must keep the nodes, or the user's rules would be
   * silently replaced by the ordinary derivative. Forgetting to inline is loud
   * instead (the emitter has no code for the node).
   */
  readonly inlineCustomRules?: boolean;
  /** Called with the program after each pass, for IR dumps. */
  readonly dump?: (passName: string, prog: Program) => void;
}

interface Pass {
  readonly name: string;
  readonly run: (prog: Program, options: OptimizeOptions) => RewriteResult;
  readonly enabled?: (options: OptimizeOptions) => boolean;
}

export const PASSES: readonly Pass[] = [
  { name: 'inlineCustomRules', run: inlineCustomRules, enabled: (o) => o.inlineCustomRules === true },
  { name: 'foldConstants', run: foldConstants },
  { name: 'rewriteForStability', run: rewriteForStability, enabled: (o) => o.stability !== false },
  { name: 'simplify', run: simplify },
  { name: 'eliminateCommonSubexpressions', run: eliminateCommonSubexpressions },
  { name: 'optimizeLoopBodies', run: optimizeLoopBodies },
];

const MAX_ROUNDS = 8;

const sameOutputs = (a: Program, b: Program): boolean =>
  a.outputs.every((o, i) => o.node === b.outputs[i]!.node);

export function optimize(prog: Program, options: OptimizeOptions = {}): RewriteResult {
  const notes: RewriteNote[] = [];
  let current = prog;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const start = current;
    for (const pass of PASSES) {
      if (pass.enabled !== undefined && !pass.enabled(options)) continue;
      const result = pass.run(current, options);
      if (options.verifyEachPass) verifyPass(current, result.program, pass.name);
      current = result.program;
      // A loop, not push(...): a pass may apply more rewrites than a call takes arguments.
      for (const note of result.notes) notes.push(note);
      options.dump?.(pass.name, current);
    }
    if (sameOutputs(start, current)) break;
  }
  return { program: current, notes };
}
