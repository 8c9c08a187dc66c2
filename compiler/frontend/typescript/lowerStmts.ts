/**
 * Lowering of statements: `const`/`let` and reassignment become SSA (a name
 * is rebound to a new node), `if`/`else` on a data-dependent condition
 * builds both branches and merges them with `select`, a constant condition
 * is folded, and `for` loops go through `lowerLoop`.
 */
import { apply } from '../../ir/build.ts';
import type { Node } from '../../ir/node.ts';
import { nameValue, withOrigin } from '../../ir/origin.ts';
import type { Expr, FunctionDecl, Pos, Stmt } from './ast.ts';
import { pushOf } from './ast.ts';
import { UNASSIGNED, fail, isList, isNode, origin, stackedOf } from './context.ts';
import type { Context, Env, Value } from './context.ts';
import { lowerLoop } from './lowerLoop.ts';
import { constantValue, expectNode, fold, lowerExpr, selectValues } from './lowerExpr.ts';
import type { Binding } from './scope.ts';
import { lowerCustomCall } from './lowerCustom.ts';

/** What a statement list leaves: the variables after it and, if it returned, the value. */
export interface Flow {
  readonly env: Env;
  readonly returned: Value | null;
}

const COMPOUND = { '+=': 'add', '-=': 'sub', '*=': 'mul', '/=': 'div', '**=': 'pow' } as const;

function returns(stmts: readonly Stmt[]): boolean {
  return stmts.some((s) => s.kind === 'return' || (s.kind === 'if' && (returns(s.then) || returns(s.otherwise ?? []))) || (s.kind === 'block' && returns(s.body)));
}

/**
 * The end of a block scope, as a pseudo-statement: names declared in the
 * block go back to what they were outside it (or out of scope), names only
 * assigned keep their new values. Being a statement, it also ends the scope
 * of a branch whose lowering continues with the statements after the if.
 */
interface EndScope {
  readonly kind: 'end-scope';
  readonly declared: readonly string[];
  readonly outer: Env;
}

type Item = Stmt | EndScope;

/** `body` as a block scope entered with the variables `outer`. */
export function scoped(body: readonly Stmt[], outer: Env, alsoDeclared: readonly string[] = []): Item[] {
  const declared = [...alsoDeclared, ...body.flatMap((s) => (s.kind === 'declare' ? [s.name] : []))];
  return [...body, { kind: 'end-scope', declared, outer }];
}

function endScope(current: Env, end: EndScope): Env {
  const next: Env = new Map(current);
  for (const name of end.declared) {
    const before = end.outer.get(name);
    if (before === undefined) next.delete(name);
    else next.set(name, before);
  }
  return next;
}

export function lowerStatements(ctx: Context, env: Env, stmts: readonly Item[]): Flow {
  let current = env;
  for (let i = 0; i < stmts.length; i++) {
    const s = stmts[i]!;
    if (s.kind === 'end-scope') {
      current = endScope(current, s);
      continue;
    }
    if (s.kind === 'return') {
      if (s.value === null) fail(ctx, s.at, 'a model function must return a value');
      const value = withOrigin(origin(ctx, s.at), () => lowerExpr(ctx, current, s.value!));
      return { env: current, returned: value };
    }
    if (s.kind === 'if') {
      const flow = lowerIf(ctx, current, s, stmts.slice(i + 1));
      if (flow.returned !== null) return flow;
      current = flow.env;
      continue;
    }
    if (s.kind === 'block') {
      // A block that may return continues with the statements after it; one that cannot is lowered on its own.
      if (returns(s.body)) return lowerStatements(ctx, current, [...scoped(s.body, current), ...stmts.slice(i + 1)]);
      current = lowerStatements(ctx, current, scoped(s.body, current)).env;
      continue;
    }
    current = withOrigin(origin(ctx, s.at), () => lowerStatement(ctx, current, s));
  }
  return { env: current, returned: null };
}

/** A statement that neither returns nor branches. */
function lowerStatement(ctx: Context, env: Env, s: Stmt): Env {
  switch (s.kind) {
    case 'declare': {
      const next = new Map(env);
      const value = s.init === null ? UNASSIGNED : lowerExpr(ctx, env, s.init);
      // Kernel buffers holding this value are named after the variable (ir/origin.ts).
      if (isNode(value)) nameValue(value, s.name);
      next.set(s.name, { value, mutable: s.mutable });
      return next;
    }
    case 'assign': {
      const v = env.get(s.name);
      if (v === undefined) fail(ctx, s.at, `assignment to the undeclared variable '${s.name}'`, `Declare it first: let ${s.name} = …;`, 'unknownVariable');
      if (!v.mutable) fail(ctx, s.at, `'${s.name}' is a const (or a loop variable) and cannot be reassigned`, `Declare it with let: let ${s.name} = …;`);
      let value = lowerExpr(ctx, env, s.value);
      if (s.op !== '=') {
        if (v.value === UNASSIGNED) fail(ctx, s.at, `'${s.name}' is used before it is assigned`, `Assign it first: ${s.name} = …;`, 'unknownVariable');
        const a = expectNode(ctx, v.value, s.at);
        const b = expectNode(ctx, value, s.value.at);
        if (a.shape.length > 0 || b.shape.length > 0) {
          fail(ctx, s.at, `'${s.op}' applies to numbers; '${s.name}' or the right side is a tensor`, `Write ${s.name} = add(${s.name}, …) (or sub, mul, div).`);
        }
        value = fold(apply(COMPOUND[s.op], a, b));
      }
      const next = new Map(env);
      next.set(s.name, { value, mutable: true });
      return next;
    }
    case 'for': return lowerLoop(ctx, env, s.loop, s.at);
    case 'expression': {
      const push = pushOf(s.expr);
      return push === null ? env : lowerPush(ctx, env, push, s.at);
    }
    default:
      // Expression statements, nested functions and unsupported constructs were reported by the fence.
      return env;
  }
}

