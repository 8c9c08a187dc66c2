/**
 * Derivatives of a loop, built from derivatives of its body (taken
 * symbolically once per body and remembered):
 * - forward mode: a scan over the body's JVP, carrying (c, ċ);
 * - reverse mode: a scan in the other direction over the body's VJP, reading
 *   the forward loop's carry history (the tape) and carrying the carries'
 *   cotangents and the closed-over values' accumulated cotangents.
 * Truncation follows: a carry cut at a window boundary has its tangent and
 * its cotangent set to zero there.
 */
import { add, constantLike, mul } from '../build.ts';
import { sum } from '../buildTensor.ts';
import type { ApplyNode, InputNode, Node } from '../node.ts';
import type { ForwardDriver, ReverseDriver } from '../opDef.ts';
import { bodyInput, internBody } from '../scanBody.ts';
import type { ScanBody } from '../scanBody.ts';
import { loopAttrs, scanInfo, scanNode, sibling } from '../scanNode.ts';
import type { LoopAttrs, ScanInfo } from '../scanNode.ts';

// Keyed by body and pattern only: the drivers handed in are the one forward
// and one reverse mode, so a body's derivative is the same whoever asks.
const memo = new Map<string, ScanBody>();

function remembered(key: string, build: () => ScanBody): ScanBody {
  let body = memo.get(key);
  if (body === undefined) {
    body = build();
    memo.set(key, body);
  }
  return body;
}

const pattern = (xs: readonly unknown[]): string => xs.map((x) => (x === null ? '0' : '1')).join('');
const union = (a: readonly number[], b: readonly number[]): number[] => [...new Set([...a, ...b])].sort((x, y) => x - y);

/** The body of the tangent loop: carries (c, ċ), sequences (x, ẋ where given), closures (w, ẇ where given). */
function jvpBody(b: ScanBody, seqDots: readonly boolean[], closureDots: readonly boolean[], forward: ForwardDriver): ScanBody {
  return remembered(`${b.key}|jvp|${pattern(seqDots.map((d) => (d ? 1 : null)))}|${pattern(closureDots.map((d) => (d ? 1 : null)))}`, () => {
    const cDots = b.carries.map((c) => bodyInput('cDot', c.shape));
    const xDots = b.sequences.flatMap((x, i) => (seqDots[i] ? [bodyInput('xDot', x.shape)] : []));
    const wDots = b.closures.flatMap((w, j) => (closureDots[j] ? [bodyInput('wDot', w.shape)] : []));
    const tangents = new Map<InputNode, Node>();
    b.carries.forEach((c, k) => tangents.set(c, cDots[k]!));
    let xi = 0;
    b.sequences.forEach((x, i) => seqDots[i] && tangents.set(x, xDots[xi++]!));
    let wi = 0;
    b.closures.forEach((w, j) => closureDots[j] && tangents.set(w, wDots[wi++]!));
    const dots = forward.jvp([...b.next, ...b.outputs], tangents);
    const seqHints = b.hints.sequences.filter((_, i) => seqDots[i]).map((h) => `${h}Dot`);
    const closureHints = b.hints.closures.filter((_, j) => closureDots[j]).map((h) => `${h}Dot`);
    return internBody({
      carries: [...b.carries, ...cDots],
      sequences: [...b.sequences, ...xDots],
      closures: [...b.closures, ...wDots],
      index: b.index,
      next: [...b.next, ...dots.slice(0, b.next.length)],
      outputs: [...b.outputs, ...dots.slice(b.next.length)],
      cond: b.cond,
      hints: {
        carries: [...b.carries.map((_, k) => b.hints.carries[k]!), ...b.hints.carries.map((h) => `${h}Dot`)],
        sequences: [...b.hints.sequences, ...seqHints],
        closures: [...b.hints.closures, ...closureHints],
        outputs: [...b.hints.outputs, ...b.hints.outputs.map((h) => `${h}Dot`)],
      },
    });
  });
}

/** JVP of one result of a loop: the matching result of the tangent loop. */
export function scanJvp(node: ApplyNode, dots: readonly (Node | null)[], forward: ForwardDriver): Node | null {
  if (dots.every((d) => d === null)) return null;
  const info = scanInfo(node);
  if (info.part === 'count') return null;
  const b = info.bodyDef;
  const [nc, ns] = [b.carries.length, b.sequences.length];
  const seqDots = info.sequences.map((_, i) => dots[nc + i] ?? null);
  const closureDots = info.closures.map((_, j) => dots[nc + ns + j] ?? null);
  const body = jvpBody(b, seqDots.map((d) => d !== null), closureDots.map((d) => d !== null), forward);
  const cut = union(info.stop, info.zero);
  const attrs: LoopAttrs = { ...loopAttrs(node.attrs), body: body.key, zero: union(info.zero, cut.map((k) => nc + k)) };
  const operands = [
    ...info.inits,
    ...info.inits.map((c, k) => dots[k] ?? constantLike(0, c)),
    ...info.sequences,
    ...seqDots.filter((d): d is Node => d !== null),
    ...info.closures,
    ...closureDots.filter((d): d is Node => d !== null),
    ...(info.count === null ? [] : [info.count]),
  ];
  const shift = info.part === 'stack' ? b.outputs.length : nc;
  return scanNode(attrs, operands, info.part, shift + info.index);
}

