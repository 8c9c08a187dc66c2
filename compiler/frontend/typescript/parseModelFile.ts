/**
 * The TypeScript front end's entry: a model file (`*.model.ts`) to the
 * ModuleIR the module emitter consumes. Read (with its imports) → fence
 * → lower each exported function. Every mistake in the file is reported
 * together, as one ModelFileError of located diagnostics.
 */
import { readFileSync } from 'node:fs';
import { UsageError } from '../../errors.ts';
import { identifierProblem } from '../../emit/safeText.ts';
import type { SourceError } from '../../errors.ts';
import { constant, input, mul } from '../../ir/build.ts';
import { additiveTerms, sumOfTerms } from '../../ir/additiveTerms.ts';
import type { InputNode } from '../../ir/node.ts';
import { setOriginIfAbsent } from '../../ir/origin.ts';
import type { Shape } from '../../ir/shape.ts';
import type { ConvexOuterLoss, ModuleIR, FunctionIR } from '../../ir/function.ts';
import { topoSort } from '../../ir/program.ts';
import { freshInput } from '../../autodiff/substitute.ts';
import type { Node } from '../../ir/node.ts';
import type { FunctionDecl, TypeRef } from './ast.ts';
import { fail, isNode, origin } from './context.ts';
import type { Context, Env } from './context.ts';
import { LoweringAbort, ModelFileError, diagnostic } from './diagnostics.ts';
import { fenceModule, isEntry, resolveAlias } from './fence.ts';
import { loadScope, newLoader } from './loadModule.ts';
import { lowerCustomCall } from './lowerCustom.ts';
import { functionResult } from './lowerStmts.ts';
import type { ModuleScope } from './scope.ts';

export interface ParseModelFileOptions {
  /** The file's text; read from `path` when omitted (tests, `--check`). */
  readonly text?: string;
  /** Parameters to differentiate, overriding the file's declarations in every function that has all of them. */
  readonly wrt?: readonly string[];
}

export { ModelFileError } from './diagnostics.ts';

export function parseModelFile(path: string, options: ParseModelFileOptions = {}): ModuleIR {
  const text = options.text ?? readText(path);
  const loader = newLoader();
  const scope = loadScope(path, text, loader);
  const errors: SourceError[] = [...loader.diagnostics, ...fenceModule(scope)];
  for (const imported of loader.loaded.values()) errors.push(...fenceModule(imported));
  if (errors.length > 0) throw new ModelFileError(errors);

  const ctx: Context = { scope, inlining: [], constants: new Map(), convexLosses: new Map() };
  const functions: FunctionIR[] = [];
  for (const fn of scope.module.functions) {
    if (!isEntry(scope, fn)) continue;
    try {
      functions.push(lowerModelFunction(ctx, fn, options.wrt));
    } catch (e) {
      if (!(e instanceof LoweringAbort)) throw e;
      errors.push(e.error);
    }
  }
  // A file that exports only helpers (imported by other model files) compiles to no functions.
  if (!scope.module.functions.some((f) => f.exported) && errors.length === 0) {
    errors.push(diagnostic(scope.module, { line: 1, column: 1 }, 'the model file exports no function', 'Export the model: export function loss(w: Param<Tensor<[3]>>, x: Tensor<[\'batch\', 3]>): number { … }.'));
  }
  if (errors.length > 0) throw new ModelFileError(errors);
  return { path, functions };
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    throw new UsageError(`cannot read the model file '${path}'`);
  }
}

/**
 * Names become names in the generated module, so each must pass the
 * identifier gate; saying so here points at the model line.
 */
function checkName(ctx: Context, at: Parameters<typeof fail>[1], name: string, what: string): void {
  const problem = identifierProblem(name);
  if (problem !== undefined) fail(ctx, at, `the ${what} name cannot be used in generated code: ${problem}`, 'Rename it to a plain name of letters and digits (such as batch, weights or hidden1).');
}

/** A parameter's shape from its annotation, and whether Param<…> marks it. */
function parameterType(scope: ModuleScope, type: TypeRef): { shape: Shape; marked: boolean } {
  const t = resolveAlias(scope, type)!;
  if (t.kind === 'param') return { shape: parameterType(scope, t.inner).shape, marked: true };
  if (t.kind === 'tensor') return { shape: t.dims!, marked: false };
  return { shape: [], marked: false };
}

