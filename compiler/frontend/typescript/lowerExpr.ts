/**
 * Lowering of model-file expressions to IR. Scalars and tensors are nodes;
 * arithmetic on compile-time constants is folded at once, so conditions and
 * loop bounds built from constants are known while lowering.
 */
import { didYouMean, SourceError } from '../../errors.ts';
import { apply, bool, constant, select } from '../../ir/build.ts';
import { dimSize, transpose } from '../../ir/buildTensor.ts';
import type { Node } from '../../ir/node.ts';
import { isElementwise } from '../../ir/ops.ts';
import type { ApplyOp } from '../../ir/ops.ts';
import { OP_TABLE } from '../../ir/opTable.ts';
import { PRELUDE_OPS, asBool, asNumber } from '../preludeOps.ts';
import type { ArgKind, ArgValue, PreludeOp, PreludeOpName } from '../preludeOps.ts';
import { expressionText, interpolationName, lowerExpression } from '../exprTemplate.ts';
import type { BinaryOp, Expr, Pos } from './ast.ts';
import { UNASSIGNED, build, fail, isList, isNode, stackedOf } from './context.ts';
import type { Context, Env, Value } from './context.ts';
import { MATH_CONSTANTS, MATH_LOWERINGS } from './mathNames.ts';
import { namespaceBinding } from './scope.ts';
import type { Binding } from './scope.ts';
import { inlineCall } from './lowerStmts.ts';

const BINARY_OPS: Partial<Record<BinaryOp, ApplyOp>> = {
  '+': 'add', '-': 'sub', '*': 'mul', '/': 'div', '**': 'pow',
  '<': 'lt', '<=': 'le', '>': 'gt', '>=': 'ge', '===': 'eq', '!==': 'ne', '==': 'eq', '!=': 'ne',
  '&&': 'and', '||': 'or',
};

/** An elementwise op of scalar constants is replaced by its value (the op table's own evaluation). */
export function fold(n: Node): Node {
  if (n.op === 'const' || n.op === 'input' || !isElementwise(n.op) || n.shape.length !== 0) return n;
  if (!n.inputs.every((i) => i.op === 'const')) return n;
  const value = OP_TABLE[n.op].evaluate(n.inputs.map((i) => (i as { value: number }).value));
  return n.dtype === 'bool' ? bool(value !== 0) : constant(value);
}

export const constantValue = (n: Node): number | null => (n.op === 'const' && n.shape.length === 0 ? n.value : null);

export function expectNode(ctx: Context, v: Value, at: Pos, what = 'a number or a tensor'): Node {
  if (isNode(v)) return v;
  fail(ctx, at, `expected ${what}, got ${isList(v) ? 'a list' : `the string '${v}'`}`, 'Lists and strings only appear as static arguments, such as shapes and axes.');
}

export function lowerExpr(ctx: Context, env: Env, e: Expr): Value {
  switch (e.kind) {
    case 'number': return constant(e.value);
    case 'boolean': return bool(e.value);
    case 'string': return e.value;
    case 'name': return lowerName(ctx, env, e.name, e.at);
    case 'member': return lowerMember(ctx, env, e);
    case 'index': {
      const list = lowerExpr(ctx, env, e.object);
      const i = constantValue(expectNode(ctx, lowerExpr(ctx, env, e.index), e.index.at));
      if (!isList(list) || i === null || !Number.isInteger(i) || list[i] === undefined) {
        fail(ctx, e.at, 'the index must be a whole number known at compile time, within the list', 'Index a shape with a constant: x.shape[0].');
      }
      return list[i]!;
    }
    case 'call': return build(ctx, e.at, () => lowerCall(ctx, env, e));
    case 'unary': {
      const x = scalarOperand(ctx, lowerExpr(ctx, env, e.operand), e.operand.at, e.op);
      if (e.op === '+') return asNumber(x);
      if (e.op === '-') return build(ctx, e.at, () => fold(apply('neg', asNumber(x))));
      return build(ctx, e.at, () => fold(apply('not', asBool(x))));
    }
    case 'binary': return lowerBinary(ctx, env, e);
    case 'conditional': {
      const test = scalarOperand(ctx, lowerExpr(ctx, env, e.test), e.test.at, '?:');
      const known = constantValue(test);
      if (known !== null) return lowerExpr(ctx, env, known !== 0 ? e.then : e.otherwise);
      const a = expectNode(ctx, lowerExpr(ctx, env, e.then), e.then.at);
      const b = expectNode(ctx, lowerExpr(ctx, env, e.otherwise), e.otherwise.at);
      return build(ctx, e.at, () => selectValues(test, a, b));
    }
    case 'array': return e.elements.map((x) => lowerExpr(ctx, env, x));
    case 'tagged': return lowerTagged(ctx, env, e);
    case 'record': case 'function': case 'unsupported':
      // The fence rejected these before lowering began.
      fail(ctx, e.at, 'unsupported expression');
  }
}

