/**
 * Named dimensions (such as `batch`) are read off the data arrays, so callers
 * never pass sizes by hand: `batch = X.length / 4` for `X: [batch, 4]`. A
 * dimension no single array determines (only ever seen as a product, like
 * `[n, m]`) becomes an explicit size argument. The generated checks say which
 * argument has the wrong length and what its shape needs.
 */
import type { InputNode } from '../ir/node.ts';
import type { Dim, Shape } from '../ir/shape.ts';
import { productOfTerms } from '../emit/loops/dims.ts';
import { numberLiteral, stringLiteral } from '../emit/safeText.ts';
import type { Literal } from '../emit/safeText.ts';

export interface SizeSource {
  readonly dim: string;
  /** The argument whose length gives the dimension. */
  readonly param: InputNode;
  /** Its other dimensions, known by the time the source is read. */
  readonly others: readonly Dim[];
}

export interface SizePlan {
  /** In the order the sizes are computed. */
  readonly inferred: readonly SizeSource[];
  /** Sizes passed as arguments, in the order they first appear in the parameters' shapes. */
  readonly explicit: readonly string[];
}

const symbols = (shape: Shape): string[] => shape.filter((d): d is string => typeof d === 'string');

/**
 * Which argument gives each dimension: repeatedly, one whose only unknown
 * dimension occurs once in its shape; when none does, the first size left
 * becomes an explicit argument and inference goes on. Explicit sizes come in
 * the order they first appear in the shapes of `order` (all of the
 * function's parameters, for the flat variants whose own arguments are the
 * data only).
 */
export function planSizes(params: readonly InputNode[], dims: readonly string[], order: readonly InputNode[] = params): SizePlan {
  const known = new Set<string>();
  const inferred: SizeSource[] = [];
  const given: string[] = [];
  const appearance = [...new Set([...order.flatMap((p) => symbols(p.shape)), ...[...dims].sort()])].filter((d) => dims.includes(d));
  for (;;) {
    for (let progress = true; progress; ) {
      progress = false;
      for (const param of params) {
        const unknown = symbols(param.shape).filter((d) => !known.has(d));
        if (unknown.length !== 1) continue;
        const dim = unknown[0]!;
        inferred.push({ dim, param, others: param.shape.filter((d) => d !== dim) });
        known.add(dim);
        progress = true;
      }
    }
    // Stuck: the first size no array gives becomes an argument, and may let the arrays give the rest
    // (xs: [time, d] with d given reads time = xs.length / d), so as few sizes as possible are passed.
    const next = appearance.find((d) => !known.has(d));
    if (next === undefined) break;
    given.push(next);
    known.add(next);
  }
  return { inferred, explicit: appearance.filter((d) => given.includes(d)) };
}

/** A shape as a TypeScript array literal: sizes printed from their values, names as strings. */
export const shapeLiteral = (shape: Shape): string =>
  `[${shape.map((d) => (typeof d === 'number' ? numberLiteral(d) : stringLiteral(d))).join(', ')}]`;

/** The text form of a shape, as the model file wrote it. */
export const shapeText = (shape: Shape): string => `[${shape.join(', ')}]`;

/** Names of arguments and sizes inside one generated function. */
export interface Locals {
  readonly arg: (p: InputNode) => string;
  readonly size: (dim: string) => string;
}

/** Element count of `shape` in terms of the local size variables. */
export function sizeOf(shape: Shape, locals: Locals): string {
  return productOfTerms(shape.map((d) => (typeof d === 'string' ? locals.size(d) : d)));
}

/**
 * Statements that compute the inferred sizes and check every tensor
 * argument in `checked` against its shape. `where` names the function in messages.
 */
export function sizeStatements(plan: SizePlan, checked: readonly InputNode[], where: string, locals: Locals): string[] {
  const lines: string[] = [];
  const sources = new Set<InputNode>();
  for (const s of plan.inferred) {
    const arg = locals.arg(s.param);
    const divisor = sizeOf(s.others, locals);
    if (divisor !== '1') {
      lines.push(`expectWhole(${q(where)}, ${q(s.param.name)}, ${arg}, ${divisor}, ${q(shapeText(s.param.shape))});`);
    }
    lines.push(`const ${locals.size(s.dim)} = ${arg}.length${divisor === '1' ? '' : ` / ${divisor.includes(' ') ? `(${divisor})` : divisor}`};`);
    sources.add(s.param);
  }
  for (const p of checked) {
    if (p.shape.length === 0 || sources.has(p)) continue;
    lines.push(`expectLength(${q(where)}, ${q(p.name)}, ${locals.arg(p)}, ${sizeOf(p.shape, locals)}, ${q(shapeText(p.shape))});`);
  }
  return lines;
}

/** A string literal in generated code. */
export const q = (s: string): Literal => stringLiteral(s);
