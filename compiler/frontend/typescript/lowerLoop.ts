/**
 * `for` loops, lowered in this one place. A loop with a compile-time trip
 * count is unrolled when that is clearly cheap: up to ALWAYS_UNROLL
 * iterations, or while the unrolled body stays within UNROLL_BUDGET nodes.
 * Its body is lowered once per iteration with the loop variable a constant,
 * so it may feed static arguments (slice bounds, axes); such a body is
 * unrolled up to UNROLL_LIMIT iterations whatever its size. A longer loop,
 * or one over the budget, or one bounded by a named
 * dimension (`i < x.shape[0]` of a ['time', …] tensor), becomes one
 * structured loop node (`scan`): the variables the body reassigns are its
 * carries and the loop variable is a run-time number. So does a loop with
 * directives (`/** @checkpoint sqrt *\/`, loopDirectives.ts), and a loop
 * with a data condition (`i < 100 && err > tol`) becomes a bounded while
 * loop node (`whileLoop`).
 */
import { add, constant, div, mul } from '../../ir/build.ts';
import type { Node } from '../../ir/node.ts';
import { topoSort } from '../../ir/program.ts';
import { withOrigin } from '../../ir/origin.ts';
import { dimSize, transpose } from '../../ir/buildTensor.ts';
import { scan, whileLoop } from '../../ir/scan.ts';
import type { Dim } from '../../ir/shape.ts';
import type { ForLoop, Pos, Stmt } from './ast.ts';
import { pushOf } from './ast.ts';
import { build, fail, isList, isNode, origin, stackedList, stackedOf } from './context.ts';
import type { Context, Env, Value } from './context.ts';
import { constantValue, expectNode, lowerExpr } from './lowerExpr.ts';
import { didYouMean } from '../../errors.ts';
import { readLoopDirectives } from './loopDirectives.ts';
import { LoweringAbort } from './diagnostics.ts';
import type { LoopDirectiveOptions } from './loopDirectives.ts';
import { lowerStatements, scoped } from './lowerStmts.ts';

/** Loops with more iterations than this become a loop node instead of being unrolled. */
export const UNROLL_LIMIT = 1000;

/** Loops with at most this many iterations are always unrolled (layers written as a loop, a few fixed steps). */
export const ALWAYS_UNROLL = 16;

/**
 * Nodes an unrolled loop may make, estimated from its first iteration. An
 * unrolled function grows with the trip count (T = 1000 made a 5.8 MB module
 * V8 ran ~8× slower than the loop node's 35 kB), so beyond this a loop node is
 * cheaper; a body that needs its loop variable as a constant (a slice bound,
 * an axis) is unrolled anyway, up to UNROLL_LIMIT iterations.
 */
export const UNROLL_BUDGET = 2000;

const CONTINUES = {
  '<': (i: number, end: number) => i < end,
  '<=': (i: number, end: number) => i <= end,
  '>': (i: number, end: number) => i > end,
  '>=': (i: number, end: number) => i >= end,
};

/** A bound over a named dimension: (the size `dim` plus a constant) over a whole divisor (`x.shape[0] - 1`, `n / 2`). */
interface DimBound {
  readonly dim: string;
  readonly offset: number;
  readonly divisor: number;
}

/** `n`, `n - k`, `n + k`, `k + n` of one named size n and numbers known at compile time, as n + offset; null for anything else. */
function dimBound(n: Node): DimBound | null {
  if (n.op === 'div') {
    const q = constantValue(n.inputs[1]!);
    const inner = dimBound(n.inputs[0]!);
    return q !== null && Number.isInteger(q) && q >= 1 && inner !== null && inner.divisor === 1 ? { ...inner, divisor: q } : null;
  }
  return sumBound(n);
}

/** `n`, `n ± k`, `k + n`, as n + offset. */
function sumBound(n: Node): DimBound | null {
  if (n.op === 'dimSize') return { dim: String(n.attrs['dim']), offset: 0, divisor: 1 };
  if (n.op !== 'add' && n.op !== 'sub') return null;
  const [a, b] = n.inputs as [Node, Node];
  const bConst = constantValue(b);
  if (bConst !== null && Number.isInteger(bConst)) {
    const inner = sumBound(a);
    return inner === null ? null : { ...inner, offset: inner.offset + (n.op === 'add' ? bConst : -bConst) };
  }
  const aConst = constantValue(a);
  if (n.op === 'add' && aConst !== null && Number.isInteger(aConst)) {
    const inner = sumBound(b);
    return inner === null ? null : { ...inner, offset: inner.offset + aConst };
  }
  return null;
}

