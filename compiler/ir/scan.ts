/**
 * Building loops. `scan` runs a step function over the leading (time) axis
 * of its sequences, carrying values from step to step; `whileLoop` runs a
 * step while a condition holds, up to a bound. The step function is called
 * once, on placeholder nodes, to build the body graph: values it reads from
 * outside the loop (weights, data) become the loop's closed-over operands,
 * so compile time and emitted size do not depend on the trip count.
 */
import { apply, IRError, withInputs } from './build.ts';
import type { ApplyNode, InputNode, Node } from './node.ts';
import { originOf, withOrigin } from './origin.ts';
import { topoSort } from './program.ts';
import { bodyInput, internBody } from './scanBody.ts';
import { scanNode } from './scanNode.ts';
import type { LoopAttrs } from './scanNode.ts';
import type { Dim } from './shape.ts';

export type Named = Readonly<Record<string, Node>>;

export interface LoopOptions {
  /** Trip count: a number, or a named dimension that is the leading axis of a sequence. Default: the sequences' leading axis. */
  readonly length?: Dim;
  /** Run from the last step to the first. */
  readonly reverse?: boolean;
  /**
   * Truncated backpropagation through time: gradients do not flow through
   * the carries (all, or those named) from window to window of `every` steps;
   * the values are carried forward unchanged.
   */
  readonly truncate?: number | { readonly every: number; readonly carries?: readonly string[] };
  /**
   * Reverse mode's tape: by default every carry of every step is kept for the
   * backward sweep. `k` keeps every k-th and recomputes the others from there
   * (`'sqrt'`: k = ⌈√length⌉, about 2√T states, T extra steps); `'log'` keeps a
   * stack of about log₂ T states, refined by halving (about ½ T log₂ T extra
   * steps); `{ budget: n }` takes the cheapest of these that keeps at most n
   * states. Gradients are bit-identical whichever is chosen.
   */
  readonly checkpoint?: Checkpoint;
}

export type Checkpoint = number | 'sqrt' | 'log' | { readonly budget: number };

export interface StepResult {
  readonly carry: Named;
  /** Per-step outputs, stacked along a new leading time axis. */
  readonly outputs?: Named;
}

export interface ScanSpec extends LoopOptions {
  /**
   * Steps to run, a run-time scalar at most `length` (rounded, and clamped to
   * [0, length]): `length` then only bounds the tape. A loop to `n − 1` runs
   * over the named size n with count n − 1. Per-step outputs need every step, so
   * a counted loop has none.
   */
  readonly count?: Node;
  readonly init: Named;
  readonly sequences?: Named;
  /** One step: the carries, this step's slice of each sequence, and the step number (an f64 scalar). */
  readonly step: (carry: Named, x: Named, t: Node) => StepResult;
}

export interface ScanResult {
  /** The carries after the last step. */
  readonly carry: Named;
  /** Each per-step output stacked: shape [length, …]. */
  readonly outputs: Named;
}

export function scan(spec: ScanSpec): ScanResult {
  const sequences = spec.sequences ?? {};
  const length = spec.length ?? Object.values(sequences)[0]?.shape[0];
  if (length === undefined) throw new IRError('scan: give a length, or at least one sequence to run over');
  if (typeof length === 'string' && !Object.values(sequences).some((xs) => xs.shape[0] === length)) {
    // A named size reaches the kernel as an argument bound from an input's shape.
    throw new IRError(`scan: the named length '${length}' must be the leading axis of one of the sequences`);
  }
  const built = buildBody(spec.init, sequences, length, (c, x, t) => ({ ...spec.step(c, x, t), cond: null }));
  const counted = spec.count !== undefined;
  if (counted && built.outputNames.length > 0) throw new IRError('scan: a counted loop has no per-step outputs (the rows past its count would be undefined)');
  if (counted && (spec.count!.shape.length > 0 || spec.count!.dtype !== 'f64')) throw new IRError('scan: the count must be a number');
  const attrs = { ...loopAttrsFor(spec, length, built.carryNames), counted };
  const operands = counted ? [...built.operands, spec.count!] : built.operands;
  return {
    carry: Object.fromEntries(built.carryNames.map((name, k) => [name, scanNode({ ...attrs, body: built.key }, operands, 'carry', k)])),
    outputs: Object.fromEntries(built.outputNames.map((name, j) => [name, scanNode({ ...attrs, body: built.key }, operands, 'stack', j)])),
  };
}