/** A data-dependent choice; booleans on both sides stay booleans. */
export function selectValues(test: Node, a: Node, b: Node): Node {
  if (a === b) return a;
  if (a.dtype === 'bool' && b.dtype === 'bool') return apply('or', apply('and', asBool(test), a), apply('and', apply('not', asBool(test)), b));
  return fold(select(asBool(test), asNumber(a), asNumber(b)));
}

function scalarOperand(ctx: Context, v: Value, at: Pos, op: string): Node {
  const n = expectNode(ctx, v, at);
  if (n.shape.length > 0) {
    fail(ctx, at, `the operator '${op}' applies to numbers, and this is a [${n.shape.join(', ')}] tensor`,
      'Use the prelude op instead: add, sub, mul, div, pow, neg, gt, … (they broadcast), or where(c, a, b) for a choice.');
  }
  return n;
}

function lowerBinary(ctx: Context, env: Env, e: Expr & { kind: 'binary' }): Value {
  const a = scalarOperand(ctx, lowerExpr(ctx, env, e.left), e.left.at, e.op);
  if (e.op === '&&' || e.op === '||') {
    // Short-circuit on a constant left side, as JavaScript would.
    const known = constantValue(a);
    if (known !== null && a.dtype === 'bool' && (known !== 0) === (e.op === '||')) return a;
  }
  const b = scalarOperand(ctx, lowerExpr(ctx, env, e.right), e.right.at, e.op);
  const op = BINARY_OPS[e.op]!;
  if (op === 'and' || op === 'or') {
    if (a.dtype !== 'bool' || b.dtype !== 'bool') {
      fail(ctx, e.at, `'${e.op}' needs booleans on both sides`, 'Compare numbers first (x > 0 && y > 0); for a choice of numbers write c ? a : b.');
    }
    return build(ctx, e.at, () => fold(apply(op, a, b)));
  }
  return build(ctx, e.at, () => fold(apply(op, asNumber(a), asNumber(b))));
}

function lowerName(ctx: Context, env: Env, name: string, at: Pos): Value {
  const v = env.get(name);
  if (v?.value === UNASSIGNED) {
    fail(ctx, at, `'${name}' is used before it is assigned on every path`, `Assign ${name} in every branch before this line, or give it an initial value.`, 'unknownVariable');
  }
  if (v !== undefined) return v.value;
  const b = ctx.scope.bindings.get(name);
  if (b?.kind === 'constant') return lowerConstant(ctx, b);
  if (name === 'NaN') return constant(NaN);
  if (name === 'Infinity') return constant(Infinity);
  if (b !== undefined) fail(ctx, at, `'${name}' is a function, not a value`, `Call it: ${name}(…).`);
  const known = [...env.keys()];
  const constants = [...ctx.scope.bindings].filter(([, c]) => c.kind === 'constant').map(([local]) => local);
  fail(ctx, at, `unknown variable '${name}'${didYouMean(name, [...known, ...constants])}`, known.length > 0 ? `Variables here: ${known.join(', ')}.` : 'Declare it with const first.', 'unknownVariable');
}