/** A loop bound: a number known at compile time, or a named dimension plus a constant. */
function bound(ctx: Context, env: Env, loop: ForLoop, which: 'start' | 'bound' | 'step'): number | DimBound {
  const e = loop[which];
  const n = expectNode(ctx, lowerExpr(ctx, env, e), e.at);
  const value = constantValue(n);
  if (value !== null) return value;
  const affine = which === 'bound' ? dimBound(n) : null;
  if (affine !== null) return affine;
  fail(ctx, e.at, `the loop ${which === 'bound' ? 'bound' : which} must be known at compile time${which === 'bound' ? ', or a size plus or minus a constant, over a whole number' : ''}`,
    which === 'bound'
      ? 'Use a literal, a module constant, a size from x.shape (a named dimension makes a loop node), such a size minus a constant (x.shape[0] - 1) or over a whole number ((x.shape[0] - 1) / 2); a loop cannot run more steps than the size counts (2 * n); for a data-dependent count, bound it: for (let i = 0; i < 100 && err > tol; i++).'
      : 'Use a literal or a module constant.');
}

/** Number of iterations of `for (i = start; i <cmp> end; i += step)`, or null if it never ends. */
function tripCount(loop: ForLoop, start: number, end: number, step: number): number | null {
  const continues = CONTINUES[loop.compare];
  if (!continues(start, end)) return 0;
  if (step === 0 || (step > 0) !== (loop.compare === '<' || loop.compare === '<=')) return null;
  let n = Math.ceil((end - start) / step);
  if (continues(start + n * step, end)) n++;
  return n;
}

export function lowerLoop(ctx: Context, env: Env, loop: ForLoop, at: Pos): Env {
  const [start, end, step] = withOrigin(origin(ctx, at), () => [bound(ctx, env, loop, 'start'), bound(ctx, env, loop, 'bound'), bound(ctx, env, loop, 'step')]);
  if (typeof start !== 'number' || typeof step !== 'number') throw new Error('unreachable: start and step are numbers');
  // The fence has reported malformed directives; what is left are the options asked for.
  const options = readLoopDirectives(loop.directives).options;
  if (typeof end !== 'number') {
    const v = loop.variable;
    if (step !== 1 || (loop.compare !== '<' && loop.compare !== '<=') || !Number.isInteger(start)) {
      fail(ctx, loop.bound.at, `a loop over the named dimension '${end.dim}' must count up in steps of 1 from a whole number`, `Write for (let ${v} = 0; ${v} < x.shape[k]; ${v}++) (or from 1, or to x.shape[k] - 1).`);
    }
    if (loop.condition !== null) {
      fail(ctx, loop.condition.at, `a loop with a data condition needs a bound known at compile time, not the named dimension '${end.dim}'`, `Write for (let ${v} = 0; ${v} < 100 && …; ${v}++) with a literal or module constant as the most steps.`);
    }
    if (options.checkpoint !== undefined && typeof options.checkpoint === 'object') {
      fail(ctx, at, `@checkpoint budget=… needs a trip count known at compile time; this loop runs over the named dimension '${end.dim}'`, 'Write @checkpoint sqrt or @checkpoint log.');
    }
    // t < (n + b) / q runs ceil((n + b − s·q) / q) steps from s (t ≤ …: floor(…) + 1); the tape holds n, so b − s·q (+1) must not be positive.
    const le = loop.compare === '<=' ? 1 : 0;
    const extra = end.offset - start * end.divisor + le;
    if (extra > 0) {
      fail(ctx, loop.bound.at, `this loop may run more steps than the size '${end.dim}' counts`, `Loop at most '${end.dim}' times: for (let ${v} = ${start}; ${v} < x.shape[k]${start > 0 ? '' : ' - …'}; ${v}++).`);
    }
    if (extra === 0 && start === 0 && end.divisor === 1) return loopNode(ctx, env, loop, at, end.dim, start, step, options);
    return loopNode(ctx, env, loop, at, end.dim, start, step, options, { offset: end.offset - start * end.divisor, divisor: end.divisor, inclusive: le === 1 });
  }
  const count = tripCount(loop, start, end, step);
  if (count === null) fail(ctx, at, 'this loop never ends', 'Make the step move the loop variable towards the bound.');
  if (loop.condition !== null) return count === 0 ? env : whileNode(ctx, env, loop, at, count, start, step, options);
  // A loop with directives is a loop node at any length: its options are about the node's tape.
  if (count > UNROLL_LIMIT || (loop.directives.length > 0 && count > 0)) return loopNode(ctx, env, loop, at, count, start, step, options);
  if (count <= ALWAYS_UNROLL) return unrolled(ctx, env, loop, start, step, 0, count);
  const first = unrolled(ctx, env, loop, start, step, 0, 1);
  if (stepSize(env, first) * count > UNROLL_BUDGET) {
    try {
      return loopNode(ctx, env, loop, at, count, start, step, options);
    } catch (e) {
      // The body needs the loop variable as a constant (or fails for a reason the unrolled lowering reports with the constant in hand).
      if (!(e instanceof LoweringAbort)) throw e;
    }
  }
  return unrolled(ctx, first, loop, start, step, 1, count);
}

