/**
 * Dead-code elimination inside loops, for one kernel's roots. A loop node
 * lists every carry, sequence and closed-over value of its body as an
 * operand, so the kernel's schedule (what its roots reach) keeps them all,
 * even those no result the kernel asks for depends on: a tangent loop carries
 * the primal `total` that no tangent reads, a backward loop takes the history
 * of a carry its cotangents do not depend on, and the forward loop then keeps
 * that history. Each loop is rebuilt over a body of only what the kernel's
 * results of it need (live carries to a fixed point, the per-step outputs
 * asked for, the inputs those read), then the loops that fed it, until
 * nothing changes; the generated code declares nothing it does not read.
 */
import { withInputs } from '../../ir/build.ts';
import type { ApplyNode, Node } from '../../ir/node.ts';
import { carryName, originOf, withOrigin } from '../../ir/origin.ts';
import { topoSort } from '../../ir/program.ts';
import { internBody } from '../../ir/scanBody.ts';
import type { ScanBody } from '../../ir/scanBody.ts';
import { loopAttrs, loopKey, scanInfo, scanNode } from '../../ir/scanNode.ts';
import type { ScanPart } from '../../ir/scanNode.ts';

/** Enough for a chain of loops each feeding the next (forward, backward, tangent). */
const MAX_ROUNDS = 16;

export interface PrunedRoots {
  readonly roots: Node[];
  /** Each rebuilt node, by the node it replaces. */
  readonly replaced: ReadonlyMap<Node, Node>;
}

export function pruneLoops(roots: readonly Node[]): PrunedRoots {
  let current = [...roots];
  const replaced = new Map<Node, Node>();
  for (let round = 0; round < MAX_ROUNDS; round++) {
    const step = pruneOnce(current);
    if (step.roots.every((n, i) => n === current[i])) break;
    for (const [from, to] of replaced) replaced.set(from, step.done.get(to) ?? to);
    for (const [from, to] of step.done) if (from !== to && !replaced.has(from)) replaced.set(from, to);
    current = step.roots;
  }
  return { roots: current, replaced };
}

interface Kept {
  readonly carries: readonly boolean[];
  readonly sequences: readonly boolean[];
  readonly closures: readonly boolean[];
  readonly outputs: readonly boolean[];
}

/** What the members of one loop need of its body: asked parts, the carries they read to a fixed point, and the inputs read. */
function keptParts(b: ScanBody, members: readonly ApplyNode[]): Kept {
  const asked = (part: ScanPart, i: number) => members.some((m) => m.attrs['part'] === part && m.attrs['index'] === i);
  const outputs = b.outputs.map((_, j) => asked('stack', j));
  const carries = b.carries.map((_, k) => asked('carry', k) || asked('history', k));
  let read = new Set<Node>();
  for (let changed = true; changed; ) {
    changed = false;
    read = new Set(topoSort([...(b.cond === null ? [] : [b.cond]), ...b.next.filter((_, k) => carries[k]), ...b.outputs.filter((_, j) => outputs[j])]));
    b.carries.forEach((c, k) => {
      if (!carries[k] && read.has(c)) carries[k] = changed = true;
    });
  }
  return { carries, outputs, sequences: b.sequences.map((x) => read.has(x)), closures: b.closures.map((w) => read.has(w)) };
}

const pick = <T>(xs: readonly T[], keep: readonly boolean[]): T[] => xs.filter((_, i) => keep[i]);

/** New positions of the kept entries (-1 for a dropped one). */
function renumber(keep: readonly boolean[]): number[] {
  let next = 0;
  return keep.map((k) => (k ? next++ : -1));
}

/** The members of one loop over the pruned body, by the member each replaces; null when nothing is dropped. */
function prunedLoop(members: readonly ApplyNode[], operand: (n: Node) => Node): Map<Node, Node> | null {
  const info = scanInfo(members[0]!);
  const b = info.bodyDef;
  const kept = keptParts(b, members);
  if ([kept.carries, kept.sequences, kept.closures, kept.outputs].every((k) => k.every(Boolean))) return null;
  const index = b.index !== null && topoSort([...pick(b.next, kept.carries), ...pick(b.outputs, kept.outputs), ...(b.cond === null ? [] : [b.cond])]).includes(b.index) ? b.index : null;
  const body = internBody({
    carries: pick(b.carries, kept.carries),
    sequences: pick(b.sequences, kept.sequences),
    closures: pick(b.closures, kept.closures),
    index,
    next: pick(b.next, kept.carries),
    outputs: pick(b.outputs, kept.outputs),
    cond: b.cond,
    hints: {
      carries: pick(b.hints.carries, kept.carries),
      sequences: pick(b.hints.sequences, kept.sequences),
      closures: pick(b.hints.closures, kept.closures),
      outputs: pick(b.hints.outputs, kept.outputs),
    },
  });
  const carryAt = renumber(kept.carries);
  const outputAt = renumber(kept.outputs);
  const carryList = (ks: readonly number[]) => ks.filter((k) => kept.carries[k]).map((k) => carryAt[k]!);
  const a = loopAttrs(members[0]!.attrs);
  const attrs = { ...a, body: body.key, stop: carryList(a.stop), zero: carryList(a.zero) };
  const operands = [
    ...pick(info.inits, kept.carries),
    ...pick(info.sequences, kept.sequences),
    ...pick(info.closures, kept.closures),
    ...(info.count === null ? [] : [info.count]),
  ].map(operand);
  const out = new Map<Node, Node>();
  for (const m of members) {
    const part = m.attrs['part'] as ScanPart;
    const i = m.attrs['index'] as number;
    const at = part === 'stack' ? outputAt[i]! : part === 'count' ? i : carryAt[i]!;
    out.set(m, withOrigin(originOf(m), () => scanNode(attrs, operands, part, at)));
  }
  return out;
}

/** One round: every loop pruned against the members the roots reach, the graph rebuilt over the results. */
function pruneOnce(roots: readonly Node[]): { roots: Node[]; done: Map<Node, Node> } {
  const order = topoSort(roots);
  const groups = new Map<string, ApplyNode[]>();
  for (const n of order) {
    if (n.op !== 'scan') continue;
    const key = loopKey(n);
    groups.set(key, [...(groups.get(key) ?? []), n]);
  }
  const done = new Map<Node, Node>();
  const mapped = (n: Node) => done.get(n) ?? n;
  for (const node of order) {
    if (done.has(node)) continue;
    if (node.op === 'const' || node.op === 'input') continue;
    if (node.op === 'scan') {
      const pruned = prunedLoop(groups.get(loopKey(node))!, mapped);
      if (pruned !== null) {
        for (const [from, to] of pruned) done.set(from, to);
        continue;
      }
    }
    const rebuilt = withOrigin(originOf(node), () => withInputs(node, node.inputs.map(mapped)));
    carryName(node, rebuilt);
    if (rebuilt !== node) done.set(node, rebuilt);
  }
  return { roots: roots.map(mapped), done };
}
