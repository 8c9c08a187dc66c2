/**
 * Where each value of a tensor kernel lives. Elementwise tensors with one
 * elementwise user of the same shape are fused into that user's loop; a
 * broadcast read by elementwise users is a strided view, a reshape an alias
 * of its operand's buffer, a matrix transpose read by matmul a strided view;
 * everything else gets a buffer, reused once its last reader has run.
 *
 * Buffers are named after the value they hold: the model variable bound to
 * it (`hidden`), its adjoint or tangent (`hiddenBar`, `hiddenDot`), else its
 * op (ir/origin.ts). A reused buffer is one workspace array with one name
 * per live range: the value that takes it over is written through
 * `const logitsBar = mul;`, a second name for the same array, so reading the
 * kernel each write says what it holds, with no extra allocation or copy.
 */
import type { Node } from '../../ir/node.ts';
import type { LoopEmission } from '../../ir/loopEmission.ts';
import { isElementwise } from '../../ir/ops.ts';
import { OP_TABLE } from '../../ir/opTable.ts';
import { topoSort } from '../../ir/program.ts';
import { shapesEqual } from '../../ir/shape.ts';
import { bodyOf } from '../../ir/scanBody.ts';
import { loopKey } from '../../ir/scanNode.ts';
import { valueNameOf } from '../../ir/origin.ts';
import { sizeExpr } from './dims.ts';
import { isCheckpointedHistory } from './tape.ts';

export type Storage =
  | { readonly kind: 'param' }
  | { readonly kind: 'literal' }
  /** A rank-0 value: inlined into its user, or bound to a local. */
  | { readonly kind: 'scalar'; readonly bound: boolean }
  /** A tensor in `array` starting at `offset` (a workspace buffer or an output parameter). */
  | { readonly kind: 'buffer'; readonly array: string; readonly offset: string }
  | { readonly kind: 'alias'; readonly of: Node }
  | { readonly kind: 'fused' }
  | { readonly kind: 'view' }
  | { readonly kind: 'transposed' }
  /** A checkpointed carry history: snapshots, refilled segment by segment by the backward loop that reads it (tape.ts). */
  | { readonly kind: 'tape' };

export interface BufferSlot {
  readonly name: string;
  readonly size: string;
}

export interface Plan {
  readonly order: readonly Node[];
  readonly storage: ReadonlyMap<Node, Storage>;
  /** Workspace buffers, allocated once per distinct set of sizes. */
  readonly slots: readonly BufferSlot[];
  readonly users: ReadonlyMap<Node, readonly Node[]>;
  /**
   * Live ranges of a reused buffer after the first, by the node they hold:
   * the statement computing the node is preceded by `const <its name> =
   * <buffer>;`, so each write reads as what it holds at no allocation.
   */
  readonly aliases: ReadonlyMap<Node, { readonly name: string; readonly of: string }>;
}

/** Where a root tensor is written: the output parameter and the offset. */
export interface Placement {
  readonly array: string;
  readonly offset: string;
}

function usersOf(order: readonly Node[]): Map<Node, Node[]> {
  const users = new Map<Node, Node[]>(order.map((n) => [n, []]));
  for (const node of order) for (const operand of node.inputs) users.get(operand)!.push(node);
  return users;
}

const emissionOf = (n: Node): LoopEmission | undefined => (n.op === 'const' || n.op === 'input' ? undefined : OP_TABLE[n.op].emission);
const isMatmul = (n: Node): boolean => emissionOf(n)?.kind === 'matmul';
const stridedView = (n: Node, view: 'transposeView' | 'elementwiseView'): boolean => {
  const e = emissionOf(n);
  return e?.kind === 'stridedCopy' && e[view] === true;
};
/** A 2-D axis swap, which a matrix product reads through strides. */
const isMatrixTranspose = (n: Node): boolean =>
  n.op !== 'const' && n.op !== 'input' && stridedView(n, 'transposeView') && n.shape.length === 2 && (n.attrs['perm'] as number[])[0] === 1;

const isIntegerRange = (n: Node): boolean => {
  const e = emissionOf(n);
  return e?.kind === 'indexVector' && e.points === 'integers';
};

function decide(node: Node, users: readonly Node[], isRoot: boolean, materialize: boolean): Storage | 'buffer' {
  if (node.op === 'input') return { kind: 'param' };
  if (node.op === 'const') return { kind: 'literal' };
  if (node.shape.length === 0) {
    const bound = materialize || users.length + (isRoot ? 1 : 0) > 1 || users.some((u) => u.shape.length > 0) || !isElementwise(node.op);
    return { kind: 'scalar', bound: emissionOf(node)?.kind === 'dimSize' ? false : bound };
  }
  if (isRoot) return 'buffer';
  if (isCheckpointedHistory(node, users, isRoot)) return { kind: 'tape' };
  // Reshape and stopGradient keep the elements in order: the operand's memory is the value.
  if (emissionOf(node)?.kind === 'flatCopy') return { kind: 'alias', of: node.inputs[0]! };
  const allElementwise = users.length > 0 && users.every((u) => isElementwise(u.op));
  if (stridedView(node, 'elementwiseView') && allElementwise) return { kind: 'view' };
  if (isMatrixTranspose(node) && users.every((u) => isMatmul(u) && u.shape.length === 2)) return { kind: 'transposed' };
  // arange read by elementwise code is the loop's index there: nothing stored, so any number of users may read it.
  if (!materialize && isIntegerRange(node) && allElementwise) return { kind: 'fused' };
  if (!materialize && isElementwise(node.op) && users.length === 1 && isElementwise(users[0]!.op) && shapesEqual(users[0]!.shape, node.shape)) {
    return { kind: 'fused' };
  }
  return 'buffer';
}