/** Every node a scope's values hold (lists included). */
function nodesIn(env: Env): Node[] {
  const out: Node[] = [];
  const visit = (v: Value): void => {
    if (isNode(v)) out.push(v);
    else if (isList(v)) v.forEach(visit);
  };
  for (const { value } of env.values()) visit(value);
  return out;
}

/**
 * The nodes one unrolled step added: reachable from the scope after it but
 * not before (counted on the graph, not by nodes made, since hash-consing
 * hands back the nodes an earlier lowering of the same file made).
 */
function stepSize(before: Env, after: Env): number {
  const known = new Set(topoSort(nodesIn(before)));
  return topoSort(nodesIn(after)).filter((n) => !known.has(n)).length;
}

/** Iterations from..to−1 lowered one after another, the loop variable a constant in each. */
function unrolled(ctx: Context, env: Env, loop: ForLoop, start: number, step: number, from: number, to: number): Env {
  let current = env;
  // Accumulated as the eager run's i += step does, so a fractional step gives the same constants.
  let i = start;
  for (let k = 0; k < from; k++) i += step;
  for (let k = from; k < to; k++, i += step) {
    const inner: Env = new Map(current);
    inner.set(loop.variable, { value: constant(i), mutable: false });
    // The loop variable and the body's declarations are scoped to the loop.
    current = lowerStatements(ctx, inner, scoped(loop.body, current, [loop.variable])).env;
  }
  return current;
}

/** The sequence a loop over a named dimension runs along, only so the loop can read its length. */
const SIZE_SOURCE = 'size';

/**
 * A tensor in scope with the named dimension as its leading axis (moved
 * there if it is another axis): a loop node's run-time length is bound from
 * a sequence's shape.
 */
function sizeSource(ctx: Context, env: Env, dim: string, at: Pos): Node {
  for (const { value } of env.values()) {
    if (!isNode(value)) continue;
    const axis = value.shape.indexOf(dim);
    if (axis === 0) return value;
    if (axis > 0) return transpose(value, [axis, ...value.shape.map((_, i) => i).filter((i) => i !== axis)]);
  }
  fail(ctx, at, `no tensor in scope has the dimension '${dim}', which this loop runs over`, `Pass a tensor with a '${dim}' axis to this function.`);
}

/** Names a statement list assigns (at any depth). */
function assigned(stmts: readonly Stmt[]): string[] {
  return stmts.flatMap((s): string[] => {
    if (s.kind === 'assign') return [s.name];
    if (s.kind === 'if') return [...assigned(s.then), ...assigned(s.otherwise ?? [])];
    if (s.kind === 'for') return assigned(s.loop.body);
    if (s.kind === 'block') return assigned(s.body);
    return [];
  });
}

/** Names of lists a statement list pushes into (at any depth). */
function pushed(stmts: readonly Stmt[]): string[] {
  return stmts.flatMap((s): string[] => {
    if (s.kind === 'expression') {
      const push = pushOf(s.expr);
      return push === null ? [] : [push.name];
    }
    if (s.kind === 'if') return [...pushed(s.then), ...pushed(s.otherwise ?? [])];
    if (s.kind === 'for') return pushed(s.loop.body);
    if (s.kind === 'block') return pushed(s.body);
    return [];
  });
}

/**
 * The outer lists a loop node's body pushes into: each becomes a stacked
 * per-step output (`ys.push(y)` once per step gives ys = [y₀, …, y_{T−1}],
 * a [T, …] tensor for stack(ys)). The list must be empty before the loop.
 */
