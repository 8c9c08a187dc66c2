/**
 * Custom derivative rules. A `custom` node names its rule by key; the rule
 * holds three graphs over input nodes of its own, built once (by the front
 * end, from the rule bodies in the model file) and instantiated wherever
 * they are needed:
 * - the primal: arguments → value (what the node computes);
 * - the JVP: arguments, their tangents and the value → the value's tangent;
 * - the VJP: arguments, the value and its cotangent → one cotangent per argument.
 * A missing JVP or VJP falls back to differentiating the primal.
 */
import { applyWith, input, IRError } from './build.ts';
import { broadcastTo } from './buildTensor.ts';
import type { InputNode, Node } from './node.ts';
import { replaceInputs } from './replaceInputs.ts';
import type { Shape } from './shape.ts';

export interface CustomRule {
  readonly key: string;
  /** What the rule is called in the model file, for messages and listings. */
  readonly name: string;
  readonly args: readonly InputNode[];
  readonly value: Node;
  /** Tangent rule: `args`, `dots` (one per argument) and `output` (the value) → the value's tangent. */
  readonly jvp: { readonly dots: readonly InputNode[]; readonly output: InputNode; readonly result: Node } | null;
  /** Cotangent rule: `args`, `output` and `bar` (the value's cotangent) → one cotangent per argument. */
  readonly vjp: { readonly output: InputNode; readonly bar: InputNode; readonly results: readonly Node[] } | null;
}

const byKey = new Map<string, CustomRule>();

export function customRuleOf(key: string): CustomRule {
  const rule = byKey.get(key);
  if (rule === undefined) throw new IRError(`internal: no custom rule '${key}'`);
  return rule;
}

export function isCustomRuleKnown(key: string): boolean {
  return byKey.has(key);
}

/** An input node of rule `key` in the role `role` (never shared with a program or another rule). */
export function ruleInput(key: string, role: string, shape: Shape): InputNode {
  return input(`§${key}.${role}`, shape);
}

export function registerCustomRule(rule: CustomRule): CustomRule {
  if (rule.jvp !== null && rule.jvp.result.shape.join(',') !== rule.value.shape.join(',')) {
    throw new IRError(`the JVP of ${rule.name} gives shape [${rule.jvp.result.shape.join(', ')}] but the value has shape [${rule.value.shape.join(', ')}]`);
  }
  if (rule.vjp !== null && rule.vjp.results.length !== rule.args.length) {
    throw new IRError(`the VJP of ${rule.name} gives ${rule.vjp.results.length} cotangent(s) for ${rule.args.length} argument(s)`);
  }
  byKey.set(rule.key, rule);
  return rule;
}

/** `roots` with the inputs in `map` replaced, everything above them rebuilt (origins kept). */
export const instantiate = replaceInputs;

/** The rule's primal graph applied to `args`. */
export function primalOf(rule: CustomRule, args: readonly Node[]): Node {
  return instantiate([rule.value], new Map(rule.args.map((a, i) => [a, args[i]!])))[0]!;
}

/** A rule as builders: each receives the rule's own input nodes and returns the graph it stands for. */
export interface CustomRuleSpec {
  readonly name: string;
  /** The arguments' shapes; a rule is built per shape signature. */
  readonly shapes: readonly Shape[];
  readonly primal: (args: readonly Node[]) => Node;
  readonly jvp?: (args: readonly Node[], dots: readonly Node[], output: Node) => Node;
  readonly vjp?: (args: readonly Node[], output: Node, bar: Node) => readonly Node[];
}

let fresh = 0;

/**
 * Builds and registers a rule: its three graphs are built here, once. The key
 * is unique in the process; it never reaches emitted code (custom nodes are
 * inlined before emission).
 */
export function defineCustomRule(spec: CustomRuleSpec): CustomRule {
  const key = `custom${fresh++}_${spec.name.replace(/[^A-Za-z0-9_$]/g, '_')}`;
  const args = spec.shapes.map((s, i) => ruleInput(key, `arg${i}`, s));
  const value = spec.primal(args);
  if (value.dtype !== 'f64') throw new IRError(`${spec.name} must return a number or a tensor, not a boolean`);
  let jvp: CustomRule['jvp'] = null;
  if (spec.jvp !== undefined) {
    const dots = spec.shapes.map((s, i) => ruleInput(key, `dot${i}`, s));
    const output = ruleInput(key, 'output', value.shape);
    jvp = { dots, output, result: fitShape(spec.jvp(args, dots, output), value.shape, () => `the JVP of ${spec.name}`) };
  }
  let vjp: CustomRule['vjp'] = null;
  if (spec.vjp !== undefined) {
    const output = ruleInput(key, 'output', value.shape);
    const bar = ruleInput(key, 'bar', value.shape);
    const results = spec.vjp(args, output, bar);
    if (results.length !== args.length) {
      throw new IRError(`the VJP of ${spec.name} must return ${args.length} cotangent(s), one per argument, but returns ${results.length}`);
    }
    vjp = { output, bar, results: results.map((r, i) => fitShape(r, spec.shapes[i]!, () => `the VJP's cotangent for argument ${i + 1} of ${spec.name}`)) };
  }
  return registerCustomRule({ key, name: spec.name, args, value, jvp, vjp });
}

/** A rule's result in the shape it stands for: a smaller result (a scalar, say) is broadcast; anything else is an error. */
function fitShape(node: Node, shape: Shape, what: () => string): Node {
  if (node.dtype !== 'f64') throw new IRError(`${what()} is a boolean; it must be a number or a tensor`);
  if (node.shape.join(',') === shape.join(',')) return node;
  try {
    return broadcastTo(node, shape);
  } catch {
    throw new IRError(`${what()} has shape [${node.shape.join(', ')}] but must have shape [${shape.join(', ')}]`);
  }
}

/** A call of the rule: a `custom` node over `args`, whose shapes must be the rule's. */
export function customCall(rule: CustomRule, args: readonly Node[]): Node {
  if (args.length !== rule.args.length) throw new IRError(`${rule.name} takes ${rule.args.length} argument(s), got ${args.length}`);
  args.forEach((a, i) => {
    if (a.shape.join(',') !== rule.args[i]!.shape.join(',')) {
      throw new IRError(`argument ${i + 1} of ${rule.name} has shape [${a.shape.join(', ')}], the rule was built for [${rule.args[i]!.shape.join(', ')}]`);
    }
  });
  return applyWith('custom', args, { rule: rule.key });
}