export interface WhileSpec extends Omit<LoopOptions, 'length' | 'reverse'> {
  readonly init: Named;
  /** The most steps the loop may take: the tape is sized by it. */
  readonly maxSteps: number;
  /** Checked before each step; the loop stops at the first step where it is false. */
  readonly cond: (carry: Named, t: Node) => Node;
  readonly step: (carry: Named, t: Node) => Named;
}

export interface WhileResult {
  readonly carry: Named;
  /** The number of steps taken (an f64 scalar). */
  readonly count: Node;
}

/** A loop whose trip count depends on data, bounded by `maxSteps`; differentiable in both modes. */
export function whileLoop(spec: WhileSpec): WhileResult {
  const built = buildBody(spec.init, {}, spec.maxSteps, (c, _x, t) => ({ carry: spec.step(c, t), cond: spec.cond(c, t) }));
  const attrs = { ...loopAttrsFor(spec, spec.maxSteps, built.carryNames), body: built.key };
  return {
    carry: Object.fromEntries(built.carryNames.map((name, k) => [name, scanNode(attrs, built.operands, 'carry', k)])),
    count: scanNode(attrs, built.operands, 'count', 0),
  };
}

/** The value of `x` with a zero derivative in every mode. */
export const stopGradient = (x: Node): Node => apply('stopGradient', x);

function loopAttrsFor(spec: LoopOptions, length: Dim, carryNames: readonly string[]): LoopAttrs {
  const t = spec.truncate;
  const every = t === undefined ? 0 : typeof t === 'number' ? t : t.every;
  if (!Number.isInteger(every) || every < 0) throw new IRError(`truncate: the window length must be a positive integer, got ${every}`);
  const cut = t === undefined || typeof t === 'number' || t.carries === undefined ? carryNames : t.carries;
  const stop = cut.map((name) => {
    const k = carryNames.indexOf(name);
    if (k < 0) throw new IRError(`truncate: '${name}' is not a carry (carries: ${carryNames.join(', ')})`);
    return k;
  });
  const c = checkpointAttr(spec.checkpoint ?? 0, length);
  return {
    body: '',
    length,
    reverse: 'reverse' in spec && spec.reverse === true,
    every,
    stop: every > 0 ? stop.sort((a, b) => a - b) : [],
    zero: [],
    checkpoint: c,
    counted: false,
  };
}

/** States kept by each checkpointing scheme for T steps (with the one being rebuilt). */
export const keptBySegments = (T: number, k: number): number => Math.ceil(T / k) + k + 1;
export const keptByHalving = (T: number): number => Math.floor(Math.log2(Math.max(T, 1))) + 3;

/** The checkpoint attribute: 0 full, k > 0 every k-th, -1 every ⌈√T⌉-th, -2 halving. */
function checkpointAttr(c: Checkpoint, length: Dim): number {
  if (c === 'sqrt') return -1;
  if (c === 'log') return -2;
  if (typeof c === 'number') {
    if (!Number.isInteger(c) || c < 0) throw new IRError(`checkpoint: give a positive number of steps, 'sqrt', 'log' or { budget }, got ${c}`);
    return c;
  }
  if (typeof length !== 'number') throw new IRError(`checkpoint: a budget needs a trip count known at compile time; with '${length}' use 'sqrt' or 'log'`);
  const T = length;
  if (c.budget >= T) return 0;
  // Evenly spaced snapshots rerun each step at most once, and fewer the more
  // snapshots there are: the smallest spacing that fits (the count falls until k ≈ √T).
  for (let k = 1; k * k <= 4 * T; k++) if (keptBySegments(T, k) <= c.budget) return k;
  if (keptByHalving(T) <= c.budget) return -2;
  throw new IRError(`checkpoint: a budget of ${c.budget} states is too small for ${T} steps; the least is ${keptByHalving(T)} (checkpoint: 'log')`);
}

