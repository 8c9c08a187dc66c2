/**
 * Reading a value inside a loop: the expression for element (i0, i1, …) of a
 * node wherever the plan keeps it — a parameter, a buffer, an alias, a
 * broadcast view, a literal, a scalar local, or an expression fused in.
 */
import type { Node } from '../../ir/node.ts';
import { OP_TABLE } from '../../ir/opTable.ts';
import { applyForm, renderNumber } from '../render.ts';
import type { Rendered } from '../render.ts';
import { PREC } from '../../ir/syntax.ts';
import { shapesEqual } from '../../ir/shape.ts';
import type { Dim, Shape } from '../../ir/shape.ts';
import { broadcastStrideExprs, dimExpr, indexExpr, plusIndex } from './dims.ts';
import type { Storage } from './plan.ts';
import { baseOf } from './plan.ts';

/** A loop over `shape`: one flat index, or one index per axis. */
export interface LoopIndex {
  readonly shape: Shape;
  /** null: a flat loop over the whole shape, whose index is `flat`. */
  readonly indices: readonly string[] | null;
  readonly flat?: string;
}

export const SCALAR_LOOP: LoopIndex = { shape: [], indices: [] };

export interface ReadContext {
  readonly storage: ReadonlyMap<Node, Storage>;
  /** Names of bound scalars and of tensor parameters. */
  readonly names: ReadonlyMap<Node, string>;
}

const atom = (text: string): Rendered => ({ text, prec: PREC.atom });

const offsetIndex = (offset: string, index: string): string => plusIndex(offset, index);

/** Index of element `loop` of a row-major value of shape `shape`, broadcast to the loop. */
export function elementIndex(shape: Shape, loop: LoopIndex): string {
  if (loop.indices === null) return shapesEqual(shape, loop.shape) ? loop.flat! : brokenFlat(shape, loop);
  return indexExpr(loop.indices, broadcastStrideExprs(shape, loop.shape));
}

function brokenFlat(shape: Shape, loop: LoopIndex): never {
  throw new Error(`internal: flat loop over [${loop.shape.join(', ')}] reads [${shape.join(', ')}]`);
}

/**
 * The array expression and offset of a value kept in memory. A rank-0
 * parameter is passed as a number, not an array, so a view of it (a scalar
 * reshaped or broadcast) has no memory and is read as the scalar.
 */
export function memoryOf(node: Node, ctx: ReadContext): { array: string; offset: string } | null {
  const base = baseOf(node, ctx.storage);
  const s = ctx.storage.get(base)!;
  if (s.kind === 'param') return base.shape.length === 0 ? null : { array: ctx.names.get(base)!, offset: '0' };
  if (s.kind === 'buffer') return { array: s.array, offset: s.offset };
  return null;
}

export function readElement(node: Node, loop: LoopIndex, ctx: ReadContext): Rendered {
  const s = ctx.storage.get(node)!;
  if (node.op === 'const') return renderNumber(node.value, node.dtype, 'ts');
  if (node.shape.length === 0 && node.op !== 'input') {
    const name = ctx.names.get(node);
    if (name !== undefined) return atom(name);
    return renderInline(node, SCALAR_LOOP, ctx);
  }
  if (s.kind === 'fused') return renderInline(node, loop, ctx);
  if (s.kind === 'view') {
    const operand = node.inputs[0]!;
    return readThrough(operand, operand.shape, loop, ctx);
  }
  if (node.shape.length === 0) return atom(ctx.names.get(node)!);
  return readThrough(node, node.shape, loop, ctx);
}

/** Reads `node`'s memory laid out as `shape`, broadcast over the loop. */
function readThrough(node: Node, shape: Shape, loop: LoopIndex, ctx: ReadContext): Rendered {
  if (node.op === 'const') return renderNumber(node.value, node.dtype, 'ts');
  if (node.shape.length === 0) return readElement(node, loop, ctx);
  const s = ctx.storage.get(node)!;
  if (s.kind === 'view' || s.kind === 'fused') return readElement(node, loop, ctx);
  const memory = memoryOf(node, ctx);
  if (memory === null) {
    // A reshaped scalar or constant has one value, whatever the index.
    const base = baseOf(node, ctx.storage);
    if (base.shape.length === 0 || base.op === 'const') return readElement(base, SCALAR_LOOP, ctx);
    throw new Error(`internal: ${node.op} is not in memory`);
  }
  const element = `${memory.array}[${offsetIndex(memory.offset, elementIndex(shape, loop))}]`;
  return node.dtype === 'bool' ? { text: `${element} !== 0`, prec: PREC.equality } : atom(element);
}

/** The node's own op applied to its operands, read at the same loop position. */
export function renderInline(node: Node, loop: LoopIndex, ctx: ReadContext): Rendered {
  if (node.op === 'const' || node.op === 'input') return readElement(node, loop, ctx);
  const emission = OP_TABLE[node.op].emission;
  if (emission?.kind === 'dimSize') return atom(dimExpr(node.attrs['dim'] as Dim));
  // arange's element i is i: the index of the loop reading it.
  if (emission?.kind === 'indexVector' && emission.points === 'integers') return atom(elementIndex(node.shape, loop));
  // A one-element tensor reshaped to a scalar is its element 0 (a flat copy has no scalar syntax).
  if (emission?.kind === 'flatCopy' && node.shape.length === 0) {
    const x = node.inputs[0]!;
    return readElement(x, x.shape.length === 0 ? SCALAR_LOOP : { shape: x.shape, indices: null, flat: '0' }, ctx);
  }
  const args = node.inputs.map((n) => readElement(n, loop, ctx));
  return applyForm(OP_TABLE[node.op].syntax.ts, args, 'ts');
}

/** Whether every tensor read while computing `node` can use the flat index of a loop over `shape`. */
export function flatReadable(node: Node, shape: Shape, ctx: ReadContext): boolean {
  // An explicit stack over the fused operands: a fused chain may be thousands deep.
  const pending: Node[] = [node];
  for (let n = pending.pop(); n !== undefined; n = pending.pop()) {
    for (const operand of n.inputs) {
      if (operand.shape.length === 0 || operand.op === 'const') continue;
      const s = ctx.storage.get(operand)!;
      if (s.kind === 'view' || !shapesEqual(operand.shape, shape)) return false;
      if (s.kind === 'fused') pending.push(operand);
    }
  }
  return true;
}
