/**
 * The scan node. Nodes are single-output, so a loop is a group of scan
 * nodes, one per result it is asked for (a final carry, a stacked per-step
 * output, the carry history a backward sweep reads, the step count of a
 * while loop), all with the same operands and attributes but `part` and
 * `index`. The emitter runs a group as one loop and the evaluator evaluates
 * it once; reverse mode differentiates a group at once.
 *
 * Operands: the carries' initial values, the sequences ([length, …]), the
 * closed-over values, and for a counted loop the run-time trip count last.
 */
import { applyWith, IRError } from './build.ts';
import type { ApplyNode, Attrs, Node } from './node.ts';
import { bodyOf } from './scanBody.ts';
import type { ScanBody } from './scanBody.ts';
import { ShapeError, shapeToString, shapesEqual } from './shape.ts';
import type { Dim, Shape } from './shape.ts';

export type ScanPart = 'carry' | 'stack' | 'history' | 'count';

/** Attributes shared by every node of a loop. */
export interface LoopAttrs {
  readonly body: string;
  /** The trip count (the bound, for a while loop or a counted loop). */
  readonly length: Dim;
  /** Steps run from length - 1 down to 0. */
  readonly reverse: boolean;
  /** Window length of truncation: boundaries fall before forward steps every, 2·every, …; 0 for none. */
  readonly every: number;
  /** Carries that pass through stopGradient at window boundaries (truncated BPTT). */
  readonly stop: readonly number[];
  /** Carries set to zero at window boundaries (the cotangents and tangents of cut carries). */
  readonly zero: readonly number[];
  /** Checkpointing of the carry history: 0 keeps all of it; k > 0 keeps every k-th carry; -1 every ⌈√length⌉-th; -2 a stack refined by halving. */
  readonly checkpoint: number;
  /** The last operand is the number of steps to run (≤ length). */
  readonly counted: boolean;
}

export interface ScanInfo extends LoopAttrs {
  readonly bodyDef: ScanBody;
  readonly inits: readonly Node[];
  readonly sequences: readonly Node[];
  readonly closures: readonly Node[];
  readonly count: Node | null;
  readonly part: ScanPart;
  readonly index: number;
}

export function loopAttrs(attrs: Attrs): LoopAttrs {
  return {
    body: attrs['body'] as string,
    length: attrs['length'] as Dim,
    reverse: attrs['reverse'] as boolean,
    every: attrs['every'] as number,
    stop: attrs['stop'] as number[],
    zero: attrs['zero'] as number[],
    checkpoint: attrs['checkpoint'] as number,
    counted: attrs['counted'] as boolean,
  };
}

export function scanInfo(node: ApplyNode): ScanInfo {
  const a = loopAttrs(node.attrs);
  const b = bodyOf(a.body);
  const nc = b.carries.length;
  const ns = b.sequences.length;
  const nw = b.closures.length;
  return {
    ...a,
    bodyDef: b,
    inits: node.inputs.slice(0, nc),
    sequences: node.inputs.slice(nc, nc + ns),
    closures: node.inputs.slice(nc + ns, nc + ns + nw),
    count: a.counted ? node.inputs[nc + ns + nw]! : null,
    part: node.attrs['part'] as ScanPart,
    index: node.attrs['index'] as number,
  };
}

/** Identifies a node's loop: everything but which result it is. */
export function loopKey(node: ApplyNode): string {
  const { part: _part, index: _index, ...rest } = node.attrs;
  return `${node.inputs.map((n) => n.id).join(',')}|${JSON.stringify(Object.keys(rest).sort().map((k) => [k, rest[k]]))}`;
}

function attrsOf(a: LoopAttrs, part: ScanPart, index: number): Attrs {
  return { ...a, stop: [...a.stop], zero: [...a.zero], part, index };
}

/** The node for one result of a loop. */
export function scanNode(a: LoopAttrs, operands: readonly Node[], part: ScanPart, index: number): ApplyNode {
  return applyWith('scan', operands, attrsOf(a, part, index));
}

/** The node for another result of the same loop as `node`. */
export function sibling(node: ApplyNode, part: ScanPart, index: number): ApplyNode {
  return scanNode(loopAttrs(node.attrs), node.inputs, part, index);
}

function expectShape(what: string, got: Shape, want: Shape): void {
  if (!shapesEqual(got, want)) throw new ShapeError(`scan: ${what} has shape ${shapeToString(got)}, the body expects ${shapeToString(want)}`);
}

/** The shape rule: operands checked against the body, then the requested result's shape. */
export function scanShape(inputs: readonly Shape[], attrs: Attrs): Shape {
  const a = loopAttrs(attrs);
  const b = bodyOf(a.body);
  const [nc, ns, nw] = [b.carries.length, b.sequences.length, b.closures.length];
  const want = nc + ns + nw + (a.counted ? 1 : 0);
  if (inputs.length !== want) throw new IRError(`scan takes ${want} operands for its body, got ${inputs.length}`);
  b.carries.forEach((c, k) => expectShape(`the initial value of carry ${b.hints.carries[k]}`, inputs[k]!, c.shape));
  b.sequences.forEach((x, i) => expectShape(`sequence ${b.hints.sequences[i]}`, inputs[nc + i]!, [a.length, ...x.shape]));
  b.closures.forEach((w, j) => expectShape(`closed-over value ${b.hints.closures[j]}`, inputs[nc + ns + j]!, w.shape));
  if (a.counted) expectShape('the trip count', inputs[want - 1]!, []);
  const index = attrs['index'] as number;
  switch (attrs['part'] as ScanPart) {
    case 'carry':
      return b.carries[index]!.shape;
    case 'stack':
      return [a.length, ...b.outputs[index]!.shape];
    case 'history':
      return [a.length, ...b.carries[index]!.shape];
    case 'count':
      return [];
  }
}

/** Whether the carry entering step `s` crosses a window boundary (in forward time). */
export function isBoundary(a: LoopAttrs, s: number, length: number): boolean {
  if (a.every <= 0) return false;
  return a.reverse ? s < length - 1 && (s + 1) % a.every === 0 : s > 0 && s % a.every === 0;
}
