/**
 * A loop in the kernel: one `for` statement per scan group, the body emitted
 * once inside it (planned like a kernel of its own: fused loops, gemm calls,
 * workspace buffers), so the emitted text does not grow with the trip count.
 * Carries live in workspace buffers (or `let` locals for scalars) and are
 * updated after each step; per-step outputs are written straight into their
 * row of the stacked result; the carry history is written as the step
 * starts — every row, or for a checkpointed loop only snapshots, from which
 * the backward loop reading it rebuilds the rest (scanRefill.ts, tape.ts).
 */
import type { ApplyNode } from '../../ir/node.ts';
import type { ScanBody } from '../../ir/scanBody.ts';
import { loopKey, scanInfo } from '../../ir/scanNode.ts';
import type { ScanInfo } from '../../ir/scanNode.ts';
import { dimExpr, sizeExpr } from './dims.ts';
import { lineComment } from '../safeText.ts';
import type { Storage } from './plan.ts';
import { readTapes, writeSnapshots } from './scanRefill.ts';
import {
  boundaryLines, copyLoop, elem, indent, inputsRead, loopHeader, outerMemory, readFlat, readScalar, recordCarries, sequencePlace, stepLines, stepRoots,
} from './scanStep.ts';
import type { Place, StepSpec, Target } from './scanStep.ts';
import type { StatementContext } from './statements.ts';
import { segmentExpr } from './tape.ts';

function membersOf(node: ApplyNode, ctx: StatementContext): ApplyNode[] {
  const key = loopKey(node);
  const out: ApplyNode[] = [];
  for (const n of ctx.storage.keys()) if (n.op === 'scan' && loopKey(n) === key) out.push(n);
  return out;
}

/**
 * Which carries and outputs the step must compute: those asked for, and the
 * carries they read, to a fixed point; and the body inputs the step then reads.
 */
function liveParts(b: ScanBody, members: readonly ApplyNode[], allCarries: boolean) {
  const asked = (part: string, i: number) => members.some((m) => m.attrs['part'] === part && m.attrs['index'] === i);
  const outputs = b.outputs.map((_, j) => asked('stack', j));
  const carries = b.carries.map((_, k) => allCarries || asked('carry', k) || asked('history', k));
  for (let changed = true; changed; ) {
    changed = false;
    const read = inputsRead(stepRoots(b, carries, outputs));
    b.carries.forEach((c, k) => {
      if (!carries[k] && read.has(c)) carries[k] = changed = true;
    });
  }
  return { carries, outputs, read: inputsRead(stepRoots(b, carries, outputs)) };
}

/** A loop's storage as the body sees it: carries, and the statements that set them up. */
interface Carries {
  readonly places: readonly (Place | null)[];
  readonly setup: string[];
}

function memberStorage(members: readonly ApplyNode[], part: string, index: number, ctx: StatementContext): { node: ApplyNode; storage: Storage } | null {
  const node = members.find((m) => m.attrs['part'] === part && m.attrs['index'] === index);
  return node === undefined ? null : { node, storage: ctx.storage.get(node)! };
}

function setUpCarries(info: ScanInfo, live: readonly boolean[], members: readonly ApplyNode[], ctx: StatementContext): Carries {
  const b = info.bodyDef;
  const setup: string[] = [];
  const places = b.carries.map((c, k): Place | null => {
    if (!live[k]) return null;
    const init = info.inits[k]!;
    const member = memberStorage(members, 'carry', k, ctx);
    if (c.shape.length === 0) {
      const name = member !== null ? ctx.names.get(member.node)! : ctx.claim(b.hints.carries[k]!);
      setup.push(`let ${name} = ${readScalar(init, ctx)};`);
      return { kind: 'scalar', name };
    }
    let at: Target;
    if (member !== null && member.storage.kind === 'buffer') at = { array: member.storage.array, offset: member.storage.offset };
    else {
      const name = ctx.claim(b.hints.carries[k]!);
      ctx.addSlot(name, sizeExpr(c.shape));
      at = { array: name, offset: '0' };
    }
    setup.push(copyLoop(sizeExpr(c.shape), ctx, (i) => elem(at, i), (i) => readFlat(init, i, ctx)));
    return { kind: 'memory', at };
  });
  return { places, setup };
}

