/**
 * Common-subexpression elimination. Hash-consing already merges nodes that
 * are built identically; this pass also merges those that differ only in the
 * order of a commutative op's operands (x*y and y*x), by putting operands in
 * a canonical order: constants, then inputs by name, then other nodes by a
 * structural hash. The order depends only on structure, so output is
 * deterministic. Swapping operands of +, *, min, max, hypot, ==, != is exact.
 */
import { applyWith } from '../ir/build.ts';
import type { Node } from '../ir/node.ts';
import { COMMUTATIVE } from '../ir/ops.ts';
import type { Program } from '../ir/program.ts';
import { rewriteProgram } from './rewrite.ts';
import type { RewriteResult, RewriteRule } from './rewrite.ts';

/** FNV-1a over a string. */
function fnv(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

function structuralHash(node: Node, memo: Map<Node, number>): number {
  // An explicit stack, stopping at hashed nodes: graphs thousands of nodes deep do not recurse.
  const stack: Node[] = [node];
  while (stack.length > 0) {
    const n = stack[stack.length - 1]!;
    if (memo.has(n)) {
      stack.pop();
      continue;
    }
    const pending = n.inputs.filter((m) => !memo.has(m));
    if (pending.length > 0) {
      stack.push(...pending);
      continue;
    }
    stack.pop();
    memo.set(n, hashOf(n, memo));
  }
  return memo.get(node)!;
}

/** One node's hash from its operands' hashes. */
function hashOf(n: Node, memo: ReadonlyMap<Node, number>): number {
  if (n.op === 'const') return fnv(`c${Object.is(n.value, -0) ? '-0' : n.value}`);
  if (n.op === 'input') return fnv(`i${n.name}`);
  return n.inputs.reduce((acc, m) => fnv(String(memo.get(m)!), acc), fnv(n.op));
}

/** Constants lead in arithmetic (`2 * x`) and trail in tests (`x === 0`), as people write them. */
const CONSTANTS_LAST: ReadonlySet<string> = new Set(['eq', 'ne', 'and', 'or']);

function rank(node: Node, op: string): number {
  const r = node.op === 'const' ? 0 : node.op === 'input' ? 1 : 2;
  return CONSTANTS_LAST.has(op) && r === 0 ? 3 : r;
}

function canonicalRule(): RewriteRule {
  const memo = new Map<Node, number>();
  const before = (a: Node, b: Node, op: string): boolean => {
    if (rank(a, op) !== rank(b, op)) return rank(a, op) < rank(b, op);
    if (a.op === 'input' && b.op === 'input') return a.name < b.name;
    if (a.op === 'const' && b.op === 'const') return a.value < b.value;
    return structuralHash(a, memo) < structuralHash(b, memo);
  };
  return {
    name: 'a ∘ b → b ∘ a for commutative ∘ (canonical operand order)',
    exactness: 'exact',
    apply(n) {
      if (!COMMUTATIVE.has(n.op) || n.inputs.length !== 2) return null;
      const [a, b] = n.inputs as [Node, Node];
      return before(b, a, n.op) ? applyWith(n.op, [b, a], n.attrs) : null;
    },
  };
}

export function eliminateCommonSubexpressions(prog: Program): RewriteResult {
  return rewriteProgram(prog, [canonicalRule()]);
}
