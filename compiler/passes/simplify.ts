/**
 * Algebraic simplification: a table of rewrite rules, each with its identity
 * and how exact it is in IEEE arithmetic. `exact` rules always run;
 * `signOfZero` rules run unless `strictSignedZeros` is set; `unsafe` rules
 * (such as x*0 → 0, wrong for x = ±∞ or NaN, and -0 for x < 0) run only with `unsafeMath`.
 */
import { add, apply, constantLike, div, isZero, mul, neg, select, sub } from '../ir/build.ts';
import type { Node } from '../ir/node.ts';
import { isConst } from '../ir/node.ts';
import type { Program } from '../ir/program.ts';
import { rewriteProgram } from './rewrite.ts';
import type { RewriteResult, RewriteRule } from './rewrite.ts';

export interface SimplifyOptions {
  /** Keep every rewrite bit-exact, including the sign of zero results. */
  readonly strictSignedZeros?: boolean;
  /** Allow rewrites that are wrong for NaN or infinite operands. */
  readonly unsafeMath?: boolean;
}

const isOne = (n: Node) => isConst(n, 1);
const isMinusOne = (n: Node) => isConst(n, -1);
const isPlusZero = (n: Node) => isConst(n, 0);
const isNeg = (n: Node): n is Node & { inputs: readonly [Node] } => n.op === 'neg';
const operand = (n: Node, i: number): Node => n.inputs[i]!;