/** A module constant, lowered once in its own module's scope; it must be known at compile time. */
function lowerConstant(ctx: Context, b: Binding & { kind: 'constant' }): Value {
  const cached = ctx.constants.get(b.decl);
  if (cached !== undefined) return cached;
  const inner: Context = { ...ctx, scope: b.scope };
  if (b.decl.init === null) fail(inner, b.decl.at, `the constant '${b.decl.name}' has no value`);
  const value = lowerExpr(inner, new Map(), b.decl.init);
  if (!isStatic(value)) {
    fail(inner, b.decl.at, `the module constant '${b.decl.name}' is not known at compile time`, 'Module constants may use numbers, arithmetic, Math.* and other constants; compute values from data inside a function.');
  }
  ctx.constants.set(b.decl, value);
  return value;
}

const isStatic = (v: Value): boolean => (isNode(v) ? v.op === 'const' : isList(v) ? v.every(isStatic) : true);

function lowerMember(ctx: Context, env: Env, e: Expr & { kind: 'member' }): Value {
  const { object, property } = e;
  if (object.kind === 'name' && object.name === 'Math') {
    const c = MATH_CONSTANTS[property];
    if (c === undefined) fail(ctx, e.at, `'Math.${property}' is not a value`, `Call it: Math.${property}(…).`);
    return constant(c);
  }
  if (property === 'length') {
    const list = lowerExpr(ctx, env, object);
    if (!isList(list) || list === UNASSIGNED) fail(ctx, e.at, "'.length' is a list's; a tensor's sizes are x.shape[i]", 'Read a size from the shape: x.shape[0].');
    const stacked = stackedOf(list);
    return stacked === undefined ? constant(list.length) : build(ctx, e.at, () => dimSize(stacked.shape[0]!));
  }
  if (property !== 'shape') fail(ctx, e.at, `the property '.${property}' is not supported`);
  const x = expectNode(ctx, lowerExpr(ctx, env, object), object.at, 'a tensor');
  return build(ctx, e.at, () => x.shape.map((d) => (typeof d === 'number' ? constant(d) : dimSize(d))));
}

function lowerCall(ctx: Context, env: Env, e: Expr & { kind: 'call' }): Value {
  const { callee, args } = e;
  if (callee.kind === 'member' && callee.object.kind === 'name' && callee.object.name === 'Math') {
    return lowerMath(ctx, env, callee.property, args, e.at);
  }
  const binding = callee.kind === 'name' ? ctx.scope.bindings.get(callee.name)
    : callee.kind === 'member' && callee.object.kind === 'name' ? namespaceBinding(ctx.scope, callee.object.name, callee.property) ?? undefined
      : undefined;
  if (binding?.kind === 'op') return lowerOp(ctx, env, binding.op, args, e.at);
  if (binding?.kind === 'function') {
    const values = args.map((a) => lowerExpr(ctx, env, a));
    return inlineCall(ctx, binding, values, e.at);
  }
  fail(ctx, e.at, 'this call is not supported', undefined, 'unknownFunction');
}

function lowerMath(ctx: Context, env: Env, name: string, args: readonly Expr[], at: Pos): Node {
  const f = MATH_LOWERINGS[name];
  if (f === undefined) fail(ctx, at, `'Math.${name}' is not supported`, undefined, 'unknownFunction');
  const ok = typeof f.arity === 'number' ? args.length === f.arity : args.length >= f.arity.atLeast;
  if (!ok) fail(ctx, at, `Math.${name} takes ${typeof f.arity === 'number' ? f.arity : `at least ${f.arity.atLeast}`} argument(s), got ${args.length}`);
  const nodes = args.map((a) => asNumber(expectNode(ctx, lowerExpr(ctx, env, a), a.at)));
  return fold(f.lower(nodes));
}

/**
 * `stack(ys, axis)` of the values a loop node pushed: the loop already
 * stacked them along a leading axis, moved to `axis` if another is asked for.
 */