/** An outer value the body reads whole: its memory, or a copy in a workspace buffer when it has none (a constant). */
export function scanStatement(node: ApplyNode, ctx: StatementContext): string[] {
  const members = membersOf(node, ctx);
  if (members[0] !== node) return [];
  const info = scanInfo(node);
  const b = info.bodyDef;
  const setup: string[] = [];
  const T = dimExpr(info.length);
  let steps = T;
  if (info.counted) {
    steps = ctx.claim('steps');
    setup.push(`const ${steps} = Math.min(${T}, Math.max(0, Math.round(${readScalar(info.count!, ctx)})));`);
  }
  const histories = b.carries.map((_, k) => memberStorage(members, 'history', k, ctx));
  const checkpointed = histories.some((h) => h !== null && h.storage.kind === 'tape');
  const live = liveParts(b, members, checkpointed);
  const carries = setUpCarries(info, live.carries, members, ctx);
  setup.push(...carries.setup);
  const step = ctx.claim('t');
  const perStep: string[] = [];
  const countMember = memberStorage(members, 'count', 0, ctx);
  const countVar = countMember === null ? null : ctx.names.get(countMember.node)!;
  if (countVar !== null) setup.push(`let ${countVar} = 0;`);
  const closures = info.closures.map((w, j): Place | null => {
    if (!live.read.has(b.closures[j]!)) return null;
    if (w.shape.length > 0) return { kind: 'memory', at: outerMemory(w, b.hints.closures[j]!, ctx, setup) };
    const name = ctx.temporary();
    setup.push(`const ${name} = ${readScalar(w, ctx)};`);
    return { kind: 'scalar', name };
  });
  const sequencesRead = b.sequences.map((x) => live.read.has(x));
  const tapeReads = readTapes(info, sequencesRead, step, steps, ctx, setup, perStep);
  const sequences = info.sequences.map((x, i): Place | null => {
    if (!sequencesRead[i]) return null;
    const fromTape = tapeReads.get(x);
    if (fromTape?.kind === 'scalar') return fromTape;
    if (fromTape !== undefined) return sequencePlace(b.sequences[i]!, fromTape.at, '0', ctx, perStep);
    return sequencePlace(b.sequences[i]!, outerMemory(x, b.hints.sequences[i]!, ctx, setup), step, ctx, perStep);
  });
  const stacks = b.outputs.map((_, j): Target | null => {
    const m = memberStorage(members, 'stack', j, ctx);
    return m !== null && m.storage.kind === 'buffer' ? { array: m.storage.array, offset: m.storage.offset } : null;
  });
  const before: string[] = [];
  if (checkpointed) before.push(...writeSnapshots(info, carries.places, members, step, ctx));
  else {
    const into = histories.map((h) => (h !== null && h.storage.kind === 'buffer' ? { array: h.storage.array, offset: h.storage.offset } : null));
    before.push(...recordCarries(info, carries.places, into, step, ctx));
  }
  const spec: StepSpec = { info, carries: carries.places, step, steps, sequences, closures, stacks, outputs: live.outputs, before, countVar };
  const carried = b.hints.carries.filter((_, k) => carries.places[k] !== null);
  const loop = [
    // The carries' names are the model's own: they pass the comment gate.
    lineComment(`${info.reverse ? `steps ${steps} - 1 down to 0` : `steps 0 to ${steps} - 1`}${carried.length > 0 ? `, carrying ${carried.join(', ')}` : ''}${checkpointed ? ` (tape: ${info.checkpoint === -2 ? 'the first state, for halving' : `every ${segmentExpr(info)}-th state`})` : ''}`),
    loopHeader(info, step, steps),
    ...indent([...boundaryLines(spec), ...before, ...perStep, ...stepLines(spec, ctx)]),
    '}',
  ];
  return [...setup, ...loop];
}

/** Snapshots of every carry at steps 0, K, 2K, …, for the backward loops to restart from. */
