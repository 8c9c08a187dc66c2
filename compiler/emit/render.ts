/**
 * Renders a node as an expression in TypeScript or math syntax, adding only
 * the parentheses precedence requires. Operands of the same precedence on the
 * right keep their parentheses even for + and *, since IEEE addition and
 * multiplication are not associative: the text must say what is computed.
 */
import type { Node } from '../ir/node.ts';
import { OP_TABLE } from '../ir/opTable.ts';
import { PREC } from '../ir/syntax.ts';
import type { Form } from '../ir/syntax.ts';

export type Target = 'ts' | 'math';

export interface Rendered {
  readonly text: string;
  readonly prec: number;
}

const atom = (text: string): Rendered => ({ text, prec: PREC.atom });
const unaryPrec = (target: Target) => (target === 'ts' ? PREC.tsUnary : PREC.mathUnary);

export function renderNumber(value: number, dtype: Node['dtype'], target: Target): Rendered {
  if (dtype === 'bool') return atom(value !== 0 ? 'true' : 'false');
  if (Number.isNaN(value)) return atom('NaN');
  if (value === Infinity) return atom('Infinity');
  if (value === -Infinity) return { text: '-Infinity', prec: unaryPrec(target) };
  const text = Object.is(value, -0) ? '-0' : String(value);
  return text.startsWith('-') ? { text, prec: unaryPrec(target) } : atom(text);
}

const paren = (r: Rendered, needed: boolean): string => (needed ? `(${r.text})` : r.text);

export function applyForm(form: Form, args: readonly Rendered[], target: Target): Rendered {
  switch (form.kind) {
    case 'call':
      return atom(`${form.name}(${[...args.map((a) => a.text), ...(form.trailing ?? [])].join(', ')})`);
    case 'prefix': {
      const [a] = args;
      // `- -x` must not print as `--x`, the decrement operator.
      const clash = /^[-+]/.test(a!.text) && /[-+]$/.test(form.symbol);
      return { text: `${form.symbol}${paren(a!, a!.prec < form.prec || clash)}`, prec: form.prec };
    }
    case 'infix': {
      const [a, b] = args;
      const p = form.prec;
      // In TypeScript the left operand of ** may not be a unary expression.
      const leftLimit = form.symbol === '**' ? Math.max(p, unaryPrec(target)) : p;
      const leftParen = form.assoc === 'left' ? a!.prec < p : a!.prec <= leftLimit;
      const rightParen = form.assoc === 'left' ? b!.prec <= p : b!.prec < p;
      return { text: `${paren(a!, leftParen)} ${form.symbol} ${paren(b!, rightParen)}`, prec: p };
    }
    case 'ternary': {
      const [c, a, b] = args;
      const p = PREC.ternary;
      return { text: `${paren(c!, c!.prec <= p)} ? ${paren(a!, a!.prec < p)} : ${paren(b!, b!.prec < p)}`, prec: p };
    }
  }
}

/**
 * Renders `node`; operands for which `bound` returns a name are referred to by
 * that name instead of being expanded. Operands first on an explicit stack, each
 * node once (a subtree shared n times is rendered once and its text reused), so
 * expressions thousands deep do not recurse.
 *
 * `maxLength` bounds the work on huge expressions (a shared subtree expanded at
 * every use doubles with each level): a text longer than that is cut to
 * maxLength + 1 characters, so the result is exact when it fits, and otherwise
 * longer than maxLength with its first maxLength characters exact.
 */
export function renderNode(
  node: Node,
  target: Target,
  bound: (node: Node) => string | undefined,
  maxLength = Infinity,
): Rendered {
  const done = new Map<Node, Rendered>();
  const pending: Node[] = [node];
  while (pending.length > 0) {
    const n = pending[pending.length - 1]!;
    if (done.has(n)) {
      pending.pop();
      continue;
    }
    const leaf = renderLeaf(n, target, bound);
    if (leaf === null) {
      const open = n.inputs.filter((m) => !done.has(m));
      if (open.length > 0) {
        pending.push(...open);
        continue;
      }
    }
    pending.pop();
    const r = leaf ?? applyForm(OP_TABLE[n.op as Exclude<Node['op'], 'const' | 'input'>].syntax[target], n.inputs.map((m) => done.get(m)!), target);
    done.set(n, r.text.length > maxLength ? { text: r.text.slice(0, maxLength + 1), prec: r.prec } : r);
  }
  return done.get(node)!;
}

/** A bound name, a number or an input; null for a node rendered from its operands. */
function renderLeaf(node: Node, target: Target, bound: (node: Node) => string | undefined): Rendered | null {
  const name = bound(node);
  if (name !== undefined) return atom(name);
  if (node.op === 'const') return renderNumber(node.value, node.dtype, target);
  if (node.op === 'input') return atom(node.name);
  return null;
}

/**
 * A whole expression in math syntax, every shared subtree expanded; with
 * `maxLength`, exact up to that many characters (see renderNode).
 */
export function toMathText(node: Node, maxLength = Infinity): string {
  return renderNode(node, 'math', () => undefined, maxLength).text;
}
