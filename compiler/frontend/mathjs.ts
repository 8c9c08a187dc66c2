/**
 * The math-expression front end: the only file that imports mathjs. mathjs
 * parses; this adapter converts its node tree to IR at once and rejects
 * anything it does not support with a located message. mathjs nodes carry no
 * source positions, so names are located by finding their first occurrence.
 */
import { createRequire } from 'node:module';
import type * as MathJs from 'mathjs';
import type { MathNode } from 'mathjs';
import { apply, bool, constant, input, select } from '../ir/build.ts';
import { transpose } from '../ir/buildTensor.ts';
import { matmulAny } from './builders/nn.ts';
import { ShapeError } from '../ir/shape.ts';
import type { Shape } from '../ir/shape.ts';
import type { Node } from '../ir/node.ts';
import type { ApplyOp } from '../ir/ops.ts';
import { didYouMean, ExpressionSyntaxError, SourceError, UnknownFunctionError, UnknownVariableError, UnsupportedSyntaxError } from '../errors.ts';
import { MATH_CONSTANTS, MATH_FUNCTIONS } from './mathFunctions.ts';
import { identifierProblem } from '../emit/safeText.ts';

/**
 * mathjs, loaded on the first parse. It takes about two seconds to load here, and
 * `gradc --version`, `gradc compile` of a model file without an `expr` template and
 * an eager run of the prelude never parse a math expression. Its CommonJS build
 * loads synchronously, as the front ends run.
 */
let mathjsModule: typeof MathJs | undefined;
const mathjs = (): typeof MathJs => (mathjsModule ??= createRequire(import.meta.url)('mathjs') as typeof MathJs);

const parse = (text: string): MathNode => mathjs().parse(text);
const isConditionalNode = (n: MathNode) => mathjs().isConditionalNode(n);
const isConstantNode = (n: MathNode) => mathjs().isConstantNode(n);
const isFunctionNode = (n: MathNode) => mathjs().isFunctionNode(n);
const isOperatorNode = (n: MathNode) => mathjs().isOperatorNode(n);
const isParenthesisNode = (n: MathNode) => mathjs().isParenthesisNode(n);
const isRelationalNode = (n: MathNode) => mathjs().isRelationalNode(n);
const isSymbolNode = (n: MathNode) => mathjs().isSymbolNode(n);

export interface ParsedExpression {
  readonly output: Node;
  /** Free variables, in order of first appearance. */
  readonly variables: readonly string[];
}

export interface ParseOptions {
  /** Shown as the file in error messages. */
  readonly file?: string;
  /** If given, the only variables the expression may use. */
  readonly variables?: readonly string[];
  /** Shapes of matrix and vector variables; others are scalars. */
  readonly shapes?: Readonly<Record<string, Shape>>;
}

const OPERATORS: Readonly<Record<string, ApplyOp>> = {
  add: 'add', subtract: 'sub', multiply: 'mul', divide: 'div', pow: 'pow',
  dotMultiply: 'mul', dotDivide: 'div', dotPow: 'pow', unaryMinus: 'neg',
  larger: 'gt', smaller: 'lt', largerEq: 'ge', smallerEq: 'le', equal: 'eq', unequal: 'ne',
  and: 'and', or: 'or', not: 'not',
};
const RELATIONS: Readonly<Record<string, ApplyOp>> = {
  larger: 'gt', smaller: 'lt', largerEq: 'ge', smallerEq: 'le', equal: 'eq', unequal: 'ne',
};

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** A table entry by its own key only: `constructor` or `__proto__` must not find what every object inherits. */
const own = <T>(table: Readonly<Record<string, T>>, key: string): T | undefined => (Object.hasOwn(table, key) ? table[key] : undefined);

class Converter {
  private readonly variables: string[] = [];

  constructor(
    private readonly text: string,
    private readonly options: ParseOptions,
  ) {}

  get freeVariables(): readonly string[] {
    return this.variables;
  }