function lowerModelFunction(ctx: Context, fn: FunctionDecl, wrtOverride: readonly string[] | undefined): FunctionIR {
  const fnOrigin = origin(ctx, fn.at);
  const marked: string[] = [];
  checkName(ctx, fn.at, fn.name, 'function');
  const params: InputNode[] = fn.params.map((p) => {
    checkName(ctx, p.at, p.name, 'parameter');
    const { shape, marked: isParam } = parameterType(ctx.scope, p.type!);
    for (const d of shape) {
      if (typeof d === 'number' && (!Number.isInteger(d) || d < 1)) fail(ctx, p.at, `the size ${d} in the shape of '${p.name}' is not a positive whole number`);
      if (typeof d === 'string') checkName(ctx, p.at, d, `named size in the shape of '${p.name}'`);
    }
    if (isParam) marked.push(p.name);
    // Leaves are not attributed by the builders; a parameter belongs to its declaration.
    const node = input(p.name, shape);
    setOriginIfAbsent(node, origin(ctx, p.at));
    return node;
  });
  const env: Env = new Map(params.map((node) => [node.name, { value: node, mutable: true }]));
  // An exported customDerivative function compiles to its custom node: its rules give the derivatives.
  const output = fn.custom === undefined ? functionResult(ctx, env, fn) : lowerCustomCall(ctx, fn, ctx.scope, params, fn.at);
  if (!isNode(output)) fail(ctx, fn.at, `'${fn.name}' returns a list`, 'Return a number or a tensor; use stack([...]) to make a tensor from a list.');
  if (output.dtype !== 'f64') fail(ctx, fn.at, `'${fn.name}' returns a boolean`, 'Return a number or a tensor; for a 0/1 value write c ? 1 : 0 or where(c, 1, 0).');
  checkReturnType(ctx, fn, output.shape);
  const names = wrtNames(fn, marked, wrtOverride);
  const byName = new Map(params.map((p) => [p.name, p]));
  const wrt = names.map((n) => byName.get(n)!);
  const gaussNewton = convexOuterLoss(ctx, output, wrt);
  return {
    name: fn.name,
    params,
    output,
    wrt,
    origin: fnOrigin,
    ...(fn.doc === undefined ? {} : { doc: fn.doc }),
    ...(gaussNewton === undefined ? {} : { gaussNewton }),
  };
}

/**
 * The returned value as L(z) + r(θ) with L convex in z: a call of a convex loss
 * whose other arguments (targets) do not depend on the differentiated
 * parameters, with a positive coefficient, plus any other terms r. Only then is
 * Jᵀ H_L J v + ∇²r v the generalized Gauss-Newton product of the function.
 */
function convexOuterLoss(ctx: Context, output: Node, wrt: readonly InputNode[]): ConvexOuterLoss | undefined {
  if (wrt.length === 0) return undefined;
  const terms = additiveTerms(output);
  const found = terms.findIndex((t) => t.coefficient > 0 && targetsAreData(ctx.convexLosses.get(t.node), wrt));
  if (found < 0) return undefined;
  const { node, coefficient } = terms[found]!;
  const call = ctx.convexLosses.get(node)!;
  const rest = sumOfTerms(terms.filter((_, i) => i !== found));
  const loss = coefficient === 1 ? call.loss : (z: Node) => mul(constant(coefficient), call.loss(z));
  return { ...call, loss, ...(rest === null ? {} : { rest }) };
}

/** Whether `call` is a convex loss whose arguments other than z do not depend on `wrt`. */
function targetsAreData(call: ConvexOuterLoss | undefined, wrt: readonly InputNode[]): boolean {
  if (call === undefined) return false;
  const stand = freshInput('outputs', call.outputs, [call.outputs]);
  return !topoSort([call.loss(stand)]).some((n) => n !== stand && wrt.includes(n as InputNode));
}

/** The override when this function has every name in it, else the @wrt tag, else the Param<…> parameters. */
function wrtNames(fn: FunctionDecl, marked: readonly string[], override: readonly string[] | undefined): readonly string[] {
  if (override !== undefined && override.every((n) => fn.params.some((p) => p.name === n))) return override;
  if (fn.wrtTag !== null) return fn.wrtTag;
  return marked;
}

function checkReturnType(ctx: Context, fn: FunctionDecl, shape: Shape): void {
  if (fn.returnType === null) return;
  const t = resolveAlias(ctx.scope, fn.returnType);
  const shown = `[${shape.join(', ')}]`;
  if (t?.kind === 'number' && shape.length > 0) {
    fail(ctx, fn.returnType.at, `'${fn.name}' is declared to return a number but returns a ${shown} tensor`, 'Reduce it (sum, mean, …) or change the return type.');
  }
  if (t?.kind === 'tensor' && t.dims !== null) {
    const same = t.dims.length === shape.length && t.dims.every((d, i) => d === shape[i]);
    if (!same) fail(ctx, fn.returnType.at, `'${fn.name}' is declared to return Tensor<[${t.dims.map((d) => JSON.stringify(d)).join(', ')}]> but returns shape ${shown}`, 'Fix the annotation or the computation.');
  }
}
