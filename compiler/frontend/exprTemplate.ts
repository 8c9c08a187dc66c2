/**
 * The meaning of an embedded math expression (the prelude's `expr` tag):
 * mathjs text whose variables are bound to IR values. The eager run and
 * the TypeScript front end both lower it here, through the mathjs adapter.
 */
import { parseExpression } from './mathjs.ts';
import { withInputs } from '../ir/build.ts';
import type { Node } from '../ir/node.ts';
import { topoSort } from '../ir/program.ts';
import type { Shape } from '../ir/shape.ts';

/** The name an interpolated value `${…}` gets in the expression text. */
export const interpolationName = (i: number): string => `gradcArg${i}`;

/** The expression text with interpolations replaced by their names. */
export function expressionText(quasis: readonly string[]): string {
  return quasis.reduce((text, q, i) => (i === 0 ? q : `${text}${interpolationName(i - 1)}${q}`), '');
}

/** `root` with every input node named in `bindings` replaced by its value. */
export function substituteInputs(root: Node, bindings: ReadonlyMap<string, Node>): Node {
  const rebuilt = new Map<Node, Node>();
  for (const node of topoSort([root])) {
    if (node.op === 'input') rebuilt.set(node, bindings.get(node.name) ?? node);
    else if (node.op === 'const') rebuilt.set(node, node);
    else rebuilt.set(node, withInputs(node, node.inputs.map((n) => rebuilt.get(n)!)));
  }
  return rebuilt.get(root)!;
}

/**
 * Lowers `text` with its variables bound to `values` (by name). The
 * expression may use only those variables; tensors keep their shapes, so
 * mathjs's matrix rules apply (`*` of two matrices is the matrix product).
 */
export function lowerExpression(text: string, values: ReadonlyMap<string, Node>, file?: string): Node {
  const shapes: Record<string, Shape> = {};
  for (const [name, node] of values) if (node.shape.length > 0) shapes[name] = node.shape;
  const parsed = parseExpression(text, { variables: [...values.keys()], shapes, ...(file === undefined ? {} : { file }) });
  return substituteInputs(parsed.output, values);
}