function stackPushed(ctx: Context, env: Env, args: readonly Expr[]): Node | null {
  if (args.length === 0) return null;
  const stacked = stackedOf(lowerExpr(ctx, env, args[0]!));
  if (stacked === undefined) return null;
  const rank = stacked.shape.length;
  const axisArg = args[1] === undefined ? 0 : argument(ctx, 'number?', lowerExpr(ctx, env, args[1]), args[1].at, 'stack');
  const axis = typeof axisArg === 'number' ? (axisArg < 0 ? axisArg + rank : axisArg) : 0;
  if (!Number.isInteger(axis) || axis < 0 || axis >= rank) fail(ctx, args[1]!.at, `stack: axis ${String(axisArg)} is out of range for the stacked rank ${rank}`);
  if (axis === 0) return stacked;
  const others = stacked.shape.map((_, i) => i).slice(1);
  return transpose(stacked, [...others.slice(0, axis), 0, ...others.slice(axis)]);
}

function lowerOp(ctx: Context, env: Env, name: PreludeOpName, args: readonly Expr[], at: Pos): Node {
  if (name === 'stack') {
    const stacked = stackPushed(ctx, env, args);
    if (stacked !== null) return stacked;
  }
  const op = PRELUDE_OPS[name];
  if (args.length > op.args.length) fail(ctx, at, `${name} takes at most ${op.args.length} argument(s), got ${args.length}`);
  const values = op.args.map((kind, i) => {
    const a = args[i];
    if (a === undefined) {
      if (kind.endsWith('?')) return undefined;
      fail(ctx, at, `${name} needs ${op.args.length > 1 ? `argument ${i + 1}` : 'an argument'} (${kind})`);
    }
    return argument(ctx, kind, lowerExpr(ctx, env, a), a.at, name);
  });
  const result = fold(op.lower(values));
  const convexIn = (op as PreludeOp).convexIn;
  if (convexIn !== undefined) {
    const outputs = values[convexIn] as Node;
    ctx.convexLosses.set(result, { op: name, outputs, loss: (z) => op.lower(values.map((v, i) => (i === convexIn ? z : v))) });
  }
  return result;
}

/** One argument of a prelude op, converted to what its position takes. */
function argument(ctx: Context, kind: ArgKind, v: Value, at: Pos, op: string): ArgValue {
  if (kind === 'tensor') return asNumber(expectNode(ctx, v, at));
  if (kind === 'cond') return asBool(expectNode(ctx, v, at));
  if (kind === 'tensors') {
    if (!isList(v)) fail(ctx, at, `${op} takes a list of tensors`, `Write ${op}([a, b], …).`);
    if (stackedOf(v) !== undefined) fail(ctx, at, `${op}: this list holds a loop's per-step values, which only stack(…) reads`, `Stack them first: ${op}([stack(ys), …], …).`);
    return v.map((x) => asNumber(expectNode(ctx, x, at)));
  }
  if (kind === 'reduction?') {
    if (v !== 'mean' && v !== 'sum') fail(ctx, at, `${op}: the reduction must be 'mean' or 'sum'`);
    return v;
  }
  if (kind === 'bool?' || kind === 'bool') {
    const n = expectNode(ctx, v, at);
    if (n.op !== 'const') fail(ctx, at, `${op}: ${kind === 'bool' ? 'this argument' : 'keepDims'} must be true or false, known at compile time`);
    return n.value !== 0;
  }
  if (kind === 'size') return lengthArgument(ctx, v, at, op);
  if (kind === 'shape') return staticShape(ctx, v, at, op);
  // axes?, perm?, int, number?: numbers known at compile time
  const list = isList(v) ? v : [v];
  const numbers = list.map((x) => (isNode(x) ? constantValue(x) : null));
  if (numbers.some((n) => n === null) || (kind !== 'axes?' && kind !== 'perm?' && isList(v))) {
    fail(ctx, at, `${op}: this argument must be ${kind === 'axes?' || kind === 'perm?' ? 'a number or a list of numbers' : 'a number'} known at compile time`,
      'Use a literal, a module constant, a loop variable or a size from x.shape.');
  }
  return kind === 'axes?' || kind === 'perm?' ? (numbers as number[]) : numbers[0]!;
}