export const SIMPLIFY_RULES: readonly RewriteRule[] = [
  // x * 1 → x, 1 * x → x: multiplication by one is exact.
  { name: 'x * 1 → x', exactness: 'exact', apply: (n) => (n.op === 'mul' && isOne(operand(n, 1)) ? operand(n, 0) : null) },
  { name: '1 * x → x', exactness: 'exact', apply: (n) => (n.op === 'mul' && isOne(operand(n, 0)) ? operand(n, 1) : null) },
  { name: 'x / 1 → x', exactness: 'exact', apply: (n) => (n.op === 'div' && isOne(operand(n, 1)) ? operand(n, 0) : null) },
  { name: 'x * -1 → -x', exactness: 'exact', apply: (n) => (n.op === 'mul' && isMinusOne(operand(n, 1)) ? neg(operand(n, 0)) : null) },
  { name: '-1 * x → -x', exactness: 'exact', apply: (n) => (n.op === 'mul' && isMinusOne(operand(n, 0)) ? neg(operand(n, 1)) : null) },
  // x - 0 → x and x + (-0) → x hold for x = -0 too.
  { name: 'x - 0 → x', exactness: 'exact', apply: (n) => (n.op === 'sub' && isPlusZero(operand(n, 1)) ? operand(n, 0) : null) },
  { name: 'x + -0 → x', exactness: 'exact', apply: (n) => (n.op === 'add' && isConst(operand(n, 1), -0) ? operand(n, 0) : null) },
  { name: '--x → x', exactness: 'exact', apply: (n) => (n.op === 'neg' && isNeg(operand(n, 0)) ? operand(operand(n, 0), 0) : null) },
  { name: 'x - -y → x + y', exactness: 'exact', apply: (n) => (n.op === 'sub' && isNeg(operand(n, 1)) ? add(operand(n, 0), operand(operand(n, 1), 0)) : null) },
  { name: 'x + -y → x - y', exactness: 'exact', apply: (n) => (n.op === 'add' && isNeg(operand(n, 1)) ? sub(operand(n, 0), operand(operand(n, 1), 0)) : null) },
  { name: '-x + y → y - x', exactness: 'exact', apply: (n) => (n.op === 'add' && isNeg(operand(n, 0)) ? sub(operand(n, 1), operand(operand(n, 0), 0)) : null) },
  // Rounding is symmetric under negation, so signs move out of products exactly.
  { name: '-x * y → -(x * y)', exactness: 'exact', apply: (n) => (n.op === 'mul' && isNeg(operand(n, 0)) ? neg(mul(operand(operand(n, 0), 0), operand(n, 1))) : null) },
  { name: 'x * -y → -(x * y)', exactness: 'exact', apply: (n) => (n.op === 'mul' && isNeg(operand(n, 1)) ? neg(mul(operand(n, 0), operand(operand(n, 1), 0))) : null) },
  { name: '-x / y → -(x / y)', exactness: 'exact', apply: (n) => (n.op === 'div' && isNeg(operand(n, 0)) ? neg(div(operand(operand(n, 0), 0), operand(n, 1))) : null) },
  { name: 'x / -y → -(x / y)', exactness: 'exact', apply: (n) => (n.op === 'div' && isNeg(operand(n, 1)) ? neg(div(operand(n, 0), operand(operand(n, 1), 0))) : null) },
  // x * c → c * x: constants first reads as math does; IEEE multiplication commutes.
  { name: 'x * c → c * x', exactness: 'exact', apply: (n) => (n.op === 'mul' && isConst(operand(n, 1)) && !isConst(operand(n, 0)) ? mul(operand(n, 1), operand(n, 0)) : null) },
  // x + x = 2x exactly: both round the same real number once.
  { name: 'x + x → 2 * x', exactness: 'exact', apply: (n) => (n.op === 'add' && operand(n, 0) === operand(n, 1) ? mul(constantLike(2, n), operand(n, 0)) : null) },
  { name: 'x ^ 1 → x', exactness: 'exact', apply: (n) => (n.op === 'pow' && isOne(operand(n, 1)) ? operand(n, 0) : null) },
  // Math.pow(x, 0) is 1 for every x, NaN included.
  { name: 'x ^ 0 → 1', exactness: 'exact', apply: (n) => (n.op === 'pow' && isZero(operand(n, 1)) ? constantLike(1, n) : null) },
  {
    name: 'select(constant c, a, b) → a or b',
    exactness: 'exact',
    apply: (n) => {
      const c = n.op === 'select' ? operand(n, 0) : null;
      return c !== null && c.op === 'const' ? operand(n, c.value !== 0 ? 1 : 2) : null;
    },
  },
  { name: 'select(c, a, a) → a', exactness: 'exact', apply: (n) => (n.op === 'select' && operand(n, 1) === operand(n, 2) ? operand(n, 1) : null) },
  // An inner select on the same condition only ever takes one branch.
  {
    name: 'select(c, a, select(c, b, d)) → select(c, a, d)',
    exactness: 'exact',
    apply: (n) => {
      if (n.op !== 'select') return null;
      const [c, a, b] = n.inputs as [Node, Node, Node];
      if (b.op === 'select' && b.inputs[0] === c) return select(c, a, b.inputs[2]!);
      if (a.op === 'select' && a.inputs[0] === c) return select(c, a.inputs[1]!, b);
      return null;
    },
  },
  { name: 'not not c → c', exactness: 'exact', apply: (n) => (n.op === 'not' && operand(n, 0).op === 'not' ? operand(operand(n, 0), 0) : null) },
  // max(x, 0) is relu(x) bit for bit (both are Math.max(x, 0)); one spelling
  // means one derivative at the kink: relu'(0) = 0.
  { name: 'max(x, 0) → relu(x)', exactness: 'exact', apply: (n) => (n.op === 'max' && isPlusZero(operand(n, 1)) ? apply('relu', operand(n, 0)) : null) },
  { name: 'max(0, x) → relu(x)', exactness: 'exact', apply: (n) => (n.op === 'max' && isPlusZero(operand(n, 0)) ? apply('relu', operand(n, 1)) : null) },

  // Differ from the original only in the sign of a zero result.
  { name: 'x + 0 → x', exactness: 'signOfZero', apply: (n) => (n.op === 'add' && isPlusZero(operand(n, 1)) ? operand(n, 0) : null) },
  { name: '0 + x → x', exactness: 'signOfZero', apply: (n) => (n.op === 'add' && isZero(operand(n, 0)) ? operand(n, 1) : null) },
  { name: '0 - x → -x', exactness: 'signOfZero', apply: (n) => (n.op === 'sub' && isZero(operand(n, 0)) ? neg(operand(n, 1)) : null) },
  { name: '-(a - b) → b - a', exactness: 'signOfZero', apply: (n) => (n.op === 'neg' && operand(n, 0).op === 'sub' ? sub(operand(operand(n, 0), 1), operand(operand(n, 0), 0)) : null) },

  // Wrong for some inputs: x*0 is NaN for x = ±∞ or NaN and -0 for x < 0;
  // x - x is NaN for ±∞; x/x and 0/x are NaN for x = 0, ±∞ or NaN.
  { name: 'x * 0 → 0', exactness: 'unsafe', apply: (n) => (n.op === 'mul' && (isZero(operand(n, 0)) || isZero(operand(n, 1))) ? constantLike(0, n) : null) },
  { name: 'x - x → 0', exactness: 'unsafe', apply: (n) => (n.op === 'sub' && operand(n, 0) === operand(n, 1) ? constantLike(0, n) : null) },
  { name: 'x / x → 1', exactness: 'unsafe', apply: (n) => (n.op === 'div' && operand(n, 0) === operand(n, 1) ? constantLike(1, n) : null) },
  { name: '0 / x → 0', exactness: 'unsafe', apply: (n) => (n.op === 'div' && isZero(operand(n, 0)) ? constantLike(0, n) : null) },
];

export function simplifyRules(options: SimplifyOptions = {}): RewriteRule[] {
  return SIMPLIFY_RULES.filter(
    (rule) =>
      rule.exactness === 'exact' ||
      (rule.exactness === 'signOfZero' && !options.strictSignedZeros) ||
      (rule.exactness === 'unsafe' && options.unsafeMath === true),
  );
}

export function simplify(prog: Program, options: SimplifyOptions = {}): RewriteResult {
  return rewriteProgram(prog, simplifyRules(options));
}