/** A reshape reads its operand's memory as is, so the operand must be materialized. */
function materializable(s: Storage | 'buffer'): boolean {
  return s === 'buffer' || s.kind === 'param' || s.kind === 'alias' || s.kind === 'buffer' || s.kind === 'tape';
}

export function planKernel(
  roots: readonly Node[],
  placements: ReadonlyMap<Node, Placement>,
  claim: (preferred: string) => string,
  /** Every computed value in memory or a local of its own, none fused (the checkFinite build checks each). */
  materialize = false,
): Plan {
  const order = groupLoops(topoSort(roots));
  const users = usersOf(order);
  const rootSet = new Set(roots);
  const decided = new Map<Node, Storage | 'buffer'>();
  for (const node of order) decided.set(node, decide(node, users.get(node)!, rootSet.has(node), materialize));
  // Operands of reshapes, transposed views and structural ops must be in memory.
  for (const node of order) {
    const s = decided.get(node)!;
    const needsMemory = s !== 'buffer' && (s.kind === 'alias' || s.kind === 'transposed');
    if (!needsMemory && (isElementwise(node.op) || node.op === 'input' || node.op === 'const')) continue;
    for (const operand of node.inputs) {
      const os = decided.get(operand)!;
      if (operand.shape.length === 0 || materializable(os)) continue;
      if (os !== 'buffer' && os.kind === 'transposed' && isMatmul(node)) continue;
      if (os !== 'buffer' && os.kind === 'literal' && !needsMemory && !isMatmul(node)) continue;
      decided.set(operand, 'buffer');
    }
  }
  limitInlining(order, decided);
  return assignBuffers(order, users, decided, placements, rootSet, claim);
}

/**
 * Fused tensors and unbound scalars are written into their user's expression,
 * so a chain of them is one expression as deep as the chain. Past this depth
 * the value gets a buffer or a local of its own: the emitted line stays
 * readable, and neither the emitter nor the parser of the generated module
 * recurses thousands of levels deep.
 */
export const MAX_INLINE_DEPTH = 48;

const isInlined = (s: Storage | 'buffer'): boolean => s !== 'buffer' && (s.kind === 'fused' || (s.kind === 'scalar' && !s.bound));

function limitInlining(order: readonly Node[], decided: Map<Node, Storage | 'buffer'>): void {
  const depth = new Map<Node, number>();
  for (const node of order) {
    const s = decided.get(node)!;
    if (!isInlined(s)) continue;
    const below = node.inputs.reduce((d, operand) => Math.max(d, depth.get(operand) ?? 0), 0);
    if (below + 1 < MAX_INLINE_DEPTH) depth.set(node, below + 1);
    else decided.set(node, s !== 'buffer' && s.kind === 'scalar' ? { kind: 'scalar', bound: true } : 'buffer');
  }
}

/**
 * The results of one loop are computed by one statement, at the first of
 * them: the others move up to it (they have the same operands, so operands
 * still come first), which keeps buffer lifetimes true to when they are written.
 */
function groupLoops(order: readonly Node[]): Node[] {
  const members = new Map<string, Node[]>();
  for (const node of order) {
    if (node.op !== 'scan') continue;
    const key = loopKey(node);
    members.set(key, [...(members.get(key) ?? []), node]);
  }
  if (members.size === 0) return [...order];
  const out: Node[] = [];
  const placed = new Set<Node>();
  for (const node of order) {
    if (placed.has(node)) continue;
    const group = node.op === 'scan' ? members.get(loopKey(node))! : [node];
    for (const n of group) placed.add(n);
    out.push(...group);
  }
  return out;
}

/**
 * A loop's results are named after what they hold (`h`, `hSteps`, `hHistory`);
 * other buffers after the model variable they hold (`hidden`, `logitsBar`,
 * ir/origin.ts), else after their op.
 */
function bufferName(node: Node): string {
  // A tensor constant a matrix product reads from memory needs a buffer; 'const' is a reserved word.
  if (node.op === 'const') return 'constant';
  if (node.op !== 'scan') return valueNameOf(node) ?? node.op;
  const b = bodyOf(node.attrs['body'] as string);
  const index = node.attrs['index'] as number;
  switch (node.attrs['part']) {
    case 'carry':
      return b.hints.carries[index]!;
    case 'stack':
      return `${b.hints.outputs[index]!}Steps`;
    case 'history':
      return `${b.hints.carries[index]!}History`;
    default:
      return 'steps';
  }
}

