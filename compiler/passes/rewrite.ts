/**
 * The rewrite driver shared by the rule-table passes: a bottom-up walk that
 * applies the first matching rule to each node until none matches, bounded,
 * with loops detected by node identity (nodes are hash-consed, so a rewrite
 * that returns to an earlier form returns the very same node).
 */
import { withInputs } from '../ir/build.ts';
import { broadcastTo } from '../ir/buildTensor.ts';
import type { ApplyNode, Node } from '../ir/node.ts';
import { isElementwise } from '../ir/ops.ts';
import type { Program } from '../ir/program.ts';
import { mapOutputs, schedule, topoSort } from '../ir/program.ts';
import { carryName, originOf, withOrigin } from '../ir/origin.ts';
import { broadcastsTo, shapesEqual } from '../ir/shape.ts';

/**
 * How faithful a rule is to IEEE-754 double arithmetic:
 * - `exact`: same bits for every input, NaN and infinities included;
 * - `signOfZero`: same value except possibly the sign of a zero result;
 * - `stability`: changes the rounding, always towards the more accurate result;
 * - `unsafe`: wrong for some inputs (NaN, ±∞), e.g. x*0 → 0; off by default.
 */
export type Exactness = 'exact' | 'signOfZero' | 'stability' | 'unsafe';

export interface RewriteRule {
  /** The identity, e.g. `x * 1 → x`. */
  readonly name: string;
  readonly exactness: Exactness;
  readonly apply: (node: ApplyNode) => Node | null;
}

export interface RewriteNote {
  readonly rule: string;
  readonly exactness: Exactness;
  /** The node before and after, for `--explain` listings. */
  readonly before: Node;
  readonly after: Node;
}

export interface RewriteResult {
  readonly program: Program;
  readonly notes: readonly RewriteNote[];
}

/**
 * A rule's result in the place of `before`, or null when it cannot stand
 * there. Rules match on values (`isConst(c, 1)`), not shapes, so the driver
 * holds every result to the node it replaces: same element type and shape.
 * An elementwise identity still holds element by element where broadcasting
 * made the node larger than the result (`x * ones[3] → x` for a scalar x),
 * so such a result is broadcast back; any other mismatch is refused, and the
 * next rule is tried. Every rule, present or future, passes through here.
 */
export function fitResult(before: ApplyNode, after: Node): Node | null {
  if (after.dtype !== before.dtype) return null;
  if (shapesEqual(after.shape, before.shape)) return after;
  if (!isElementwise(before.op) || !broadcastsTo(after.shape, before.shape)) return null;
  return broadcastTo(after, before.shape);
}

/** Rewrites applied to one node before the driver gives up on it. */
const MAX_REWRITES_PER_NODE = 32;

export function rewriteProgram(prog: Program, rules: readonly RewriteRule[]): RewriteResult {
  const notes: RewriteNote[] = [];
  const memo = new Map<Node, Node>();

  const settle = (start: Node): Node => {
    let node = start;
    const seen = new Set<Node>([node]);
    for (let step = 0; step < MAX_REWRITES_PER_NODE; step++) {
      if (node.op === 'const' || node.op === 'input') return node;
      const current: ApplyNode = node;
      let next: Node | null = null;
      for (const rule of rules) {
        const proposed = rule.apply(current);
        next = proposed === null || proposed === current ? null : fitResult(current, proposed);
        if (next !== null) {
          notes.push({ rule: rule.name, exactness: rule.exactness, before: current, after: next });
          break;
        }
        next = null;
      }
      if (next === null) return node;
      // A rule builds new nodes above already-settled operands; settle those too.
      next = visit(next);
      if (seen.has(next)) return next;
      seen.add(next);
      node = next;
    }
    return node;
  };

  /** Rewrites `node`, whose operands are all rewritten already. */
  const visitOne = (node: Node): void => {
    if (memo.has(node)) return;
    let result: Node = node;
    if (node.op !== 'const' && node.op !== 'input') {
      const inputs = node.inputs.map((n) => memo.get(n)!);
      // A rewritten node keeps the source line of the node it replaces.
      result = withOrigin(originOf(node), () => settle(withInputs(node, inputs)));
      carryName(node, result);
    }
    memo.set(node, result);
    memo.set(result, result);
  };

  // Operands first, in the shared iterative order: a rule's result may be a
  // new chain thousands deep (hypot(hypot(…), c)), and recursing down it would
  // overflow. Only what is not rewritten yet is walked.
  const visit = (node: Node): Node => {
    if (!memo.has(node)) for (const n of topoSort([node], (m) => memo.has(m))) visitOne(n);
    return memo.get(node)!;
  };

  for (const node of schedule(prog)) visitOne(node);
  return { program: mapOutputs(prog, visit), notes };
}