function outputsOf(ctx: Context, env: Env, loop: ForLoop, at: Pos): string[] {
  const names = [...new Set(pushed(loop.body))].filter((name) => env.has(name));
  for (const name of names) {
    const v = env.get(name)!.value;
    if (stackedOf(v) !== undefined) {
      fail(ctx, at, `'${name}' already holds the values an earlier loop pushed; a loop node collects its steps' values into a list of its own`, `Push into a new list, and join them: concat([stack(${name}), stack(more)], 0).`);
    }
    if (!isList(v) || v.length > 0) {
      fail(ctx, at, `a loop node collects one value per step into '${name}', which must be an empty list before the loop`, `Start it just before the loop: const ${name}: Tensor<[…]>[] = []; and push the earlier values into another list.`);
    }
  }
  return names;
}

/** The value the step pushed into each output list: exactly one per step. */
function stepOutputs(ctx: Context, after: Env, names: readonly string[], at: Pos): Record<string, Node> {
  return Object.fromEntries(names.map((name) => {
    const list = after.get(name)!.value;
    if (!isList(list) || stackedOf(list) !== undefined || list.length !== 1) {
      const count = isList(list) && stackedOf(list) === undefined ? list.length : 'a nested loop\'s';
      fail(ctx, at, `each step of this loop must push exactly one value into '${name}' (this body pushes ${count})`,
        `Push once per step, after any branches: ${name}.push(cond ? a : b); a nested loop's values can be stacked first: ${name}.push(stack(inner)).`);
    }
    return [name, expectNode(ctx, list[0]!, at)];
  }));
}

/** The IR's loop options: `@truncate` may name only variables the loop carries. */
function irOptions(ctx: Context, options: LoopDirectiveOptions, carried: readonly string[]): Omit<LoopDirectiveOptions, 'truncateAt'> {
  const { truncateAt, ...rest } = options;
  const unknown = options.truncate?.carries?.find((n) => !carried.includes(n));
  if (unknown !== undefined) {
    fail(ctx, truncateAt!, `@truncate names '${unknown}', which this loop does not carry${didYouMean(unknown, carried)}`,
      carried.length > 0 ? `The loop carries: ${carried.join(', ')} (the variables its body reassigns).` : 'This loop carries no variable; remove @truncate.');
  }
  return rest;
}

/** The reassigned outer variables a loop node carries from step to step, with their values before the loop. */
function carriesOf(ctx: Context, env: Env, loop: ForLoop, at: Pos): { carried: string[]; init: Record<string, Node> } {
  const carried = [...new Set(assigned(loop.body))].filter((name) => env.has(name));
  const init: Record<string, Node> = {};
  for (const name of carried) {
    const v = env.get(name)!.value;
    if (!isNode(v) || v.dtype !== 'f64') fail(ctx, at, `'${name}' is carried through a loop node, so it must be a number or a tensor`, 'Keep lists and booleans out of loops over named dimensions, long loops and loops with directives or data conditions.');
    init[name] = v;
  }
  return { carried, init };
}

/** The body's scope at step t: the carries and the loop variable start + step·t. */
function stepEnv(env: Env, loop: ForLoop, carried: readonly string[], carry: Readonly<Record<string, Node>>, t: Node, start: number, step: number): Env {
  const inner: Env = new Map(env);
  for (const name of carried) inner.set(name, { value: carry[name]!, mutable: true });
  const i = start === 0 && step === 1 ? t : add(constant(start), mul(constant(step), t));
  inner.set(loop.variable, { value: i, mutable: false });
  return inner;
}

function lowerBody(ctx: Context, inner: Env, loop: ForLoop, carried: readonly string[], at: Pos, outputs: readonly string[] = []): { carry: Record<string, Node>; outputs: Record<string, Node> } {
  const after = lowerStatements(ctx, inner, scoped(loop.body, inner)).env;
  return {
    carry: Object.fromEntries(carried.map((name) => [name, expectNode(ctx, after.get(name)!.value, at)])),
    outputs: stepOutputs(ctx, after, outputs, at),
  };
}

function afterLoop(env: Env, carried: readonly string[], carry: Readonly<Record<string, Node>>, stacked: Readonly<Record<string, Node>> = {}): Env {
  const next: Env = new Map(env);
  for (const name of carried) next.set(name, { value: carry[name]!, mutable: true });
  for (const [name, ys] of Object.entries(stacked)) next.set(name, { value: stackedList(ys), mutable: env.get(name)!.mutable });
  return next;
}

