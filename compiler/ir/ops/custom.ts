/**
 * `custom`: a function with derivative rules of the user's own (see
 * customRule.ts). The node's operands are the arguments; its rule, named by
 * the `rule` attribute, gives the value, the JVP and the VJP as graphs that
 * the derivative rules here instantiate at the node. Higher derivatives
 * differentiate those instantiated graphs as usual (an HVP is the JVP of the
 * user's VJP graph). Emission never sees the node: `inlineCustomRules`
 * replaces it by its primal graph once differentiation is done.
 */
import { constantLike, mul } from '../build.ts';
import { sum } from '../buildTensor.ts';
import { customRuleOf, instantiate, ruleInput } from '../customRule.ts';
import { evaluateTensors } from '../evaluate.ts';
import type { ApplyNode, Attrs, Node } from '../node.ts';
import type { ForwardDriver, OpDef, ReverseDriver } from '../opDef.ts';
import { f64 } from '../opDef.ts';
import { helperCall } from '../syntax.ts';
import type { Tensor } from '../tensor.ts';
import { notElementwise } from './shapeOps.ts';

const ruleKey = (attrs: Attrs): string => attrs['rule'] as string;

function customJvp(node: ApplyNode, dots: readonly (Node | null)[], forward: ForwardDriver): Node | null {
  if (dots.every((d) => d === null)) return null;
  const rule = customRuleOf(ruleKey(node.attrs));
  const given = node.inputs.map((x, i) => dots[i] ?? constantLike(0, x));
  const map = new Map<Node, Node>(rule.args.map((a, i) => [a, node.inputs[i]!]));
  if (rule.jvp === null) {
    // No JVP given: the tangent of the primal graph.
    const stand = rule.args.map((a, i) => ruleInput(rule.key, `fallbackDot${i}`, a.shape));
    const [dot] = forward.jvp([rule.value], new Map(rule.args.map((a, i) => [a, stand[i]!])));
    stand.forEach((s, i) => map.set(s, given[i]!));
    return instantiate([dot!], map)[0]!;
  }
  rule.jvp.dots.forEach((d, i) => map.set(d, given[i]!));
  map.set(rule.jvp.output, node);
  return instantiate([rule.jvp.result], map)[0]!;
}

function customVjp(node: ApplyNode, bar: Node, reverse: ReverseDriver): (Node | null)[] {
  const rule = customRuleOf(ruleKey(node.attrs));
  const map = new Map<Node, Node>(rule.args.map((a, i) => [a, node.inputs[i]!]));
  if (rule.vjp === null) {
    // No VJP given: the gradient of ⟨ȳ, f(x)⟩ over the primal graph.
    const stand = ruleInput(rule.key, 'fallbackBar', rule.value.shape);
    const grads = reverse.gradient(sum(mul(stand, rule.value)), rule.args);
    map.set(stand, bar);
    return instantiate(grads, map);
  }
  map.set(rule.vjp.output, node);
  map.set(rule.vjp.bar, bar);
  return instantiate(rule.vjp.results, map);
}

function evaluateCustom(inputs: readonly Tensor[], attrs: Attrs, _out: readonly number[], sizes: Readonly<Record<string, number>>): Tensor {
  const rule = customRuleOf(ruleKey(attrs));
  const bound = Object.fromEntries(rule.args.map((a, i) => [a.name, inputs[i]!]));
  return evaluateTensors([rule.value], bound, sizes).get(rule.value)!;
}

export const customOps = {
  custom: {
    doc: 'a function with derivative rules given in the model file (customDerivative): the value of its primal graph, the user\'s JVP and VJP',
    arity: 'variadic',
    inputTypes: f64,
    output: 'f64',
    shape: (_op, _inputs, attrs) => customRuleOf(ruleKey(attrs)).value.shape,
    evaluate: notElementwise('custom'),
    emission: { kind: 'inlinedBeforeEmission' },
    evaluateTensor: evaluateCustom,
    derivative: { jvp: customJvp, vjp: customVjp },
    // Inlined before emission (passes/inlineCustomRules.ts); the name shows in IR listings.
    syntax: helperCall('customRule'),
  },
} satisfies Record<string, OpDef>;
