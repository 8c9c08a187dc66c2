/**
 * The `expr` tag: mathjs text inside a model file, in two spellings that
 * both type-check and run eagerly:
 *
 *     expr({ x, y })`x^2 + sin(y)`      // the object names the variables
 *     expr`${x}^2 + sin(${y})`          // interpolated values
 *
 * A tag function cannot see the caller's locals, hence the object in the
 * first spelling. The value is a number (the expression must be scalar).
 */
import { evaluateTensors } from '../ir/evaluate.ts';
import type { Node } from '../ir/node.ts';
import { bool, constant, input } from '../ir/build.ts';
import { Tensor } from './tensor.ts';
import { asNumber } from '../frontend/preludeOps.ts';
import { expressionText, interpolationName, lowerExpression } from '../frontend/exprTemplate.ts';

type Value = number | Tensor;
type Tag = (strings: TemplateStringsArray, ...values: Value[]) => number;

function evaluate(text: string, bound: ReadonlyMap<string, Value>): number {
  const nodes = new Map<string, Node>();
  const inputs: Record<string, Tensor> = {};
  for (const [name, v] of bound) {
    if (typeof v === 'number') nodes.set(name, constant(v));
    else if (typeof v === 'boolean') nodes.set(name, asNumber(bool(v)));
    else if (v instanceof Tensor) {
      inputs[name] = v;
      nodes.set(name, asNumber(input(name, v.shape, v.dtype)));
    } else throw new TypeError(`expr: '${name}' must be a number or a Tensor`);
  }
  const out = lowerExpression(text, nodes);
  return evaluateTensors([out], inputs).get(out)!.data[0]!;
}

const interpolated: Tag = (strings, ...values) =>
  evaluate(expressionText(strings), new Map(values.map((v, i) => [interpolationName(i), v])));

export function exprTag(strings: TemplateStringsArray, ...values: Value[]): number;
export function exprTag(variables: Readonly<Record<string, Value>>): Tag;
export function exprTag(first: TemplateStringsArray | Readonly<Record<string, Value>>, ...values: Value[]): number | Tag {
  if (Array.isArray(first)) return interpolated(first as TemplateStringsArray, ...values);
  const named = new Map(Object.entries(first));
  return (strings, ...more) => {
    const bound = new Map([...named, ...more.map((v, i) => [interpolationName(i), v] as const)]);
    return evaluate(expressionText(strings), bound);
  };
}
