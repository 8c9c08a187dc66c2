/**
 * A loop in the kernel: one `for` statement per scan group, the body emitted
 * once inside it (planned like a kernel of its own: fused loops, gemm calls,
 * workspace buffers), so the emitted text does not grow with the trip count.
 * Carries live in workspace buffers (or `let` locals for scalars) and are
 * updated after each step; per-step outputs are written straight into their
 * row of the stacked result; the carry history is written as the step
 * starts — every row, or for a checkpointed loop every K-th row, which the
 * backward loop reading it refills segment by segment (see tape.ts).
 */
import type { ApplyNode, InputNode, Node } from '../../ir/node.ts';
import { topoSort } from '../../ir/program.ts';
import type { ScanBody } from '../../ir/scanBody.ts';
import { loopKey, scanInfo } from '../../ir/scanNode.ts';
import type { ScanInfo } from '../../ir/scanNode.ts';
import { sizeExpr } from './dims.ts';
import { planKernel } from './plan.ts';
import type { Placement, Storage } from './plan.ts';
import { memoryOf, readElement, SCALAR_LOOP } from './reads.ts';
import type { StatementContext } from './statements.ts';
import { statementFor } from './statements.ts';
import { halvingSlotsExpr, segmentExpr, snapshotCountExpr, timesExpr } from './tape.ts';

type Target = { readonly array: string; readonly offset: string };
/** Where a value lives for the body: memory (array and offset) or a scalar local. */
type Place = { readonly kind: 'memory'; readonly at: Target } | { readonly kind: 'scalar'; readonly name: string };

const plus = (a: string, b: string): string => (a === '0' ? b : b === '0' ? a : `${a} + ${b}`);
const times = (a: string, b: string): string => (a === '0' || b === '0' ? '0' : b === '1' ? a : a === '1' ? b : `${a} * ${/[+-]/.test(b) ? `(${b})` : b}`);
const indent = (lines: readonly string[]): string[] => lines.map((l) => `  ${l}`);
const elem = (t: Target, i: string): string => `${t.array}[${plus(t.offset, i)}]`;

function membersOf(node: ApplyNode, ctx: StatementContext): ApplyNode[] {
  const key = loopKey(node);
  const out: ApplyNode[] = [];
  for (const n of ctx.storage.keys()) if (n.op === 'scan' && loopKey(n) === key) out.push(n);
  return out;
}

/** Which carries and outputs the step must compute: those asked for, and the carries they read, to a fixed point. */
function liveParts(b: ScanBody, members: readonly ApplyNode[], allCarries: boolean) {
  const asked = (part: string, i: number) => members.some((m) => m.attrs['part'] === part && m.attrs['index'] === i);
  const outputs = b.outputs.map((_, j) => asked('stack', j));
  const carries = b.carries.map((_, k) => allCarries || asked('carry', k) || asked('history', k));
  const reads = (roots: readonly Node[]) => new Set(topoSort(roots));
  for (let changed = true; changed; ) {
    changed = false;
    const roots = [...(b.cond === null ? [] : [b.cond]), ...b.next.filter((_, k) => carries[k]), ...b.outputs.filter((_, j) => outputs[j])];
    const read = reads(roots);
    b.carries.forEach((c, k) => {
      if (!carries[k] && read.has(c)) carries[k] = changed = true;
    });
  }
  return { carries, outputs };
}

/** A loop's storage as the body sees it: carries, and the statements that set them up. */
interface Carries {
  readonly places: readonly (Place | null)[];
  readonly setup: string[];
}

function copyLoop(size: string, ctx: StatementContext, to: (i: string) => string, from: (i: string) => string): string {
  const i = ctx.flatVar;
  return `for (let ${i} = 0; ${i} < ${size}; ${i}++) ${to(i)} = ${from(i)};`;
}

/** Reads element `i` (flat) of an outer value. */
const readFlat = (n: Node, i: string, ctx: StatementContext): string => readElement(n, { shape: n.shape, indices: null, flat: i }, ctx).text;
const readScalar = (n: Node, ctx: StatementContext): string => readElement(n, SCALAR_LOOP, ctx).text;

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
function outerMemory(n: Node, hint: string, ctx: StatementContext, setup: string[]): Target {
  const memory = memoryOf(n, ctx);
  if (memory !== null) return memory;
  const name = ctx.claim(hint);
  ctx.addSlot(name, sizeExpr(n.shape));
  setup.push(copyLoop(sizeExpr(n.shape), ctx, (i) => `${name}[${i}]`, (i) => readFlat(n, i, ctx)));
  return { array: name, offset: '0' };
}

