/**
 * Calls of a `customDerivative` function: a `custom` node whose rule (the
 * primal, JVP and VJP graphs) is lowered from the rule bodies once per shape
 * signature and reused by every later call with those shapes.
 */
import { customCall, defineCustomRule } from '../../ir/customRule.ts';
import type { CustomRule } from '../../ir/customRule.ts';
import type { Node } from '../../ir/node.ts';
import type { FunctionDecl, Pos } from './ast.ts';
import { build, fail, isList, isNode } from './context.ts';
import type { Context, Env, Value } from './context.ts';
import { functionResult } from './lowerStmts.ts';
import type { ModuleScope } from './scope.ts';

const rules = new WeakMap<FunctionDecl, Map<string, CustomRule>>();
/** Rules being lowered: a rule body that calls the function it defines would never end. */
const building = new Set<FunctionDecl>();

/** Lowers the body of `fn` (primal or rule) with its parameters bound to `values`. */
function lowerBody(ctx: Context, scope: ModuleScope, fn: FunctionDecl, values: readonly Value[]): Value {
  const env: Env = new Map(fn.params.map((p, i) => [p.name, { value: values[i]!, mutable: true }]));
  return functionResult({ ...ctx, scope, inlining: [...ctx.inlining, fn.name] }, env, fn);
}

function expectValueNode(ctx: Context, v: Value, at: Pos, what: string): Node {
  if (!isNode(v) || v.dtype !== 'f64') fail(ctx, at, `${what} must be a number or a tensor`);
  return v;
}

export function lowerCustomCall(ctx: Context, fn: FunctionDecl, scope: ModuleScope, args: readonly Value[], at: Pos): Node {
  const custom = fn.custom!;
  if (args.length !== fn.params.length) {
    fail(ctx, at, `${fn.name} takes ${fn.params.length} argument(s), got ${args.length}`, `Parameters: ${fn.params.map((p) => p.name).join(', ')}.`);
  }
  const nodes = args.map((a, i) => expectValueNode(ctx, a, at, `argument ${i + 1} of ${fn.name}`));
  const signature = nodes.map((x) => `[${x.shape.join(',')}]`).join(' ');
  let bySignature = rules.get(fn);
  if (bySignature === undefined) rules.set(fn, (bySignature = new Map()));
  let rule = bySignature.get(signature);
  if (rule === undefined) {
    if (building.has(fn)) fail(ctx, at, `the rules of '${fn.name}' call '${fn.name}' itself`, 'Write the derivative from the arguments and the output y, which the rules receive.');
    building.add(fn);
    try {
      const { jvp, vjp } = custom;
      rule = build(ctx, custom.at, () => defineCustomRule({
        name: fn.name,
        shapes: nodes.map((x) => x.shape),
        primal: (xs) => expectValueNode(ctx, lowerBody(ctx, scope, fn, xs), fn.at, `the value of ${fn.name}`),
        ...(jvp === null ? {} : {
          jvp: (xs, dots, y) => expectValueNode(ctx, lowerBody(ctx, scope, jvp, [...xs, ...dots, y]), jvp.at, `the jvp rule of ${fn.name}`),
        }),
        ...(vjp === null ? {} : {
          vjp: (xs, y, bar) => cotangents(ctx, fn, vjp, lowerBody(ctx, scope, vjp, [...xs, y, bar])),
        }),
      }));
      bySignature.set(signature, rule);
    } finally {
      building.delete(fn);
    }
  }
  const made = rule;
  return build(ctx, at, () => customCall(made, nodes));
}

/** The vjp rule's result as one cotangent per argument: the value itself for one argument, a list for several. */
function cotangents(ctx: Context, fn: FunctionDecl, vjp: FunctionDecl, v: Value): Node[] {
  const n = fn.params.length;
  const list = isList(v) ? v : [v];
  if (list.length !== n || (n > 1 && !isList(v))) {
    const names = fn.params.map((p) => `${p.name}Bar`);
    fail(ctx, vjp.at, `the vjp rule of '${fn.name}' must return ${n === 1 ? 'one cotangent' : `a list of ${n} cotangents, one per argument`}, but returns ${isList(v) ? `a list of ${list.length}` : 'one value'}`,
      `Return ${n === 1 ? names[0]! : `[${names.join(', ')}]`}.`, 'semantic');
  }
  return list.map((c, i) => expectValueNode(ctx, c, vjp.at, `the cotangent for '${fn.params[i]!.name}' returned by the vjp rule of ${fn.name}`));
}
