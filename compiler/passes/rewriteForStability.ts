/**
 * Numerical stability rewrites: formulas that overflow, underflow or cancel
 * are replaced by the stable primitive for the same function. They run on the
 * model before differentiation (so the derivative of log(1 + e^x) is σ(x),
 * exactly 1 at x = 800 rather than ∞/∞ = NaN) and again on derivative code.
 * Every application is reported, for `--explain`.
 */
import { apply, neg } from '../ir/build.ts';
import type { Node } from '../ir/node.ts';
import { isConst } from '../ir/node.ts';
import type { Program } from '../ir/program.ts';
import { rewriteProgram } from './rewrite.ts';
import type { RewriteResult, RewriteRule } from './rewrite.ts';

const operand = (n: Node, i: number): Node => n.inputs[i]!;

/** If `n` is 1 + u or u + 1, returns u. */
function onePlus(n: Node): Node | null {
  if (n.op !== 'add') return null;
  if (isConst(operand(n, 0), 1)) return operand(n, 1);
  if (isConst(operand(n, 1), 1)) return operand(n, 0);
  return null;
}

/**
 * The terms of a tree of additions, left to right. An explicit stack (right
 * operand pushed first), so a sum of thousands of terms neither recurses nor
 * copies its prefix at every level. Shared sums are expanded once per use
 * (s + s with s = t + t …), which doubles with each level, so past
 * MAX_ADDENDS terms the answer is null and the rule leaves the node alone.
 */
function addends(n: Node): Node[] | null {
  const terms: Node[] = [];
  const pending: Node[] = [n];
  for (let m = pending.pop(); m !== undefined; m = pending.pop()) {
    if (m.op === 'add') pending.push(operand(m, 1), operand(m, 0));
    else if (terms.push(m) > MAX_ADDENDS) return null;
  }
  return terms;
}

/** More terms than a stable rewrite gathers into one logsumexp or hypot. */
const MAX_ADDENDS = 10_000;

/** If `n` is a² or a·a, returns a. */
function squared(n: Node): Node | null {
  if (n.op === 'mul' && operand(n, 0) === operand(n, 1)) return operand(n, 0);
  if (n.op === 'pow' && isConst(operand(n, 1), 2)) return operand(n, 0);
  return null;
}

export const STABILITY_RULES: readonly RewriteRule[] = [
  {
    name: 'log(1 + exp(u)) → softplus(u)',
    exactness: 'stability',
    apply(n) {
      const u = n.op === 'log' ? onePlus(operand(n, 0)) : n.op === 'log1p' ? operand(n, 0) : null;
      return u !== null && u.op === 'exp' ? apply('softplus', operand(u, 0)) : null;
    },
  },
  {
    name: 'log(sigmoid(u)) → -softplus(-u)',
    exactness: 'stability',
    apply: (n) =>
      n.op === 'log' && operand(n, 0).op === 'sigmoid'
        ? neg(apply('softplus', neg(operand(operand(n, 0), 0))))
        : null,
  },
  {
    name: '1 / (1 + exp(-u)) → sigmoid(u)',
    exactness: 'stability',
    apply(n) {
      if (n.op !== 'div' || !isConst(operand(n, 0), 1)) return null;
      const e = onePlus(operand(n, 1));
      if (e === null || e.op !== 'exp') return null;
      const u = operand(e, 0);
      return apply('sigmoid', u.op === 'neg' ? operand(u, 0) : neg(u));
    },
  },
  {
    name: 'exp(u) / (1 + exp(u)) → sigmoid(u)',
    exactness: 'stability',
    apply(n) {
      if (n.op !== 'div' || operand(n, 0).op !== 'exp') return null;
      return onePlus(operand(n, 1)) === operand(n, 0) ? apply('sigmoid', operand(operand(n, 0), 0)) : null;
    },
  },
  {
    name: 'log(exp(a) + exp(b) + …) → logsumexp(a, b, …)',
    exactness: 'stability',
    apply(n) {
      if (n.op !== 'log' || operand(n, 0).op !== 'add') return null;
      const terms = addends(operand(n, 0));
      if (terms === null || !terms.every((t) => t.op === 'exp')) return null;
      return apply('logsumexp', ...terms.map((t) => operand(t, 0)));
    },
  },
  {
    name: 'log(1 + u) → log1p(u)',
    exactness: 'stability',
    apply(n) {
      const u = n.op === 'log' ? onePlus(operand(n, 0)) : null;
      return u === null ? null : apply('log1p', u);
    },
  },
  {
    name: 'exp(u) - 1 → expm1(u)',
    exactness: 'stability',
    apply: (n) =>
      n.op === 'sub' && operand(n, 0).op === 'exp' && isConst(operand(n, 1), 1)
        ? apply('expm1', operand(operand(n, 0), 0))
        : null,
  },
  {
    name: '-1 + exp(u) → expm1(u)',
    exactness: 'stability',
    apply: (n) =>
      n.op === 'add' && isConst(operand(n, 0), -1) && operand(n, 1).op === 'exp'
        ? apply('expm1', operand(operand(n, 1), 0))
        : null,
  },
  {
    name: 'sqrt(a^2 + b^2 + …) → hypot(a, b, …)',
    exactness: 'stability',
    apply(n) {
      if (n.op !== 'sqrt' || operand(n, 0).op !== 'add') return null;
      const bases = addends(operand(n, 0))?.map(squared) ?? [null];
      if (bases.some((b) => b === null)) return null;
      return (bases as Node[]).reduce((acc, b) => apply('hypot', acc, b));
    },
  },
];

export function rewriteForStability(prog: Program): RewriteResult {
  return rewriteProgram(prog, STABILITY_RULES);
}

