/**
 * Checkpointed tapes in the kernel (see tape.ts for the accounting): the
 * forward loop keeps snapshots, and a backward loop reading the history
 * rebuilds the states it needs by rerunning the forward step on them.
 */
import type { ApplyNode, Node } from '../../ir/node.ts';
import type { ScanBody } from '../../ir/scanBody.ts';
import { loopKey, scanInfo } from '../../ir/scanNode.ts';
import type { ScanInfo } from '../../ir/scanNode.ts';
import { sizeExpr } from './dims.ts';
import { memoryOf } from './reads.ts';
import {
  boundaryLines, copyLoop, elem, indent, inputsRead, outerMemory, plus, readScalar, recordCarries, sequencePlace, stepLines, stepRoots, times,
} from './scanStep.ts';
import type { Place, StepSpec, Target } from './scanStep.ts';
import type { StatementContext } from './statements.ts';
import { halvingSlotsExpr, segmentExpr, snapshotCountExpr, timesExpr } from './tape.ts';

export function writeSnapshots(info: ScanInfo, places: readonly (Place | null)[], members: readonly ApplyNode[], step: string, ctx: StatementContext): string[] {
  const halving = info.checkpoint === -2;
  const rows = halving ? halvingSlotsExpr(info) : snapshotCountExpr(info);
  const snaps = info.bodyDef.carries.map((c, k) => {
    const name = ctx.claim(`${info.bodyDef.hints.carries[k]}${halving ? 'Stack' : 'Snapshots'}`);
    ctx.addSlot(name, timesExpr(rows, sizeExpr(c.shape)));
    return { array: name, offset: '0' };
  });
  ctx.tapes.set(loopKey(members[0]!), snaps.map((s) => s.array));
  // Halving starts from the first state alone; segments keep every K-th.
  if (halving) return [`if (${step} === 0) {`, ...indent(recordCarries(info, places, snaps, '0', ctx)), '}'];
  const K = segmentExpr(info);
  const k = /^\d+$/.test(K) ? K : `(${K})`;
  return [`if (${step} % ${k} === 0) {`, ...indent(recordCarries(info, places, snaps, `${step} / ${k}`, ctx)), '}'];
}

/** Where a backward loop reads a checkpointed history's row for this step. */
export type TapeRow = { readonly kind: 'memory'; readonly at: Target } | { readonly kind: 'scalar'; readonly name: string };

/**
 * A backward loop reading checkpointed histories of a forward loop rebuilds
 * the forward states it needs by rerunning the forward step:
 * - segments: entering each segment (from its last step), it reruns the
 *   segment from its snapshot and records its states, then reads row
 *   step − segmentStart;
 * - halving: it keeps a stack of states (steps 0 = p₀ < p₁ < …); for step s it
 *   drops the states past s and, from the top one p, pushes the state halfway
 *   to s until it reaches s, whose state it then reads.
 */
export function readTapes(
  reader: ScanInfo, read: readonly boolean[], step: string, steps: string, ctx: StatementContext, setup: string[], perStep: string[],
): Map<Node, TapeRow> {
  const out = new Map<Node, TapeRow>();
  const sources = new Map<string, ApplyNode[]>();
  for (const [i, x] of reader.sequences.entries()) {
    if (!read[i] || ctx.storage.get(x)?.kind !== 'tape') continue;
    const key = loopKey(x as ApplyNode);
    if (!sources.get(key)?.includes(x as ApplyNode)) sources.set(key, [...(sources.get(key) ?? []), x as ApplyNode]);
  }
  for (const [key, histories] of sources) {
    const source = scanInfo(histories[0]!);
    const lines = source.checkpoint === -2
      ? refillByHalving(source, histories, ctx.tapes.get(key)!, step, steps, ctx, setup, out)
      : refillSegments(source, histories, ctx.tapes.get(key)!, step, steps, ctx, setup, out);
    perStep.push(...lines);
  }
  return out;
}

/** The forward step rerun on `places` at step `r`, for rebuilding states. */
function rerunStep(source: ScanInfo, places: readonly Place[], r: string, steps: string, ctx: StatementContext, setup: string[]) {
  const b = source.bodyDef;
  const scalarSeqs: string[] = [];
  // Rebuilding states needs every carry and no per-step output.
  const read = inputsRead(stepRoots(b, b.carries.map(() => true), b.outputs.map(() => false)));
  const spec: StepSpec = {
    info: source,
    carries: places,
    step: r,
    steps,
    sequences: source.sequences.map((x, i) => {
      const x0 = b.sequences[i]!;
      return read.has(x0) ? sequencePlace(x0, outerMemory(x, b.hints.sequences[i]!, ctx, setup), r, ctx, scalarSeqs) : null;
    }),
    closures: source.closures.map((w, j): Place | null => {
      if (!read.has(b.closures[j]!)) return null;
      const m = memoryOf(w, ctx);
      return m !== null ? { kind: 'memory', at: m } : { kind: 'scalar', name: `(${readScalar(w, ctx)})` };
    }),
    stacks: b.outputs.map(() => null),
    outputs: b.outputs.map(() => false),
    before: [],
    countVar: null,
  };
  return { boundary: boundaryLines(spec), body: [...scalarSeqs, ...stepLines(spec, ctx)] };
}