/** A length: a whole number known at compile time, or a named size read with x.shape[i]. */
function lengthArgument(ctx: Context, v: Value, at: Pos, op: string): number | string {
  if (isNode(v)) {
    const c = constantValue(v);
    if (c !== null && Number.isInteger(c) && c >= 0) return c;
    if (v.op === 'dimSize') return v.attrs['dim'] as string;
  }
  fail(ctx, at, `${op}: the length must be a whole number known at compile time or a size read from a tensor`,
    'Use a literal, a module constant or x.shape[i] (a named dimension stays symbolic: arange(X.shape[0])).');
}

/** A shape: numbers known at compile time and dimension names ('batch', or x.shape[i] of a named dimension). */
function staticShape(ctx: Context, v: Value, at: Pos, op: string): (number | string)[] {
  if (!isList(v)) fail(ctx, at, `${op}: the shape must be a list`, "Write it as [n, m] or ['batch', 10].");
  return v.map((d) => {
    if (typeof d === 'string') return d;
    if (isNode(d)) {
      const c = constantValue(d);
      if (c !== null) return c;
      if (d.op === 'dimSize') return d.attrs['dim'] as string;
    }
    fail(ctx, at, `${op}: every size in a shape must be known at compile time or name a dimension`, "Use numbers, dimension names like 'batch', or x.shape[i].");
  });
}

function lowerTagged(ctx: Context, env: Env, e: Expr & { kind: 'tagged' }): Node {
  const values = new Map<string, Node>();
  if (e.tag.kind === 'call') {
    const vars = e.tag.args[0];
    if (vars?.kind === 'record') {
      for (const entry of vars.entries) values.set(entry.name, asNumber(expectNode(ctx, lowerExpr(ctx, env, entry.value), entry.value.at)));
    }
  }
  e.values.forEach((v, i) => values.set(interpolationName(i), asNumber(expectNode(ctx, lowerExpr(ctx, env, v), v.at))));
  const text = expressionText(e.quasis);
  try {
    return build(ctx, e.at, () => lowerExpression(text, values, ctx.scope.module.path));
  } catch (err) {
    // The mathjs adapter's own errors (syntax, unknown names); anything else is not the user's.
    if (!(err instanceof SourceError)) throw err;
    fail(ctx, templatePosition(e, err.location), `in expr: ${err.message}`, err.hint ?? 'The template is a mathjs expression over the variables named in expr({ … }) and the ${…} values.', 'unsupported');
  }
}

/** `at` moved over `text`. */
function advance(at: Pos, text: string): Pos {
  const lines = text.split('\n');
  if (lines.length === 1) return { line: at.line, column: at.column + text.length };
  return { line: at.line + lines.length - 1, column: lines[lines.length - 1]!.length + 1 };
}

/**
 * The file position of a line and column in the expression text, which has
 * each `${…}` replaced by a name: inside a quasi it is exact, inside a
 * replaced value it is the value's own position.
 */
function templatePosition(e: Expr & { kind: 'tagged' }, where: { line: number; column: number }): Pos {
  const lines = expressionText(e.quasis).split('\n');
  let offset = where.column - 1;
  for (let i = 0; i < where.line - 1; i++) offset += lines[i]!.length + 1;
  for (let i = 0; i < e.quasis.length; i++) {
    const quasi = e.quasis[i]!;
    if (offset <= quasi.length || i === e.quasis.length - 1) return advance(e.quasiAt[i]!, quasi.slice(0, offset));
    offset -= quasi.length;
    const name = interpolationName(i);
    if (offset < name.length) return e.values[i]!.at;
    offset -= name.length;
  }
  return e.at;
}
