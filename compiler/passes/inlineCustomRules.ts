/**
 * Replaces each `custom` node by its rule's primal graph. Runs only in the
 * last optimization before emission (`inlineCustomRules: true`), once
 * differentiation is done, so the derivatives use the user's rules and the
 * emitter sees ordinary ops only.
 */
import { customRuleOf, primalOf } from '../ir/customRule.ts';
import type { Program } from '../ir/program.ts';
import { rewriteProgram } from './rewrite.ts';
import type { RewriteResult } from './rewrite.ts';

export function inlineCustomRules(prog: Program): RewriteResult {
  return rewriteProgram(prog, [
    {
      name: 'custom(args) → its primal graph',
      exactness: 'exact',
      apply: (node) => (node.op === 'custom' ? primalOf(customRuleOf(node.attrs['rule'] as string), node.inputs) : null),
    },
  ]);
}
