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
  const known = memo.get(node);
  if (known !== undefined) return known;
  let h: number;
  if (node.op === 'const') h = fnv(`c${Object.is(node.value, -0) ? '-0' : node.value}`);
  else if (node.op === 'input') h = fnv(`i${node.name}`);
  else h = node.inputs.reduce((acc, n) => fnv(String(structuralHash(n, memo)), acc), fnv(node.op));
  memo.set(node, h);
  return h;
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