/** Working copies of the forward loop's carries: workspace buffers, or `let` locals declared in `declare`. */
function workingCarries(b: ScanBody, suffix: string, ctx: StatementContext, declare: string[]): Place[] {
  return b.carries.map((c, ci): Place => {
    if (c.shape.length === 0) {
      const name = ctx.claim(`${b.hints.carries[ci]}${suffix}`);
      declare.push(`let ${name} = 0;`);
      return { kind: 'scalar', name };
    }
    const name = ctx.claim(`${b.hints.carries[ci]}${suffix}`);
    ctx.addSlot(name, sizeExpr(c.shape));
    return { kind: 'memory', at: { array: name, offset: '0' } };
  });
}

/** Copies row `row` of the state buffers `from` into the working carries. */
function restore(b: ScanBody, places: readonly Place[], from: readonly string[], row: string, ctx: StatementContext): string[] {
  return b.carries.flatMap((c, ci) => {
    const p = places[ci]!;
    const size = sizeExpr(c.shape);
    const base = times(row, size);
    if (p.kind === 'scalar') return [`${p.name} = ${from[ci]}[${base}];`];
    return [copyLoop(size, ctx, (i) => elem(p.at, i), (i) => `${from[ci]}[${plus(base, i)}]`)];
  });
}

function refillSegments(
  source: ScanInfo, histories: readonly ApplyNode[], snaps: readonly string[], step: string, steps: string,
  ctx: StatementContext, setup: string[], out: Map<Node, TapeRow>,
): string[] {
  const b = source.bodyDef;
  const K = segmentExpr(source);
  const k = /^\d+$/.test(K) ? K : `(${K})`;
  const start = ctx.claim('segmentStart');
  setup.push(`let ${start} = 0;`);
  const segments = histories.map((h) => {
    const name = ctx.claim(`${b.hints.carries[h.attrs['index'] as number]}Segment`);
    ctx.addSlot(name, timesExpr(K, sizeExpr(h.shape.slice(1))));
    out.set(h, { kind: 'memory', at: { array: name, offset: times(`(${step} - ${start})`, sizeExpr(h.shape.slice(1))) } });
    return { index: h.attrs['index'] as number, at: { array: name, offset: '0' } };
  });
  const places = workingCarries(b, 'Rerun', ctx, setup);
  const r = ctx.claim('r');
  const into = b.carries.map((_, ci) => segments.find((s) => s.index === ci)?.at ?? null);
  const rerun = rerunStep(source, places, r, steps, ctx, setup);
  const loop = [...rerun.boundary, ...recordCarries(source, places, into, `(${r} - ${start})`, ctx), `if (${r} === ${step}) break;`, ...rerun.body];
  return [
    `if (${step} === ${steps} - 1 || (${step} + 1) % ${k} === 0) {`,
    ...indent([`${start} = ${step} - ${step} % ${k};`, ...restore(b, places, snaps, `${start} / ${k}`, ctx), `for (let ${r} = ${start}; ; ${r}++) {`, ...indent(loop), '}']),
    '}',
  ];
}

function refillByHalving(
  source: ScanInfo, histories: readonly ApplyNode[], stack: readonly string[], step: string, steps: string,
  ctx: StatementContext, setup: string[], out: Map<Node, TapeRow>,
): string[] {
  const b = source.bodyDef;
  const slots = halvingSlotsExpr(source);
  const at = ctx.claim(`${b.hints.carries[0] ?? 'state'}StackSteps`);
  ctx.addSlot(at, slots);
  const depth = ctx.claim('depth');
  setup.push(`let ${depth} = 1;`, `${at}[0] = 0;`);
  const places = workingCarries(b, 'Current', ctx, setup);
  for (const h of histories) {
    const p = places[h.attrs['index'] as number]!;
    out.set(h, p.kind === 'scalar' ? { kind: 'scalar', name: p.name } : { kind: 'memory', at: p.at });
  }
  const [p, m, r] = [ctx.claim('p'), ctx.claim('m'), ctx.claim('r')];
  const rerun = rerunStep(source, places, r, steps, ctx, setup);
  const push = b.carries.flatMap((c, ci) => {
    const place = places[ci]!;
    const size = sizeExpr(c.shape);
    const base = times(depth, size);
    if (place.kind === 'scalar') return [`${stack[ci]}[${base}] = ${place.name};`];
    return [copyLoop(size, ctx, (i) => `${stack[ci]}[${plus(base, i)}]`, (i) => elem(place.at, i))];
  });
  return [
    `while (${at}[${depth} - 1] > ${step}) ${depth}--;`,
    `let ${p} = ${at}[${depth} - 1];`,
    ...restore(b, places, stack, `(${depth} - 1)`, ctx),
    `while (${p} < ${step}) {`,
    ...indent([
      `const ${m} = ${p} + ((${step} - ${p} + 1) >> 1);`,
      `for (let ${r} = ${p}; ; ${r}++) {`,
      ...indent([...rerun.boundary, `if (${r} === ${m}) break;`, ...rerun.body]),
      '}',
      `if (${depth} === ${slots}) throw new Error('gradc: checkpoint stack overflow');`,
      `${at}[${depth}] = ${m};`,
      ...push,
      `${depth}++;`,
      `${p} = ${m};`,
    ]),
    '}',
  ];
}