function lowerIf(ctx: Context, env: Env, s: Stmt & { kind: 'if' }, rest: readonly Item[]): Flow {
  const test = withOrigin(origin(ctx, s.at), () => expectNode(ctx, lowerExpr(ctx, env, s.test), s.test.at));
  if (test.shape.length > 0) {
    fail(ctx, s.test.at, `the condition is a [${test.shape.join(', ')}] tensor, not one boolean`, 'For an elementwise choice use where(condition, a, b).');
  }
  const known = constantValue(test);
  const otherwise = s.otherwise ?? [];
  if (known !== null) {
    // A condition known at compile time: only the branch taken is lowered.
    const taken = known !== 0 ? s.then : otherwise;
    return returns(taken) ? lowerStatements(ctx, env, [...scoped(taken, env), ...rest]) : { env: lowerStatements(ctx, env, scoped(taken, env)).env, returned: null };
  }
  if (returns(s.then) || returns(otherwise)) {
    // Each branch continues with the statements after the if, so both end in a return.
    const a = lowerStatements(ctx, env, [...scoped(s.then, env), ...rest]);
    const b = lowerStatements(ctx, env, [...scoped(otherwise, env), ...rest]);
    if (a.returned === null || b.returned === null) fail(ctx, s.at, 'not every path through this if returns a value', 'Add a return at the end of the function.');
    const value = withOrigin(origin(ctx, s.at), () => merge(ctx, s.at, test, a.returned!, b.returned!));
    return { env, returned: value };
  }
  const a = lowerStatements(ctx, env, scoped(s.then, env)).env;
  const b = lowerStatements(ctx, env, scoped(otherwise, env)).env;
  const merged: Env = new Map();
  withOrigin(origin(ctx, s.at), () => {
    for (const [name, v] of a) merged.set(name, { ...v, value: merge(ctx, s.at, test, v.value, b.get(name)!.value) });
  });
  return { env: merged, returned: null };
}

/** The value of a variable after a data-dependent if: `select(test, then, else)`. */
function merge(ctx: Context, at: Pos, test: Node, a: Value, b: Value): Value {
  if (a === b) return a;
  // Assigned on one path only: still unassigned after the if.
  if (a === UNASSIGNED || b === UNASSIGNED) return UNASSIGNED;
  if (!isNode(a) || !isNode(b)) fail(ctx, at, 'a list cannot differ between the branches of a data-dependent if', 'Choose between numbers or tensors instead.');
  return selectValues(test, a, b);
}

/** Inlines a call of a model function: its body is lowered with the parameters bound to the arguments. */
export function inlineCall(ctx: Context, binding: Binding & { kind: 'function' }, args: readonly Value[], at: Pos): Value {
  const { fn, scope } = binding;
  if (fn.custom !== undefined) return lowerCustomCall(ctx, fn, scope, args, at);
  if (ctx.inlining.includes(fn.name) || ctx.inlining.length > 64) fail(ctx, at, `recursion is not supported: '${fn.name}' calls itself`);
  if (args.length !== fn.params.length) {
    fail(ctx, at, `${fn.name} takes ${fn.params.length} argument(s), got ${args.length}`, `Parameters: ${fn.params.map((p) => p.name).join(', ')}.`);
  }
  const env: Env = new Map(fn.params.map((p, i) => [p.name, { value: args[i]!, mutable: true }]));
  const inner: Context = { ...ctx, scope, inlining: [...ctx.inlining, fn.name] };
  return functionResult(inner, env, fn);
}

/** The returned value of a function body lowered in `env`. */
export function functionResult(ctx: Context, env: Env, fn: FunctionDecl): Value {
  const flow = lowerStatements(ctx, env, fn.body);
  if (flow.returned === null) fail(ctx, fn.at, `'${fn.name}' does not return a value on every path`, 'End the function with return …;');
  return flow.returned;
}

/**
 * A push appends to the list the variable holds (the binding is replaced,
 * as an assignment would, so branches and unrolled iterations see their own
 * lists). Inside a loop node the loop collects one push per step
 * (lowerLoop.ts); pushing into the stacked result afterwards is refused.
 */
function lowerPush(ctx: Context, env: Env, push: { readonly name: string; readonly value: Expr }, at: Pos): Env {
  const v = env.get(push.name);
  if (v === undefined) fail(ctx, at, `push into the undeclared variable '${push.name}'`, `Declare the list first: const ${push.name}: Tensor<[…]>[] = [];`, 'unknownVariable');
  if (v.value === UNASSIGNED) fail(ctx, at, `'${push.name}' is used before it is assigned`, `Start it as an empty list: const ${push.name}: Tensor<[…]>[] = [];`, 'unknownVariable');
  if (stackedOf(v.value) !== undefined) {
    fail(ctx, at, `'${push.name}' holds the values a loop pushed, one per step; it takes no more pushes after the loop`, `Collect the rest in another list, and join them: concat([stack(${push.name}), stack(rest)], 0).`);
  }
  if (!isList(v.value)) fail(ctx, at, `'${push.name}' is not a list, so it has no push`, `Start it as an empty list: const ${push.name}: Tensor<[…]>[] = [];`);
  const value = expectNode(ctx, lowerExpr(ctx, env, push.value), push.value.at, 'a number or a tensor');
  if (value.dtype !== 'f64') fail(ctx, push.value.at, 'a list collects numbers or tensors, not true/false values', 'Push a number: cond ? 1 : 0.');
  const next = new Map(env);
  next.set(push.name, { value: [...v.value, value], mutable: v.mutable });
  return next;
}