interface StepSpec {
  readonly info: ScanInfo;
  readonly carries: readonly (Place | null)[];
  /** The loop variable: the step number in forward time. */
  readonly step: string;
  readonly steps: string;
  /** Each sequence's slice for this step, given the step variable. */
  readonly sequences: readonly (Place | null)[];
  readonly closures: readonly (Place | null)[];
  /** Stacked output j's memory (row 0), if it is asked for. */
  readonly stacks: readonly (Target | null)[];
  readonly outputs: readonly boolean[];
  /** Lines run once the carries are in place and before the step (history, snapshots). */
  readonly before: readonly string[];
  readonly countVar: string | null;
}

/** Zeroes the carries the loop cuts at a window boundary. */
function boundaryLines(spec: StepSpec): string[] {
  const { info, step, steps } = spec;
  if (info.every <= 0 || info.zero.length === 0) return [];
  const cond = info.reverse ? `${step} < ${steps} - 1 && (${step} + 1) % ${info.every} === 0` : `${step} > 0 && ${step} % ${info.every} === 0`;
  const zeroes = info.zero.flatMap((k) => {
    const p = spec.carries[k];
    if (p === null || p === undefined) return [];
    if (p.kind === 'scalar') return [`${p.name} = 0;`];
    const size = sizeExpr(info.bodyDef.carries[k]!.shape);
    return [`${p.at.array}.fill(0, ${p.at.offset}, ${plus(p.at.offset, size)});`];
  });
  return zeroes.length === 0 ? [] : [`if (${cond}) {`, ...indent(zeroes), '}'];
}

/** The statements of one step: the body, then the stacked outputs and the carry updates. */
function stepLines(spec: StepSpec, ctx: StatementContext): string[] {
  const { info } = spec;
  const b = info.bodyDef;
  const liveNext = b.next.filter((_, k) => spec.carries[k] !== null);
  const liveOutputs = b.outputs.filter((_, j) => spec.outputs[j]);
  const roots = [...(b.cond === null ? [] : [b.cond]), ...liveNext, ...liveOutputs];
  const placements = new Map<Node, Placement>();
  b.outputs.forEach((y, j) => {
    const stack = spec.stacks[j];
    if (!spec.outputs[j] || stack === null || stack === undefined || y.shape.length === 0) return;
    if (y.op === 'input' || y.op === 'const' || placements.has(y)) return;
    placements.set(y, { array: stack.array, offset: plus(stack.offset, times(spec.step, sizeExpr(y.shape))) });
  });
  const plan = planKernel(roots, placements, ctx.claim);
  for (const slot of plan.slots) ctx.addSlot(slot.name, slot.size);
  const storage = new Map<Node, Storage>([...ctx.storage, ...plan.storage]);
  const names = new Map<Node, string>(ctx.names);
  const lines: string[] = [];
  const bind = (input: InputNode | null, place: Place | null | undefined) => {
    if (input === null || place === null || place === undefined) return;
    if (place.kind === 'scalar') {
      storage.set(input, { kind: 'param' });
      names.set(input, place.name);
    } else storage.set(input, { kind: 'buffer', array: place.at.array, offset: place.at.offset });
  };
  b.carries.forEach((c, k) => bind(c, spec.carries[k]));
  b.sequences.forEach((x, i) => bind(x, spec.sequences[i]));
  b.closures.forEach((w, j) => bind(w, spec.closures[j]));
  if (b.index !== null) bind(b.index, { kind: 'scalar', name: spec.step });
  for (const node of plan.order) {
    const s = plan.storage.get(node)!;
    if (node.op !== 'input' && s.kind === 'scalar' && s.bound) names.set(node, ctx.temporary());
  }
  const body: StatementContext = { ...ctx, storage, names };
  for (const node of plan.order) {
    lines.push(...statementFor(node, body));
    if (node === b.cond) lines.push(`if (!(${readScalar(node, body)})) break;`);
  }
  // Per-step outputs not computed in place are copied into their row.
  b.outputs.forEach((y, j) => {
    const stack = spec.stacks[j];
    if (!spec.outputs[j] || stack === null || stack === undefined) return;
    const size = sizeExpr(y.shape);
    const row = plus(stack.offset, times(spec.step, size));
    if (y.shape.length === 0) lines.push(`${stack.array}[${row}] = ${readScalar(y, body)};`);
    else if (placements.get(y)?.offset !== row || placements.get(y)?.array !== stack.array || b.outputs.indexOf(y) !== j) {
      lines.push(copyLoop(size, body, (i) => `${stack.array}[${plus(row, i)}]`, (i) => readFlat(y, i, body)));
    }
  });
  lines.push(...carryUpdates(spec, body));
  if (spec.countVar !== null) lines.push(`${spec.countVar}++;`);
  return lines;
}