  /** 1-based column of the first occurrence of `pattern`, or 1. */
  private columnOf(pattern: RegExp): number {
    const match = pattern.exec(this.text);
    return match === null ? 1 : match.index + 1;
  }

  error<E extends SourceError>(
    Kind: new (m: string, l: SourceError['location'], s: string, h?: string) => E,
    message: string,
    column: number,
    hint?: string,
  ): E {
    // Expressions are one line in practice; a newline splits them like a file.
    const before = this.text.slice(0, column - 1).split('\n');
    const line = before.length;
    const col = before[before.length - 1]!.length + 1;
    const sourceLine = this.text.split('\n')[line - 1] ?? '';
    return new Kind(message, { file: this.options.file ?? '<expr>', line, column: col }, sourceLine, hint);
  }

  private unsupported(what: string, snippet: string, hint: string): UnsupportedSyntaxError {
    const column = this.columnOf(new RegExp(escapeRegExp(snippet.slice(0, 1))));
    return this.error(UnsupportedSyntaxError, `${what} is not supported in a differentiable expression`, column, hint);
  }

  /** Booleans used as numbers are 1 or 0, as in mathjs. */
  private asNumber(n: Node): Node {
    return n.dtype === 'bool' ? select(n, constant(1), constant(0)) : n;
  }

  /** Numbers used as conditions are true when nonzero, as in mathjs. */
  private asBool(n: Node): Node {
    return n.dtype === 'bool' ? n : apply('ne', n, constant(0));
  }

  convert(node: MathNode): Node {
    if (isParenthesisNode(node)) return this.convert(node.content);
    if (isConstantNode(node)) return this.constantNode(node.value, node);
    if (isSymbolNode(node)) return this.symbol(node.name);
    if (isOperatorNode(node)) return this.operator(node.fn, node.op, node.args);
    if (isFunctionNode(node)) return this.call(node);
    if (isConditionalNode(node)) {
      return select(
        this.asBool(this.convert(node.condition)),
        this.asNumber(this.convert(node.trueExpr)),
        this.asNumber(this.convert(node.falseExpr)),
      );
    }
    if (isRelationalNode(node)) {
      // a < b <= c means a < b and b <= c
      const operands = node.params.map((p) => this.asNumber(this.convert(p)));
      const tests = node.conditionals.map((c, i) => {
        const rel = own(RELATIONS, c);
        if (rel === undefined) throw this.unsupported(`the relation '${c}'`, node.toString(), 'Use <, <=, >, >=, == or !=.');
        return apply(rel, operands[i]!, operands[i + 1]!);
      });
      return tests.reduce((acc, t) => apply('and', acc, t));
    }
    throw this.unsupported(
      `a ${node.type.replace(/Node$/, '').toLowerCase()} expression ('${node.toString()}')`,
      node.toString(),
      'Write a single scalar expression of numbers, variables, operators and the supported functions.',
    );
  }

  private constantNode(value: unknown, node: MathNode): Node {
    if (typeof value === 'number') return constant(value);
    if (typeof value === 'boolean') return bool(value);
    // mathjs parses an empty text (or one holding only a # comment) as the constant undefined.
    if (value === undefined) throw this.error(ExpressionSyntaxError, 'the expression is empty', 1, 'Write a scalar expression, e.g. x^2 + sin(y).');
    throw this.unsupported(`the constant ${node.toString()}`, node.toString(), 'Only numbers and true/false are supported.');
  }

