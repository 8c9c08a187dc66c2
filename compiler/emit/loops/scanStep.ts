/**
 * One step of a loop in the kernel: the body planned like a kernel of its
 * own (fused loops, gemm calls, workspace buffers) with its inputs bound to
 * the loop's storage, then the per-step outputs written into their rows and
 * the carries updated. Used by the loop itself and by backward loops that
 * rerun the forward step to rebuild checkpointed states.
 */
import type { InputNode, Node } from '../../ir/node.ts';
import { topoSort } from '../../ir/program.ts';
import type { ScanBody } from '../../ir/scanBody.ts';
import type { ScanInfo } from '../../ir/scanNode.ts';
import { plusIndex, sizeExpr, timesIndex } from './dims.ts';
import { planKernel } from './plan.ts';
import type { Placement, Storage } from './plan.ts';
import { memoryOf, readElement, SCALAR_LOOP } from './reads.ts';
import type { StatementContext } from './statements.ts';
import { statementFor } from './statements.ts';

export type Target = { readonly array: string; readonly offset: string };
/** Where a value lives for the body: memory (array and offset) or a scalar local. */
export type Place = { readonly kind: 'memory'; readonly at: Target } | { readonly kind: 'scalar'; readonly name: string };

export const plus = (a: string, b: string): string => plusIndex(a, b);
export const times = timesIndex;
export const indent = (lines: readonly string[]): string[] => lines.map((l) => `  ${l}`);
export const elem = (t: Target, i: string): string => `${t.array}[${plus(t.offset, i)}]`;

export function copyLoop(size: string, ctx: StatementContext, to: (i: string) => string, from: (i: string) => string): string {
  const i = ctx.flatVar;
  return `for (let ${i} = 0; ${i} < ${size}; ${i}++) ${to(i)} = ${from(i)};`;
}

/** Reads element `i` (flat) of an outer value. */
export const readFlat = (n: Node, i: string, ctx: StatementContext): string => readElement(n, { shape: n.shape, indices: null, flat: i }, ctx).text;
export const readScalar = (n: Node, ctx: StatementContext): string => readElement(n, SCALAR_LOOP, ctx).text;

export function outerMemory(n: Node, hint: string, ctx: StatementContext, setup: string[]): Target {
  const memory = memoryOf(n, ctx);
  if (memory !== null) return memory;
  const name = ctx.claim(hint);
  ctx.addSlot(name, sizeExpr(n.shape));
  setup.push(copyLoop(sizeExpr(n.shape), ctx, (i) => `${name}[${i}]`, (i) => readFlat(n, i, ctx)));
  return { array: name, offset: '0' };
}

export interface StepSpec {
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
export function boundaryLines(spec: StepSpec): string[] {
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

/** What one step computes: the while condition, the next values of the live carries and the live per-step outputs. */
export function stepRoots(b: ScanBody, carries: readonly boolean[], outputs: readonly boolean[]): Node[] {
  return [...(b.cond === null ? [] : [b.cond]), ...b.next.filter((_, k) => carries[k]), ...b.outputs.filter((_, j) => outputs[j])];
}

/**
 * The body inputs one step reads. A sequence or closed-over value outside
 * this set gets no place (no local, no copy, no refilled tape): a backward
 * step, say, need not read a carry whose cotangent does not depend on it.
 */
export function inputsRead(roots: readonly Node[]): ReadonlySet<Node> {
  return new Set(topoSort(roots).filter((n) => n.op === 'input'));
}

/** The statements of one step: the body, then the stacked outputs and the carry updates. */
export function stepLines(spec: StepSpec, ctx: StatementContext): string[] {
  const { info } = spec;
  const b = info.bodyDef;
  const roots = stepRoots(b, spec.carries.map((p) => p !== null), spec.outputs);
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
    const alias = plan.aliases.get(node);
    if (alias !== undefined) lines.push(`const ${alias.name} = ${alias.of};`);
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
export function recordCarries(info: ScanInfo, carries: readonly (Place | null)[], into: readonly (Target | null)[], row: string, ctx: StatementContext): string[] {
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

export function loopHeader(info: ScanInfo, step: string, steps: string): string {
  return info.reverse ? `for (let ${step} = ${steps} - 1; ${step} >= 0; ${step}--) {` : `for (let ${step} = 0; ${step} < ${steps}; ${step}++) {`;
}

/** The per-step slice of sequence i: memory at row `step`, or a scalar local read there. */
export function sequencePlace(bodyInput: InputNode, at: Target, step: string, ctx: StatementContext, lines: string[]): Place {
  const size = sizeExpr(bodyInput.shape);
  const row = plus(at.offset, times(step, size));
  if (bodyInput.shape.length > 0) return { kind: 'memory', at: { array: at.array, offset: row } };
  const name = ctx.temporary();
  lines.push(`const ${name} = ${at.array}[${row}];`);
  return { kind: 'scalar', name };
}