/**
 * The body of the backward loop. Carries: each carry's cotangent, then each
 * closed-over value's accumulated cotangent. Sequences: the forward carry
 * entering the step (from the tape), the forward sequences, then the
 * cotangents given for stacked outputs and for history rows. Per-step
 * outputs: the sequences' cotangents.
 */
function vjpBody(b: ScanBody, stackBars: readonly boolean[], historyBars: readonly boolean[], reverse: ReverseDriver): ScanBody {
  return remembered(`${b.key}|vjp|${pattern(stackBars.map((d) => (d ? 1 : null)))}|${pattern(historyBars.map((d) => (d ? 1 : null)))}`, () => {
    const cBars = b.carries.map((c) => bodyInput('cBar', c.shape));
    const wAccs = b.closures.map((w) => bodyInput('wBar', w.shape));
    const yBars = b.outputs.flatMap((y, j) => (stackBars[j] ? [bodyInput('yBar', y.shape)] : []));
    const hBars = b.carries.flatMap((c, k) => (historyBars[k] ? [bodyInput('hBar', c.shape)] : []));
    // ⟨c̄', F(c, x, w)⟩ + ⟨ȳ, G(c, x, w)⟩: its gradient is the VJP of one step.
    const terms: Node[] = b.next.map((n, k) => sum(mul(cBars[k]!, n)));
    let yi = 0;
    b.outputs.forEach((y, j) => stackBars[j] && terms.push(sum(mul(yBars[yi++]!, y))));
    const pairing = terms.reduce((acc, t) => add(acc, t));
    const grads = reverse.gradient(pairing, [...b.carries, ...b.sequences, ...b.closures]);
    const [nc, ns] = [b.carries.length, b.sequences.length];
    let hi = 0;
    const nextCBars = b.carries.map((_, k) => (historyBars[k] ? add(grads[k]!, hBars[hi++]!) : grads[k]!));
    return internBody({
      carries: [...cBars, ...wAccs],
      sequences: [...b.carries, ...b.sequences, ...yBars, ...hBars],
      closures: b.closures,
      index: b.index,
      next: [...nextCBars, ...wAccs.map((acc, j) => add(acc, grads[nc + ns + j]!))],
      outputs: grads.slice(nc, nc + ns),
      cond: null,
      hints: {
        carries: [...b.hints.carries.map((h) => `${h}Bar`), ...b.hints.closures.map((h) => `${h}Bar`)],
        sequences: [...b.hints.carries, ...b.hints.sequences, ...b.hints.outputs.filter((_, j) => stackBars[j]).map((h) => `${h}Bar`), ...b.hints.carries.filter((_, k) => historyBars[k]).map((h) => `${h}HistoryBar`)],
        closures: b.hints.closures,
        outputs: b.hints.sequences.map((h) => `${h}Bar`),
      },
    });
  });
}

/** Cotangents of a loop's operands given the cotangents of its results (each node one result). */
export function scanGroupVjp(nodes: readonly ApplyNode[], bars: readonly (Node | null)[], reverse: ReverseDriver): (Node | null)[] {
  const first = nodes[0]!;
  const info = scanInfo(first);
  const b = info.bodyDef;
  const nc = b.carries.length;
  const barOf = (part: string, index: number): Node | null => {
    const k = nodes.findIndex((n) => n.attrs['part'] === part && n.attrs['index'] === index);
    return k < 0 ? null : bars[k] ?? null;
  };
  const carryBars = b.carries.map((_, k) => barOf('carry', k));
  const stackBars = b.outputs.map((_, j) => barOf('stack', j));
  const historyBars = b.carries.map((_, k) => barOf('history', k));
  const none = new Array<Node | null>(first.inputs.length).fill(null);
  if ([...carryBars, ...stackBars, ...historyBars].every((x) => x === null)) return none;
  const body = vjpBody(b, stackBars.map((x) => x !== null), historyBars.map((x) => x !== null), reverse);
  const backward = backwardLoop(info, body, first);
  const operands = [
    ...carryBars.map((x, k) => x ?? constantLike(0, info.inits[k]!)),
    ...info.closures.map((w) => constantLike(0, w)),
    ...b.carries.map((_, k) => sibling(first, 'history', k)),
    ...info.sequences,
    ...stackBars.filter((x): x is Node => x !== null),
    ...historyBars.filter((x): x is Node => x !== null),
    ...info.closures,
    ...(backward.count === null ? [] : [backward.count]),
  ];
  const result = (part: 'carry' | 'stack', index: number) => scanNode(backward.attrs, operands, part, index);
  // In operand order: initial carries, sequences, closed-over values, and the count (piecewise constant).
  return [
    ...b.carries.map((_, k) => result('carry', k)),
    ...b.sequences.map((_, i) => result('stack', i)),
    ...b.closures.map((_, j) => result('carry', nc + j)),
    ...(info.counted ? [null] : []),
  ];
}

/** The backward loop's attributes: the other direction, cut carries' cotangents zeroed, started from the actual count. */
function backwardLoop(info: ScanInfo, body: ScanBody, first: ApplyNode): { attrs: LoopAttrs; count: Node | null } {
  const whileLoop = info.bodyDef.cond !== null;
  const count = info.count ?? (whileLoop ? sibling(first, 'count', 0) : null);
  const attrs: LoopAttrs = {
    body: body.key,
    length: info.length,
    reverse: !info.reverse,
    every: info.every,
    stop: [],
    zero: union(info.stop, info.zero),
    checkpoint: 0,
    counted: count !== null,
  };
  return { attrs, count };
}