interface BuiltBody {
  readonly key: string;
  readonly operands: readonly Node[];
  readonly carryNames: readonly string[];
  readonly outputNames: readonly string[];
}

type Step = (carry: Named, x: Named, t: Node) => StepResult & { readonly cond: Node | null };

function buildBody(init: Named, sequences: Named, length: Dim, step: Step): BuiltBody {
  const carryNames = Object.keys(init);
  const seqNames = Object.keys(sequences);
  const carries = carryNames.map((name) => bodyInput(name, init[name]!.shape));
  const slices = seqNames.map((name) => {
    const xs = sequences[name]!;
    if (xs.shape[0] !== length) throw new IRError(`scan: sequence '${name}' has leading axis ${String(xs.shape[0])}, the loop runs ${String(length)} steps`);
    return bodyInput(name, xs.shape.slice(1));
  });
  const index = bodyInput('t', []);
  const result = step(
    Object.fromEntries(carryNames.map((n, k) => [n, carries[k]!])),
    Object.fromEntries(seqNames.map((n, i) => [n, slices[i]!])),
    index,
  );
  const outputNames = Object.keys(result.outputs ?? {});
  const missing = carryNames.filter((n) => result.carry[n] === undefined);
  if (missing.length > 0) throw new IRError(`scan: the step does not return carry ${missing.map((m) => `'${m}'`).join(', ')}`);
  const roots = [...carryNames.map((n) => result.carry[n]!), ...outputNames.map((n) => result.outputs![n]!)];
  const lifted = liftClosures([...roots, ...(result.cond === null ? [] : [result.cond])], new Set<Node>([...carries, ...slices, index]));
  const mapped = lifted.roots;
  const usesIndex = topoSort(mapped).includes(index);
  const body = internBody({
    carries,
    sequences: slices,
    closures: lifted.closures,
    index: usesIndex ? index : null,
    next: mapped.slice(0, carryNames.length),
    outputs: mapped.slice(carryNames.length, roots.length),
    cond: result.cond === null ? null : mapped[roots.length]!,
    hints: { carries: carryNames, sequences: seqNames, closures: lifted.values.map((v, j) => (v.op === 'input' ? v.name : `w${j}`)), outputs: outputNames },
  });
  return {
    key: body.key,
    operands: [...carryNames.map((n) => init[n]!), ...seqNames.map((n) => sequences[n]!), ...lifted.values],
    carryNames,
    outputNames,
  };
}

/**
 * Values the step reads from outside the loop become closed-over inputs of
 * the body: every maximal part of the graph that does not depend on the
 * step's own inputs (constants stay inline).
 */
function liftClosures(roots: readonly Node[], own: ReadonlySet<Node>): { roots: Node[]; closures: InputNode[]; values: Node[] } {
  const dependent = new Set<Node>();
  for (const node of topoSort(roots)) if (own.has(node) || node.inputs.some((n) => dependent.has(n))) dependent.add(node);
  const closures: InputNode[] = [];
  const values: Node[] = [];
  const replaced = new Map<Node, Node>();
  const close = (outer: Node): Node => {
    if (dependent.has(outer) || outer.op === 'const') return replaced.get(outer) ?? outer;
    let inner = replaced.get(outer);
    if (inner === undefined && outer.dtype !== 'f64') {
      // Operands are f64: a boolean computed outside is recomputed inside from its closed-over operands.
      const apply = outer as ApplyNode;
      inner = withOrigin(originOf(outer), () => withInputs(apply, apply.inputs.map(close)));
      replaced.set(outer, inner);
    }
    if (inner === undefined) {
      inner = bodyInput('w', outer.shape);
      closures.push(inner as InputNode);
      values.push(outer);
      replaced.set(outer, inner);
    }
    return inner;
  };
  for (const node of topoSort(roots)) {
    if (!dependent.has(node) || own.has(node)) continue;
    const apply = node as ApplyNode;
    replaced.set(node, withOrigin(originOf(node), () => withInputs(apply, apply.inputs.map(close))));
  }
  return { roots: roots.map(close), closures, values };
}