/** A loop over a named size n that runs fewer steps: while t·q < n + offset (≤ with `inclusive`), counted from 0. */
interface ShortLoop {
  readonly offset: number;
  readonly divisor: number;
  readonly inclusive: boolean;
}

/**
 * The step count of a short loop as a run-time number: a = n + offset steps
 * over q, rounded up (or down, plus one, when inclusive). In integers,
 * ⌈a/q⌉ = round((2a + q − 2) / 2q) and ⌊a/q⌋ + 1 = ⌈(a + 1)/q⌉, and the loop
 * node rounds its count, so no floor or ceiling op is needed.
 */
function shortCount(dim: string, s: ShortLoop): Node {
  const a = add(dimSize(dim), constant(s.offset + (s.inclusive ? 1 : 0)));
  if (s.divisor === 1) return a;
  const q = s.divisor;
  return div(add(mul(constant(2), a), constant(q - 2)), constant(2 * q));
}

/**
 * The loop as one scan node: the reassigned outer variables are carried from
 * step to step, pushed values stacked. A `short` loop runs over the named
 * size `length` for fewer steps (a bound `n - 1`, `n / 2`, a start 1): a
 * counted loop, whose tape the size bounds.
 */
function loopNode(ctx: Context, env: Env, loop: ForLoop, at: Pos, length: Dim, start: number, step: number, options: LoopDirectiveOptions, short?: ShortLoop): Env {
  const { carried, init } = carriesOf(ctx, env, loop, at);
  const outputs = outputsOf(ctx, env, loop, at);
  if (short !== undefined && outputs.length > 0) {
    fail(ctx, at, `a loop that runs fewer steps than the size '${String(length)}' counts cannot collect per-step values yet (it pushes into '${outputs[0]}')`,
      `Loop over the whole size and push every step (for (let t = 0; t < x.shape[k]; t++)), or carry what the steps add up to.`);
  }
  const count = short === undefined ? undefined : build(ctx, loop.bound.at, () => shortCount(String(length), short));
  const result = build(ctx, at, () => scan({
    init,
    length,
    ...(count === undefined ? {} : { count }),
    ...irOptions(ctx, options, carried),
    sequences: typeof length === 'string' ? { [SIZE_SOURCE]: sizeSource(ctx, env, length, at) } : {},
    step: (carry, _x, t) => {
      const inner = stepEnv(env, loop, carried, carry, t, start, step);
      // Each step starts its output lists empty, and pushes one value into each.
      for (const name of outputs) inner.set(name, { value: [], mutable: env.get(name)!.mutable });
      return lowerBody(ctx, inner, loop, carried, at, outputs);
    },
  }));
  return afterLoop(env, carried, result.carry, result.outputs);
}

/**
 * `for (let i = 0; i < N && cond; i++)`: a bounded while loop. The data
 * condition is checked before each step, as JavaScript does; N sizes the tape.
 */
function whileNode(ctx: Context, env: Env, loop: ForLoop, at: Pos, maxSteps: number, start: number, step: number, options: LoopDirectiveOptions): Env {
  const condition = loop.condition!;
  const { carried, init } = carriesOf(ctx, env, loop, at);
  const lists = [...new Set(pushed(loop.body))].filter((name) => env.has(name));
  if (lists.length > 0) {
    // A while loop stops after a number of steps known only at run time, so its values have no fixed-size stack.
    fail(ctx, at, `a loop with a data condition cannot collect per-step values (it pushes into '${lists[0]}')`, 'Carry what you need (a running sum, the last value), or run a fixed number of steps without the data condition.');
  }
  const result = build(ctx, at, () => whileLoop({
    init,
    maxSteps,
    ...irOptions(ctx, options, carried),
    cond: (carry, t) => {
      const c = expectNode(ctx, lowerExpr(ctx, stepEnv(env, loop, carried, carry, t, start, step), condition), condition.at);
      if (c.dtype !== 'bool' || c.shape.length > 0) {
        fail(ctx, condition.at, 'the condition of a loop must be a true/false number comparison', 'Compare numbers: for (let i = 0; i < 100 && err > tol; i++).');
      }
      return c;
    },
    step: (carry, t) => lowerBody(ctx, stepEnv(env, loop, carried, carry, t, start, step), loop, carried, at).carry,
  }));
  return afterLoop(env, carried, result.carry);
}
