/**
 * Op specs for `custom` (a function with derivative rules of its own), run by
 * the op-spec suite like every structural op: reference evaluation against
 * plain arithmetic, J·V against finite differences, <JV, U> = <V, JᵀU> (the
 * user's JVP against the user's VJP), H·V against differences of the
 * gradient (the JVP of the user's VJP graph), compiled against reference.
 * The rules here are the true derivatives, so every check applies.
 */
import { add, constant, cos, exp, log, mul, sigmoid, sin } from '../../compiler/ir/build.ts';
import { sum } from '../../compiler/ir/buildTensor.ts';
import { customCall, defineCustomRule } from '../../compiler/ir/customRule.ts';
import type { CustomRule, CustomRuleSpec } from '../../compiler/ir/customRule.ts';
import type { Node } from '../../compiler/ir/node.ts';
import type { TensorSpec } from './tensorSpecs.ts';

const real = (shape: number[], lo = -2, hi = 2) => ({ shape, kind: 'real' as const, lo, hi });

/** One rule per shape signature, as the front end builds them. */
function ruleFor(spec: Omit<CustomRuleSpec, 'shapes'>): (xs: readonly Node[]) => Node {
  const rules = new Map<string, CustomRule>();
  return (xs) => {
    const sig = xs.map((x) => x.shape.join(',')).join('|');
    let rule = rules.get(sig);
    if (rule === undefined) rules.set(sig, (rule = defineCustomRule({ ...spec, shapes: xs.map((x) => x.shape) })));
    return customCall(rule, xs);
  };
}

const softplus = ruleFor({
  name: 'softplus',
  primal: ([x]) => log(add(constant(1), exp(x!))),
  jvp: ([x], [xDot]) => mul(xDot!, sigmoid(x!)),
  vjp: ([x], _y, bar) => [mul(bar, sigmoid(x!))],
});

const expByOutput = ruleFor({
  name: 'expByOutput',
  primal: ([x]) => exp(x!),
  jvp: (_x, [xDot], y) => mul(xDot!, y),
  vjp: (_x, y, bar) => [mul(bar, y)],
});

const scaledSine = ruleFor({
  name: 'scaledSine',
  primal: ([a, b]) => mul(a!, sin(b!)),
  jvp: ([a, b], [aDot, bDot]) => add(mul(aDot!, sin(b!)), mul(mul(a!, cos(b!)), bDot!)),
  vjp: ([a, b], _y, bar) => [mul(bar, sin(b!)), mul(mul(bar, a!), cos(b!))],
});

/** Only a VJP: forward mode falls back to the tangent of the primal graph. */
const onlyVjp = ruleFor({
  name: 'onlyVjp',
  primal: ([x, w]) => mul(sin(x!), w!),
  vjp: ([x, w], _y, bar) => [sum(mul(mul(bar, cos(x!)), w!)), mul(bar, sin(x!))],
});

const flat = (index: readonly number[]) => index[0]!;

export const CUSTOM_SPEC: TensorSpec = {
  kind: 'tensor',
  cases: [
    {
      note: 'softplus as log(1 + eˣ) with the rule σ(x)·ẋ, over [4]',
      operands: [real([4])],
      build: softplus,
      oracle: ([x], index) => Math.log1p(Math.exp(x!.data[flat(index)]!)),
    },
    {
      note: 'a rule that reads the primal output (exp: ẏ = y·ẋ), over [2, 3]',
      operands: [real([2, 3])],
      build: expByOutput,
      oracle: ([x], index) => Math.exp(x!.data[index[0]! * 3 + index[1]!]!),
    },
    {
      note: 'two arguments (a · sin b, a cotangent each), over [3]',
      operands: [real([3]), real([3])],
      build: scaledSine,
      oracle: ([a, b], index) => a!.data[flat(index)]! * Math.sin(b!.data[flat(index)]!),
    },
    {
      note: 'a VJP without a JVP (forward mode differentiates the primal), a scalar and a [3] argument',
      operands: [real([]), real([3])],
      build: onlyVjp,
      oracle: ([x, w], index) => Math.sin(x!.data[0]!) * w!.data[flat(index)]!,
    },
  ],
};
