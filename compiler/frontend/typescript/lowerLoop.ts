/**
 * `for` loops. For now a loop is unrolled: its bounds and step must be known
 * at compile time, and the body is lowered once per iteration with the loop
 * variable a constant. This is the one place loops are lowered, so switching
 * to the structured loop node (issue 5) replaces this function only.
 */
import { constant } from '../../ir/build.ts';
import type { ForLoop, Pos } from './ast.ts';
import { fail, origin } from './context.ts';
import type { Context, Env } from './context.ts';
import { constantValue, expectNode, lowerExpr } from './lowerExpr.ts';
import { lowerStatements } from './lowerStmts.ts';
import { withOrigin } from '../../ir/origin.ts';

/** More iterations than this is almost certainly a mistake for an unrolled loop. */
export const MAX_UNROLLED_ITERATIONS = 10_000;

const CONTINUES = {
  '<': (i: number, end: number) => i < end,
  '<=': (i: number, end: number) => i <= end,
  '>': (i: number, end: number) => i > end,
  '>=': (i: number, end: number) => i >= end,
};

function bound(ctx: Context, env: Env, loop: ForLoop, which: 'start' | 'bound' | 'step'): number {
  const e = loop[which];
  const n = expectNode(ctx, lowerExpr(ctx, env, e), e.at);
  const value = constantValue(n);
  if (value !== null) return value;
  if (n.op === 'dimSize') {
    fail(ctx, e.at, `this loop is bounded by the named dimension '${String(n.attrs['dim'])}', which is not supported yet`,
      'Loops are unrolled until the structured loop node lands, so the bound must be a number known at compile time; use a literal dimension in the type.');
  }
  fail(ctx, e.at, `the loop ${which === 'bound' ? 'bound' : which} must be known at compile time`,
    'Use a literal, a module constant or a literal size from x.shape; loops over data-dependent counts are not supported.');
}

export function lowerLoop(ctx: Context, env: Env, loop: ForLoop, at: Pos): Env {
  const start = withOrigin(origin(ctx, at), () => bound(ctx, env, loop, 'start'));
  const end = bound(ctx, env, loop, 'bound');
  const step = bound(ctx, env, loop, 'step');
  const continues = CONTINUES[loop.compare];
  if (step === 0 || (continues(start, end) && continues(start + step * MAX_UNROLLED_ITERATIONS, end))) {
    fail(ctx, at, step === 0 ? 'the loop step is 0, so the loop never ends' : `this loop runs more than ${MAX_UNROLLED_ITERATIONS} times`,
      'Loops are unrolled at compile time; keep the count small, or vectorize the body with tensor ops.');
  }
  let current = env;
  for (let i = start; continues(i, end); i += step) {
    const inner: Env = new Map(current);
    inner.set(loop.variable, { value: constant(i), mutable: false });
    const after = lowerStatements(ctx, inner, loop.body).env;
    const next: Env = new Map();
    for (const [name, v] of current) next.set(name, after.get(name) ?? v);
    current = next;
  }
  return current;
}