/** The node whose buffer an alias reads. */
export function baseOf(node: Node, storage: ReadonlyMap<Node, Storage>): Node {
  let n = node;
  for (let s = storage.get(n); s !== undefined && s.kind === 'alias'; s = storage.get(n)) n = s.of;
  return n;
}

/**
 * Greedy buffer reuse: a buffer is free once every reader of its value (and
 * of aliases of it) has run, and is handed to a later value of the same size.
 */
function assignBuffers(
  order: readonly Node[],
  users: ReadonlyMap<Node, readonly Node[]>,
  decided: ReadonlyMap<Node, Storage | 'buffer'>,
  placements: ReadonlyMap<Node, Placement>,
  roots: ReadonlySet<Node>,
  claim: (preferred: string) => string,
): Plan {
  const storage = new Map<Node, Storage>();
  // A fused value or a view is read where its user's statement runs, so that
  // is the position that keeps its operands' buffers alive.
  const position = new Map<Node, number>();
  for (let i = order.length - 1; i >= 0; i--) {
    const node = order[i]!;
    const d = decided.get(node)!;
    const deferred = d !== 'buffer' && (d.kind === 'fused' || d.kind === 'view' || d.kind === 'transposed');
    // Folded, not Math.max(...readers): a node may have more readers than a call takes arguments.
    const readers = users.get(node)!.map((u) => position.get(u)!);
    position.set(node, deferred && readers.length > 0 ? readers.reduce((a, b) => Math.max(a, b)) : i);
  }
  const lastUse = new Map<Node, number>();
  // A loop along the alias chain: reshapes of reshapes may be thousands deep.
  const baseFor = (n: Node): Node => {
    let base = n;
    for (let d = decided.get(base)!; d !== 'buffer' && d.kind === 'alias'; d = decided.get(base)!) base = d.of;
    return base;
  };
  for (const node of order) {
    const base = baseFor(node);
    const uses = users.get(node)!.map((u) => position.get(u)!);
    const last = roots.has(node) ? Infinity : uses.reduce((a, b) => Math.max(a, b), position.get(node)!);
    lastUse.set(base, Math.max(lastUse.get(base) ?? -1, last));
  }
  const slots: BufferSlot[] = [];
  const free: BufferSlot[] = [];
  const preferredOf = new Map<BufferSlot, string>();
  const aliases = new Map<Node, { name: string; of: string }>();
  const holder = new Map<Node, BufferSlot>();
  // Holders by the position of their last use, so each statement frees what
  // is due without scanning every live buffer (quadratic in a long chain
  // whose values the backward pass keeps alive). `acquired` numbers holders.
  const dueAt = new Map<number, Node[]>();
  const acquired = new Map<Node, number>();
  let checkedUpTo = -1;
  let waiting: Node[] = [];
  order.forEach((node, t) => {
    const d = decided.get(node)!;
    if (d !== 'buffer') {
      storage.set(node, d);
    } else if (placements.has(node)) {
      const p = placements.get(node)!;
      storage.set(node, { kind: 'buffer', array: p.array, offset: p.offset });
    } else {
      const size = sizeExpr(node.shape);
      const reuse = free.findIndex((s) => s.size === size);
      const preferred = bufferName(node);
      const slot = reuse >= 0 ? free.splice(reuse, 1)[0]! : { name: claim(preferred), size };
      if (reuse < 0) {
        slots.push(slot);
        preferredOf.set(slot, preferred);
      }
      // A loop's results are written by one statement at the first of them, so they keep the buffer's name.
      let array = slot.name;
      if (reuse >= 0 && node.op !== 'scan' && preferredOf.get(slot) !== preferred) {
        array = claim(preferred);
        aliases.set(node, { name: array, of: slot.name });
      }
      holder.set(node, slot);
      acquired.set(node, acquired.size);
      const last = lastUse.get(node)!;
      if (last !== Infinity) {
        const bucket = dueAt.get(last);
        if (bucket === undefined) dueAt.set(last, [node]);
        else bucket.push(node);
      }
      storage.set(node, { kind: 'buffer', array, offset: '0' });
    }
    // Free after the statement that computes `node`, never during it; fused
    // values and views are not statements of their own.
    if (position.get(node)! !== t) return;
    for (; checkedUpTo < t; checkedUpTo++) for (const owner of dueAt.get(checkedUpTo + 1) ?? []) waiting.push(owner);
    // In the order the buffers were taken, as a scan of the holders would find them.
    const due = waiting.filter((owner) => owner !== node).sort((a, b) => acquired.get(a)! - acquired.get(b)!);
    waiting = waiting.filter((owner) => owner === node);
    for (const owner of due) {
      free.push(holder.get(owner)!);
      holder.delete(owner);
    }
  });
  return { order, storage, slots, users, aliases };
}