  private symbol(name: string): Node {
    const known = own(MATH_CONSTANTS, name);
    if (known !== undefined) return constant(known);
    const allowed = this.options.variables;
    const problem = identifierProblem(name);
    if (problem !== undefined) {
      const column = this.columnOf(new RegExp(`(?<![\\w$])${escapeRegExp(name)}(?![\\w$])`));
      throw this.error(UnsupportedSyntaxError, `the variable name is not usable: ${problem}`, column, 'Rename the variable to a plain name such as x, y or theta1.');
    }
    if (allowed !== undefined && !allowed.includes(name)) {
      const column = this.columnOf(new RegExp(`(?<![\\w$])${escapeRegExp(name)}(?![\\w$])`));
      throw this.error(
        UnknownVariableError,
        `undefined variable '${name}'${didYouMean(name, [...allowed, ...Object.keys(MATH_CONSTANTS)])}`,
        column,
        `Defined variables: ${allowed.join(', ') || '(none)'}. Constants: ${Object.keys(MATH_CONSTANTS).join(', ')}.`,
      );
    }
    if (!this.variables.includes(name)) this.variables.push(name);
    const shape = this.options.shapes === undefined ? undefined : own(this.options.shapes, name);
    for (const d of shape ?? []) {
      const dimProblem = typeof d === 'string' ? identifierProblem(d) : !(Number.isInteger(d) && d >= 0) ? `${d} is not a whole number ≥ 0` : undefined;
      if (dimProblem !== undefined) {
        const column = this.columnOf(new RegExp(`(?<![\\w$])${escapeRegExp(name)}(?![\\w$])`));
        const what = typeof d === 'string' ? 'named size' : 'size';
        throw this.error(UnsupportedSyntaxError, `the ${what} in the shape of '${name}' is not usable: ${dimProblem}`, column, "Give sizes as whole numbers such as 3, or names such as 'batch' or 'n'.");
      }
    }
    return input(name, shape);
  }

  private operator(fn: string, op: string, args: readonly MathNode[]): Node {
    if (fn === 'unaryPlus') return this.asNumber(this.convert(args[0]!));
    if (fn === 'ctranspose' || fn === 'transpose') return transpose(this.convert(args[0]!));
    const target = own(OPERATORS, fn);
    if (target === undefined) {
      throw this.unsupported(`the operator '${op}'`, op, 'Supported operators: + - * / ^ .* ./ .^ < <= > >= == != and or not ?:');
    }
    const logical = target === 'and' || target === 'or' || target === 'not';
    const operands = args.map((a) => {
      const n = this.convert(a);
      return logical ? this.asBool(n) : this.asNumber(n);
    });
    return this.located(op, () => this.matrixAware(fn, target, operands));
  }

  /** mathjs semantics for matrices: * is the matrix product, / and ^ need a scalar on the right. */
  private matrixAware(fn: string, target: ApplyOp, operands: readonly Node[]): Node {
    const [a, b] = operands;
    const tensors = operands.filter((n) => n.shape.length > 0).length;
    if (fn === 'multiply' && tensors === 2) return matmulAny(a!, b!);
    if ((fn === 'divide' || fn === 'pow') && b !== undefined && b.shape.length > 0) {
      throw new ShapeError(`'${fn === 'divide' ? '/' : '^'}' with a matrix on the right is not supported; use '${fn === 'divide' ? './' : '.^'}' for the elementwise form`);
    }
    if (fn === 'pow' && a!.shape.length > 0) throw new ShapeError("'^' of a matrix is the matrix power, which is not supported; use '.^' for the elementwise power");
    return apply(target, ...operands);
  }

  /** Runs `build`, turning a shape error into a message located at `token`. */
  private located(token: string, build: () => Node): Node {
    try {
      return build();
    } catch (e) {
      if (!(e instanceof ShapeError)) throw e;
      const column = this.columnOf(new RegExp(escapeRegExp(token)));
      throw this.error(UnsupportedSyntaxError, e.message, column);
    }
  }

