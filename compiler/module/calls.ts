/**
 * The parts every generated wrapper shares: its parameter list (the model's
 * own names, then any size no array determines), the prologue that reads
 * named sizes off the data and checks every array's length, and the call of
 * the kernel with each argument bound to a local, a view or a flat element.
 */
import type { NameManager } from '../emit/names.ts';
import { identifier, numberLiteral } from '../emit/safeText.ts';
import type { InputNode } from '../ir/node.ts';
import type { FunctionContext, SizeName } from './context.ts';
import { blockOffset, flatLength, isScalar, isWrt, localNames, symbolicLayout, typeOf } from './context.ts';
import { indexArguments } from './indexArguments.ts';
import { layoutSizeName, needsViews } from './layout.ts';
import type { KernelKind } from './names.ts';
import type { Locals, SizePlan } from './sizes.ts';
import { q, sizeStatements } from './sizes.ts';

export interface Signature {
  readonly names: NameManager;
  readonly locals: Locals;
  /** `name: type` for each argument and explicit size. */
  readonly params: readonly string[];
}

/** Arguments keep the model's names (renamed only if they would shadow module code); sizes come after. */
export function signature(ctx: FunctionContext, args: readonly InputNode[], plan: SizePlan = ctx.sizes): Signature {
  const names = localNames(ctx);
  const argNames = new Map(args.map((p) => [p, names.claim(p.name)]));
  const dims = [...plan.inferred.map((s) => s.dim), ...plan.explicit];
  const sizeNames = new Map(dims.map((d) => [d, names.claim(d)]));
  const locals: Locals = { arg: (p) => argNames.get(p)!, size: (d) => sizeNames.get(d)! };
  const params = [
    ...args.map((p) => `${argNames.get(p)!}: ${typeOf(p)}`),
    ...plan.explicit.map((d) => `${sizeNames.get(d)!}: number`),
  ];
  return { names, locals, params };
}

/**
 * Size inference and the length checks of the tensor arguments. A size the
 * flat layout depends on and the caller passes is checked to be a whole
 * number (one read off an array is one).
 */
export function prologue(ctx: FunctionContext, sig: Signature, args: readonly InputNode[], where: string, plan: SizePlan = ctx.sizes): string[] {
  const given = plan.explicit.filter((d) => ctx.layoutDims.includes(d)).map((d) => `${ctx.use('expectSize')}(${q(where)}, ${q(d)}, ${sig.locals.size(d)});`);
  const lines = sizeStatements(plan, args, where, sig.locals);
  if (lines.some((l) => l.startsWith('expectLength('))) ctx.use('expectLength');
  if (lines.some((l) => l.startsWith('expectWhole('))) ctx.use('expectWhole');
  return [...given, ...lines, ...indexChecks(ctx, sig, args, where, plan)];
}

/** Labels and row indices checked as they are bound (after their lengths), each against its bound. */
function indexChecks(ctx: FunctionContext, sig: Signature, args: readonly InputNode[], where: string, plan: SizePlan): string[] {
  const sizes = new Set([...plan.inferred.map((s) => s.dim), ...plan.explicit]);
  return indexArguments(ctx.d.value)
    .filter((a) => args.includes(a.param) && !isScalar(a.param) && (typeof a.bound === 'number' || sizes.has(a.bound)))
    .map((a) => {
      const bound = typeof a.bound === 'number' ? numberLiteral(a.bound) : sig.locals.size(a.bound);
      return `${ctx.use('expectIndices')}(${q(where)}, ${q(a.param.name)}, ${sig.locals.arg(a.param)}, ${bound}, ${q(a.what)});`;
    });
}

/** The length check of a flat vector argument (named in the message as in the signature; `value` when another local holds it). */
export function expectFlat(ctx: FunctionContext, where: string, array: string, size: SizeName, value = array): string {
  return `${ctx.use('expectLength')}(${q(where)}, ${q(array)}, ${value}, ${flatLength(ctx, size)}, ${q(layoutSizeName(ctx))});`;
}

/**
 * A flat output buffer (gradient, product) the caller may pass: a default
 * parameter with literal sizes; with named sizes, which the body reads off
 * the arguments first, allocated in the body. `target` holds it.
 */
export function flatOutput(ctx: FunctionContext, sig: Signature, name: string, where: string): { param: string; lines: string[]; target: string } {
  const length = flatLength(ctx, sig.locals.size);
  if (!symbolicLayout(ctx)) return { param: `${name}: Float64Array = new Float64Array(${length})`, lines: [expectFlat(ctx, where, name, sig.locals.size)], target: name };
  const target = sig.names.claim('target');
  return {
    param: `${name}?: Float64Array`,
    lines: [`const ${target} = ${name} ?? new Float64Array(${length});`, expectFlat(ctx, where, name, sig.locals.size, target)],
    target,
  };
}

export interface Binding {
  readonly param: (p: InputNode) => string;
  /** The tangent of the i-th differentiated parameter. */
  readonly tangent?: (i: number) => string;
  readonly size: (dim: string) => string;
  readonly out?: string;
  /** The cotangent of a tensor output (VJP kernels). */
  readonly cotangent?: string;
}

export function kernelCall(ctx: FunctionContext, kind: KernelKind, b: Binding): string {
  const k = ctx.kernels.get(kind)!;
  const args = k.spec.params.map((p) => {
    if (p === ctx.d.cotangent) return b.cotangent!;
    const i = ctx.d.tangents.indexOf(p);
    return i >= 0 ? b.tangent!(i) : b.param(p);
  });
  return `${k.spec.name}(${[...args, ...k.sizes.map(b.size), ...(b.out === undefined ? [] : [b.out])].join(', ')})`;
}

/**
 * Reading parameters (or tangents) from a flat vector: a tensor through the
 * cached views `views`, a scalar as the element at its offset.
 */
export function fromFlat(ctx: FunctionContext, flat: string, views: string, size: SizeName): (p: InputNode) => string {
  return (p) => {
    const e = ctx.layout.find((entry) => entry.name === p.name)!;
    return isScalar(p) ? `${flat}[${blockOffset(e, size)}]` : `${views}.${identifier(p.name)}`;
  };
}

/** `const views = fViews(flat);` (`fViews(flat, n)` with named sizes), when some differentiated parameter is a tensor. */
export function viewsOf(ctx: FunctionContext, views: string, flat: string, size: SizeName): string[] {
  return needsViews(ctx) ? [`const ${views} = ${ctx.names.views}(${[flat, ...ctx.layoutDims.map(size)].join(', ')});`] : [];
}

/** A parameter's value inside a flat variant: differentiated ones from x, data from the bound arguments. */
export function flatParam(ctx: FunctionContext, sig: Signature, x: string, views: string): (p: InputNode) => string {
  const read = fromFlat(ctx, x, views, sig.locals.size);
  return (p) => (isWrt(ctx, p) ? read(p) : sig.locals.arg(p));
}

/** The tangent of the i-th differentiated parameter, read from the flat tangent v. */
export function flatTangent(ctx: FunctionContext, v: string, views: string, size: SizeName): (i: number) => string {
  const read = fromFlat(ctx, v, views, size);
  return (i) => read(ctx.d.fn.wrt[i]!);
}