/** New carries replace the old ones; through a staging copy where a new value is itself another carry's old value. */
function carryUpdates(spec: StepSpec, body: StatementContext): string[] {
  const b = spec.info.bodyDef;
  const lines: string[] = [];
  const after: string[] = [];
  b.next.forEach((n, k) => {
    const p = spec.carries[k];
    if (p === null || p === undefined || n === b.carries[k]) return;
    if (p.kind === 'scalar') {
      const staged = body.temporary();
      lines.push(`const ${staged} = ${readScalar(n, body)};`);
      after.push(`${p.name} = ${staged};`);
      return;
    }
    const size = sizeExpr(n.shape);
    if (b.carries.includes(n as InputNode)) {
      const staged = body.claim('staged');
      body.addSlot(staged, size);
      lines.push(copyLoop(size, body, (i) => `${staged}[${i}]`, (i) => readFlat(n, i, body)));
      after.push(copyLoop(size, body, (i) => elem(p.at, i), (i) => `${staged}[${i}]`));
    } else after.push(copyLoop(size, body, (i) => elem(p.at, i), (i) => readFlat(n, i, body)));
  });
  return [...lines, ...after];
}

/** Writes the carries entering step `step` into row `row` of the given buffers. */
function recordCarries(info: ScanInfo, carries: readonly (Place | null)[], into: readonly (Target | null)[], row: string, ctx: StatementContext): string[] {
  return info.bodyDef.carries.flatMap((c, k) => {
    const p = carries[k];
    const t = into[k];
    if (p === null || p === undefined || t === null || t === undefined) return [];
    const size = sizeExpr(c.shape);
    const base = plus(t.offset, times(row, size));
    if (p.kind === 'scalar') return [`${t.array}[${base}] = ${p.name};`];
    return [copyLoop(size, ctx, (i) => `${t.array}[${plus(base, i)}]`, (i) => elem(p.at, i))];
  });
}

function loopHeader(info: ScanInfo, step: string, steps: string): string {
  return info.reverse ? `for (let ${step} = ${steps} - 1; ${step} >= 0; ${step}--) {` : `for (let ${step} = 0; ${step} < ${steps}; ${step}++) {`;
}

/** The per-step slice of sequence i: memory at row `step`, or a scalar local read there. */
function sequencePlace(bodyInput: InputNode, at: Target, step: string, ctx: StatementContext, lines: string[]): Place {
  const size = sizeExpr(bodyInput.shape);
  const row = plus(at.offset, times(step, size));
  if (bodyInput.shape.length > 0) return { kind: 'memory', at: { array: at.array, offset: row } };
  const name = ctx.temporary();
  lines.push(`const ${name} = ${at.array}[${row}];`);
  return { kind: 'scalar', name };
}

export function scanStatement(node: ApplyNode, ctx: StatementContext): string[] {
  const members = membersOf(node, ctx);
  if (members[0] !== node) return [];
  const info = scanInfo(node);
  const b = info.bodyDef;
  const setup: string[] = [];
  const T = String(info.length);
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
  const closures = info.closures.map((w, j): Place => {
    if (w.shape.length > 0) return { kind: 'memory', at: outerMemory(w, b.hints.closures[j]!, ctx, setup) };
    const name = ctx.temporary();
    setup.push(`const ${name} = ${readScalar(w, ctx)};`);
    return { kind: 'scalar', name };
  });
  const tapeReads = readTapes(info, step, steps, ctx, setup, perStep);
  const sequences = info.sequences.map((x, i): Place => {
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
    `// ${info.reverse ? `steps ${steps} - 1 down to 0` : `steps 0 to ${steps} - 1`}${carried.length > 0 ? `, carrying ${carried.join(', ')}` : ''}${checkpointed ? ` (tape: ${info.checkpoint === -2 ? 'the first state, for halving' : `every ${segmentExpr(info)}-th state`})` : ''}`,
    loopHeader(info, step, steps),
    ...indent([...boundaryLines(spec), ...before, ...perStep, ...stepLines(spec, ctx)]),
    '}',
  ];
  return [...setup, ...loop];
}

/** Snapshots of every carry at steps 0, K, 2K, …, for the backward loops to restart from. */
function writeSnapshots(info: ScanInfo, places: readonly (Place | null)[], members: readonly ApplyNode[], step: string, ctx: StatementContext): string[] {
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
type TapeRow = { readonly kind: 'memory'; readonly at: Target } | { readonly kind: 'scalar'; readonly name: string };

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
function readTapes(reader: ScanInfo, step: string, steps: string, ctx: StatementContext, setup: string[], perStep: string[]): Map<Node, TapeRow> {
  const out = new Map<Node, TapeRow>();
  const sources = new Map<string, ApplyNode[]>();
  for (const x of reader.sequences) {
    if (ctx.storage.get(x)?.kind !== 'tape') continue;
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
  const spec: StepSpec = {
    info: source,
    carries: places,
    step: r,
    steps,
    sequences: source.sequences.map((x, i) => sequencePlace(b.sequences[i]!, outerMemory(x, b.hints.sequences[i]!, ctx, setup), r, ctx, scalarSeqs)),
    closures: source.closures.map((w): Place => {
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
