/**
 * The tape of reverse mode through a loop: the carry history the backward
 * sweep reads, last step first. Kept whole (T rows), or, when the loop asks
 * for checkpointing, as every K-th row (the snapshots) plus one segment of K
 * rows that the backward sweep refills by rerunning the step from the
 * segment's snapshot. The emitter sizes its buffers from here and the report
 * reads the same numbers, so what is reported is what is allocated.
 */
import type { ApplyNode, Node } from '../../ir/node.ts';
import { topoSort } from '../../ir/program.ts';
import { loopKey as loopKeyOf, scanInfo } from '../../ir/scanNode.ts';
import type { ScanInfo } from '../../ir/scanNode.ts';
import { concreteShape, sizeOf } from '../../ir/tensor.ts';
import { dimExpr } from './dims.ts';
import { pruneLoops } from './pruneLoops.ts';

/**
 * Whether a history result is kept as a checkpointed tape: its loop asks for
 * it and runs forward every step (no while condition, no run-time count),
 * and only backward loops of the same length read it, as a sequence.
 */
export function isCheckpointedHistory(node: Node, users: readonly Node[], isRoot: boolean): boolean {
  if (node.op !== 'scan' || node.attrs['part'] !== 'history' || isRoot || users.length === 0) return false;
  const info = scanInfo(node);
  if (info.checkpoint === 0 || info.reverse || info.counted || info.bodyDef.cond !== null) return false;
  return users.every((u) => {
    if (u.op !== 'scan') return false;
    const reader = scanInfo(u);
    return reader.reverse && !reader.counted && reader.length === info.length && !reader.inits.includes(node) && !reader.closures.includes(node);
  });
}

/** Slots of the halving stack: ⌊log₂ T⌋ + 2 states (the deepest the stack gets). */
export function halvingSlotsExpr(info: ScanInfo): string {
  if (typeof info.length === 'number') return String(Math.floor(Math.log2(Math.max(info.length, 1))) + 2);
  return `Math.floor(Math.log2(Math.max(${info.length}, 1))) + 2`;
}

/** Steps rerun by halving over T steps: the stack's pushes, simulated. */
export function halvingReruns(T: number): number {
  const stack = [0];
  let reruns = 0;
  for (let t = T - 1; t >= 0; t--) {
    while (stack[stack.length - 1]! > t) stack.pop();
    let p = stack[stack.length - 1]!;
    while (p < t) {
      const m = p + ((t - p + 1) >> 1);
      reruns += m - p;
      stack.push(m);
      p = m;
    }
  }
  return reruns;
}

/** The segment length K as an expression: fixed, or ⌈√T⌉. */
export function segmentExpr(info: ScanInfo): string {
  if (info.checkpoint > 0) return String(info.checkpoint);
  if (typeof info.length === 'number') return String(Math.max(1, Math.ceil(Math.sqrt(info.length))));
  return `Math.max(1, Math.ceil(Math.sqrt(${info.length})))`;
}

/** Number of snapshots, ⌈T / K⌉, as an expression. */
export function snapshotCountExpr(info: ScanInfo): string {
  const k = segmentExpr(info);
  if (typeof info.length === 'number' && /^\d+$/.test(k)) return String(Math.ceil(info.length / Number(k)));
  return `Math.ceil(${dimExpr(info.length)} / ${k})`;
}

export function timesExpr(count: string, size: string): string {
  if (/^\d+$/.test(count) && /^\d+$/.test(size)) return String(Number(count) * Number(size));
  const wrap = (e: string) => (/[+-]/.test(e) ? `(${e})` : e);
  return `${wrap(count)} * ${wrap(size)}`;
}

export interface TapeReport {
  /** Elements of the full history, as if every carry of every step were kept. */
  readonly fullElements: number;
  /** Elements actually kept: full histories plus snapshots and segment buffers of checkpointed ones. */
  readonly elements: number;
  readonly bytes: number;
  /** Loop steps the backward sweeps rerun to refill their segments. */
  readonly recomputedSteps: number;
}

function usersOf(order: readonly Node[]): Map<Node, Node[]> {
  const users = new Map<Node, Node[]>(order.map((n) => [n, []]));
  for (const node of order) for (const operand of node.inputs) users.get(operand)!.push(node);
  return users;
}

/** Tape memory of the kernel computing `roots`, at the given sizes of named dimensions. */
export function tapeReport(given: readonly Node[], sizes: Readonly<Record<string, number>> = {}): TapeReport {
  // What the emitter allocates: the kernel's loops without their dead parts.
  const roots = pruneLoops(given).roots;
  const order = topoSort(roots);
  const users = usersOf(order);
  const rootSet = new Set(roots);
  let full = 0;
  let kept = 0;
  let recomputed = 0;
  const seen = new Set<string>();
  for (const node of order) {
    if (node.op !== 'scan' || node.attrs['part'] !== 'history') continue;
    const info = scanInfo(node as ApplyNode);
    const T = typeof info.length === 'number' ? info.length : sizes[info.length]!;
    const rows = sizeOf(concreteShape(node.shape.slice(1), sizes));
    full += T * rows;
    if (!isCheckpointedHistory(node, users.get(node)!, rootSet.has(node))) {
      kept += T * rows;
      continue;
    }
    const halving = info.checkpoint === -2;
    const K = info.checkpoint > 0 ? info.checkpoint : Math.max(1, Math.ceil(Math.sqrt(T)));
    const slots = Math.floor(Math.log2(Math.max(T, 1))) + 2;
    const state = info.bodyDef.carries.reduce((acc, c) => acc + sizeOf(concreteShape(c.shape, sizes)), 0);
    // Once per loop: its snapshots (or the halving stack and its step numbers).
    const loop = loopKeyOf(node as ApplyNode);
    if (!seen.has(loop)) {
      seen.add(loop);
      kept += halving ? slots * state + slots : Math.ceil(T / K) * state;
    }
    const readers = new Set(users.get(node)!.map((u) => loopKeyOf(u as ApplyNode)));
    for (const reader of readers) {
      // Each reader refills a segment of this history (halving reads the working state itself).
      if (!halving) kept += K * rows;
      const pair = `${reader}→${loop}`;
      if (seen.has(pair)) continue;
      seen.add(pair);
      // Once per reader and loop: the working state the step reruns on, and the reruns.
      kept += state;
      recomputed += halving ? halvingReruns(T) : T - Math.ceil(T / K);
    }
  }
  return { fullElements: full, elements: kept, bytes: 8 * kept, recomputedSteps: recomputed };
}