  private call(node: MathNode & { fn: MathNode; args: MathNode[] }): Node {
    const name = isSymbolNode(node.fn) ? node.fn.name : node.fn.toString();
    const column = this.columnOf(new RegExp(`(?<![\\w$])${escapeRegExp(name)}\\s*\\(`));
    const fn = own(MATH_FUNCTIONS, name);
    if (fn === undefined) {
      throw this.error(
        UnknownFunctionError,
        `unknown function '${name}'${didYouMean(name, Object.keys(MATH_FUNCTIONS))}`,
        column,
        `Supported functions: ${Object.keys(MATH_FUNCTIONS).join(', ')}.`,
      );
    }
    const n = node.args.length;
    const ok = typeof fn.arity === 'number' ? n === fn.arity : n >= fn.arity.atLeast;
    if (!ok) {
      const want = typeof fn.arity === 'number' ? `${fn.arity}` : `at least ${fn.arity.atLeast}`;
      throw this.error(UnsupportedSyntaxError, `${name} takes ${want} argument(s), got ${n}`, column);
    }
    const operands = node.args.map((a) => this.asNumber(this.convert(a)));
    return this.located(name, () => fn.lower(operands));
  }
}

/** Deepest nesting of operators and calls an expression may have (x+x+…+x of 1 000 terms is 1 000 deep). */
export const MAX_EXPRESSION_DEPTH = 1000;

function nestingDepth(root: MathNode): number {
  let deepest = 0;
  const stack: [MathNode, number][] = [[root, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (deepest > MAX_EXPRESSION_DEPTH) break;
    node.forEach((child: MathNode) => stack.push([child, depth + 1]));
  }
  return deepest;
}

/** `why`: mathjs's parser ran out of stack, or the tree is deeper than gradc's own limit. */
function tooDeep(converter: Converter, why: string): SourceError {
  return converter.error(
    UnsupportedSyntaxError,
    `the expression is nested too deeply ${why}`,
    1,
    'Write long sums with sum(…) over a vector, or split the formula into a model file with named parts.',
  );
}

/**
 * `x ** 2` is JavaScript's power; in mathjs it is `*` followed by a stray `*`,
 * which mathjs reports as "Value expected". Said at the `**`, with the fix.
 */
function powerOperator(converter: Converter, column: number): SourceError {
  return converter.error(
    ExpressionSyntaxError,
    "'**' is not an operator in mathjs syntax: powers are written with '^'",
    column,
    'Write x^2 (or pow(x, 2)) for x ** 2; for matrices and vectors, .^ is the elementwise power.',
  );
}

export function parseExpression(text: string, options: ParseOptions = {}): ParsedExpression {
  const converter = new Converter(text, options);
  let tree: MathNode;
  try {
    tree = parse(text);
  } catch (e) {
    // mathjs reports a 1-based character position in `char`.
    const char = (e as { char?: unknown }).char;
    const column = typeof char === 'number' ? Math.min(char, text.length + 1) : 1;
    if (e instanceof RangeError) throw tooDeep(converter, 'for the math parser');
    // A mistake before the first `**` is reported as itself.
    const power = text.indexOf('**');
    if (power >= 0 && power < column) throw powerOperator(converter, power + 1);
    const message = e instanceof Error ? e.message.replace(/\s*\(char \d+\)$/, '') : String(e);
    throw converter.error(ExpressionSyntaxError, `syntax error: ${message}`, column);
  }
  // The converter and the IR walks after it recurse once per level: bound the depth here,
  // with an iterative walk, so a long chain is a located error and never a stack overflow.
  if (nestingDepth(tree) > MAX_EXPRESSION_DEPTH) throw tooDeep(converter, `(limit ${MAX_EXPRESSION_DEPTH} levels of operators and calls)`);
  const output = converter.convert(tree);
  if (output.shape.length > 0) {
    throw converter.error(UnsupportedSyntaxError, `the expression is a [${output.shape.join(', ')}] tensor, not a scalar`, 1, 'Reduce it to a scalar, e.g. with sum(…) or norm(…).');
  }
  if (output.dtype !== 'f64') {
    return { output: select(output, constant(1), constant(0)), variables: converter.freeVariables };
  }
  return { output, variables: converter.freeVariables };
}
