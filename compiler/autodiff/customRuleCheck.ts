/**
 * A debug check for custom derivative rules: a JVP and a VJP of the same
 * function are adjoint, ⟨ȳ, J ẋ⟩ = ⟨Jᵀ ȳ, ẋ⟩ for every ẋ and ȳ. For each
 * custom node a program reaches, at the values its operands take for the
 * given inputs, both sides are evaluated along random directions. A rule
 * whose sides differ has a JVP and a VJP that disagree (or one that is not
 * linear in its tangent), so forward and reverse mode would differ.
 */
import { OP_TABLE } from '../ir/opTable.ts';
import { customCall, customRuleOf } from '../ir/customRule.ts';
import { evaluateTensors } from '../ir/evaluate.ts';
import type { Value } from '../ir/evaluate.ts';
import type { ApplyNode, Node } from '../ir/node.ts';
import { input } from '../ir/build.ts';
import { topoSort } from '../ir/program.ts';
import { concreteShape, sizeOf } from '../ir/tensor.ts';
import type { Tensor } from '../ir/tensor.ts';
import { jvp } from './forward.ts';
import { gradient } from './reverse.ts';

export interface RuleAgreement {
  /** The rule's name in the model file. */
  readonly rule: string;
  /** ⟨ȳ, jvp(ẋ)⟩. */
  readonly forward: number;
  /** Σᵢ ⟨vjp(ȳ)ᵢ, ẋᵢ⟩. */
  readonly reverse: number;
}

const inner = (a: Tensor, b: Tensor): number => a.data.reduce((s, v, i) => s + v * b.data[i]!, 0);

/** Both sides of the identity for every custom node below `roots`, at `inputs`. */
export function customRuleAgreement(
  roots: readonly Node[],
  inputs: Readonly<Record<string, Value>>,
  random: () => number,
  sizes: Readonly<Record<string, number>> = {},
): RuleAgreement[] {
  const nodes = topoSort(roots).filter((n): n is ApplyNode => n.op === 'custom');
  if (nodes.length === 0) return [];
  const values = evaluateTensors(nodes, inputs, sizes);
  const { derivative } = OP_TABLE.custom;
  if (derivative === 'none') return [];
  return nodes.map((node, k) => {
    const rule = customRuleOf(node.attrs['rule'] as string);
    const args = rule.args.map((a, i) => input(`§check${k}.x${i}`, a.shape));
    const dots = rule.args.map((a, i) => input(`§check${k}.dot${i}`, a.shape));
    const bar = input(`§check${k}.bar`, rule.value.shape);
    const at = customCall(rule, args);
    const tangent = derivative.jvp(at as ApplyNode, dots, { jvp })!;
    const cotangents = derivative.vjp(at as ApplyNode, bar, { gradient });
    const direction = (shape: readonly (number | string)[]): Tensor => {
      const s = concreteShape(shape, sizes);
      return { shape: s, data: Float64Array.from({ length: sizeOf(s) }, () => 2 * random() - 1) };
    };
    const bound: Record<string, Value> = { [bar.name]: direction(bar.shape) };
    args.forEach((a, i) => (bound[a.name] = values.get(node.inputs[i]!)!));
    dots.forEach((d) => (bound[d.name] = direction(d.shape)));
    const live = cotangents.filter((c): c is Node => c !== null);
    const got = evaluateTensors([tangent, ...live], bound, sizes);
    const reverse = cotangents.reduce((s, c, i) => (c === null ? s : s + inner(got.get(c)!, bound[dots[i]!.name] as Tensor)), 0);
    return { rule: rule.name, forward: inner(bound[bar.name] as Tensor, got.get(tangent)!), reverse };
  });
}
