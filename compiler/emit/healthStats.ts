/**
 * The statistics a `--health` build's value-and-gradient kernel computes
 * besides the value and the gradient (the notes' training problems, measured
 * where they happen), as IR nodes over what the kernel computes anyway:
 *
 * - per tanh/sigmoid node of the function's value: the fraction of its
 *   elements (units × examples) whose derivative is below the saturation
 *   threshold — tanh' = 1 − y² and σ' = σ(1 − σ), read off the output y;
 * - per relu node: the fraction of its units that are 0 for the whole batch
 *   (the leading axis of a rank ≥ 2 activation is the batch; a rank-0 or -1
 *   activation is one example, each element a unit);
 * - per loop (scan node) of the value, per carry: ‖∂L/∂c‖ against the step,
 *   the cotangent the carry hands back into step t from the steps after it
 *   and the final state (the vanishing/exploding signature of BPTT). It is the
 *   backward loop's carry history: nothing is recomputed.
 *
 * Activations inside loop bodies are not counted (a loop reports its carries'
 * gradients instead). Every statistic is a scalar except the loops' norms,
 * whose lengths (the loops' trip counts, maybe named sizes) are in the buffer
 * too, so the module reads it without knowing the sizes: the buffer is the
 * activation fractions, then one length per loop carry, then the norms.
 */
import { constantLike, div, eq, lt, mul, select, sqrt, sub } from '../ir/build.ts';
import { dimSize, reduce, sum } from '../ir/buildTensor.ts';
import type { ApplyNode, Node } from '../ir/node.ts';
import { originOf } from '../ir/origin.ts';
import type { SourceOrigin } from '../ir/origin.ts';
import { topoSort } from '../ir/program.ts';
import { bodyOf } from '../ir/scanBody.ts';
import { loopAttrs, sibling } from '../ir/scanNode.ts';
import type { Dim, Shape } from '../ir/shape.ts';
import { saturationOf } from './healthOption.ts';
import type { HealthBuildOptions } from './healthOption.ts';

export type ActivationOp = 'tanh' | 'sigmoid' | 'relu';

export interface ActivationSite {
  readonly op: ActivationOp;
  /** 'saturated' for tanh and sigmoid, 'dead' for relu. */
  readonly measure: 'saturated' | 'dead';
  readonly origin: SourceOrigin;
}

export interface LoopSite {
  /** The model's name of the carry (the loop variable's hint). */
  readonly carry: string;
  readonly origin: SourceOrigin;
}

export interface HealthStats {
  readonly activations: readonly ActivationSite[];
  readonly loops: readonly LoopSite[];
  /** The buffer's values in order: a scalar per activation, a length per loop carry, then each carry's norms ([length]). */
  readonly nodes: readonly Node[];
}

const elementCount = (shape: Shape): Node => shape.map((d: Dim) => dimSize(d)).reduce((a, b) => mul(a, b), dimSize(1));

/** The fraction of the elements of `x` where `cond` holds. */
function fraction(cond: Node, like: Node): Node {
  return div(sum(select(cond, constantLike(1, like), constantLike(0, like))), elementCount(like.shape));
}

/** The activation's statistic: saturated share of elements, or dead share of units. */
function activationStat(node: ApplyNode, threshold: number): Node {
  if (node.op === 'relu') {
    // relu ≥ 0: a unit is dead when its largest output over the batch is 0.
    const perUnit = node.shape.length >= 2 ? reduce('reduceMax', node, [0]) : node;
    return fraction(eq(perUnit, constantLike(0, perUnit)), perUnit);
  }
  const one = constantLike(1, node);
  const derivative = node.op === 'tanh' ? sub(one, mul(node, node)) : mul(node, sub(one, node));
  return fraction(lt(derivative, constantLike(threshold, node)), node);
}

const isActivation = (n: Node): n is ApplyNode & { op: ActivationOp } => n.op === 'tanh' || n.op === 'sigmoid' || n.op === 'relu';

/** The loops of the value (one node per loop) and, for each, its backward loop in the gradient. */
function loopPairs(primal: readonly Node[], gradientOrder: readonly Node[]): { forward: ApplyNode; backward: ApplyNode }[] {
  const out: { forward: ApplyNode; backward: ApplyNode }[] = [];
  const seen = new Set<Node>();
  for (const n of primal) {
    if (n.op !== 'scan') continue;
    const first = sibling(n as ApplyNode, 'history', 0);
    if (seen.has(first)) continue;
    seen.add(first);
    const b = bodyOf(loopAttrs((n as ApplyNode).attrs).body);
    // The backward loop's operands: the carries' cotangents, the closures' (zero) accumulators, then the forward loop's history.
    const at = b.carries.length + b.closures.length;
    const backward = gradientOrder.find((g) => g.op === 'scan' && g.inputs[at] === first);
    if (backward !== undefined) out.push({ forward: n as ApplyNode, backward: backward as ApplyNode });
  }
  return out;
}

/** The health statistics of a function whose value is `value` and gradient `gradient`; `fallback` names nodes without an origin. */
export function healthStats(value: Node, gradient: readonly Node[], fallback: SourceOrigin, options: HealthBuildOptions | true): HealthStats {
  const threshold = saturationOf(options);
  const primal = topoSort([value]);
  const activations: ActivationSite[] = [];
  const fractions: Node[] = [];
  for (const n of primal) {
    if (!isActivation(n)) continue;
    activations.push({ op: n.op, measure: n.op === 'relu' ? 'dead' : 'saturated', origin: originOf(n) ?? fallback });
    fractions.push(activationStat(n, threshold));
  }
  const loops: LoopSite[] = [];
  const lengths: Node[] = [];
  const norms: Node[] = [];
  for (const { forward, backward } of loopPairs(primal, topoSort(gradient))) {
    const b = bodyOf(loopAttrs(forward.attrs).body);
    b.carries.forEach((_, k) => {
      const history = sibling(backward, 'history', k);
      const squares = mul(history, history);
      loops.push({ carry: b.hints.carries[k] ?? `carry${k}`, origin: originOf(forward) ?? fallback });
      lengths.push(dimSize(history.shape[0]!));
      norms.push(sqrt(sum(squares, history.shape.slice(1).map((_, i) => i + 1))));
    });
  }
  return { activations, loops, nodes: [...fractions, ...lengths, ...norms] };
}
