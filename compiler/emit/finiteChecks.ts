/**
 * Finiteness checks in generated kernels (the `checkFinite` compile option,
 * off by default): after each value a kernel computes, a test that throws at
 * the first NaN or ±Infinity, naming the model line the value came from —
 * file, line, column and source text, from the IR's origins — and whether it
 * is the function's own value or derivative code of that line. A diagnostic
 * build: every node gets its own statement, so the first bad node is the one
 * named, not the statement it would have been fused into.
 *
 * The thrown error carries the origin as a plain object (`error.nonFinite`),
 * which the runtime's trainer reads without importing anything of the compiler.
 * Every user text reaches the code as a string literal made by the safe-text gate.
 */
import type { Node } from '../ir/node.ts';
import { originOf } from '../ir/origin.ts';
import { topoSort } from '../ir/program.ts';
import type { SourceOrigin } from '../ir/origin.ts';
import { numberLiteral, stringLiteral } from './safeText.ts';

/** What a kernel emitted with checks needs to know. */
export interface FiniteChecks {
  /** Nodes of the function's own value; every other node is derivative code. */
  readonly primal: ReadonlySet<Node>;
  /** Attributed to nodes built outside any source construct (the function declaration). */
  readonly fallback: SourceOrigin;
}

/** Helper functions the checks call: their names are kept free in every checked kernel. */
export const FINITE_CHECK_HELPERS = ['gradcFirstNonFinite', 'gradcNonFinite'] as const;
/** The helpers a scalar check and a buffer check call: a module defines only those its checks call. */
export const SCALAR_CHECK_CALLS: readonly string[] = ['gradcNonFinite'];
export const BUFFER_CHECK_CALLS: readonly string[] = FINITE_CHECK_HELPERS;

export const FINITE_CHECK_SOURCE: Readonly<Record<(typeof FINITE_CHECK_HELPERS)[number], string>> = {
  gradcFirstNonFinite: [
    '/** Index of the first NaN or ±Infinity among `size` values of `a` from `offset`, or -1 (checkFinite build). */',
    'function gradcFirstNonFinite(a: Float64Array, offset: number, size: number): number {',
    '  // x - x is 0 for every finite x and NaN for NaN and ±Infinity.',
    '  for (let k = 0; k < size; k++) if (a[offset + k]! - a[offset + k]! !== 0) return k;',
    '  return -1;',
    '}',
  ].join('\n'),
  gradcNonFinite: [
    '/** The error a checkFinite kernel throws: the message names the model line; `nonFinite` carries it for the trainer. */',
    'function gradcNonFinite(value: number, element: number, kernel: string, part: string, file: string, line: number, column: number, text: string): Error {',
    "  const what = part === 'value' ? 'computed by' : 'in the derivative of';",
    "  const at = element >= 0 ? ` (element ${element})` : '';",
    '  const error = new RangeError(`${kernel}: ${value}${at} ${what} ${file}:${line}:${column}  ${text}`);',
    "  return Object.assign(error, { name: 'NonFiniteValueError', nonFinite: { value, element, kernel, part, file, line, column, text } });",
    '}',
  ].join('\n'),
};

/** `gradcNonFinite(…)` arguments after the value and element: kernel, part and origin, as literals. */
function originArguments(node: Node, kernel: string, checks: FiniteChecks): string {
  const o = originOf(node) ?? checks.fallback;
  const part = checks.primal.has(node) ? 'value' : 'derivative';
  return [stringLiteral(kernel), stringLiteral(part), stringLiteral(o.file), numberLiteral(o.line), numberLiteral(o.column), stringLiteral(o.text)].join(', ');
}

/**
 * Values that reach no output as numbers: read only as a branch of a select
 * (the other branch may be taken: sqrt's derivative is `√x = 0 ? 0 : ȳ / 2√x`,
 * whose untaken branch is ∞ at 0), by comparisons, or by such values. The plain
 * build may never compute them; the checked one computes them but does not check
 * them — the select or comparison downstream is what counts.
 */
export function unobserved(roots: readonly Node[]): Set<Node> {
  const order = topoSort(roots);
  const users = new Map<Node, Node[]>(order.map((n) => [n, []]));
  for (const n of order) for (const x of n.inputs) users.get(x)!.push(n);
  const out = new Set<Node>();
  const rootSet = new Set(roots);
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    const readers = users.get(n)!;
    const hidden = (u: Node): boolean => out.has(u) || u.dtype === 'bool' || (u.op === 'select' && u.inputs[0] !== n);
    if (!rootSet.has(n) && readers.length > 0 && readers.every(hidden)) out.add(n);
  }
  return out;
}

/** Whether a node's value gets a check: computed floating-point values that reach an output. */
export const isChecked = (node: Node, hidden: ReadonlySet<Node>): boolean =>
  node.op !== 'input' && node.op !== 'const' && node.dtype === 'f64' && !hidden.has(node);

/** A check of the scalar local `name` holding `node`. */
export function scalarCheck(node: Node, name: string, kernel: string, checks: FiniteChecks): string {
  return `if (${name} - ${name} !== 0) throw gradcNonFinite(${name}, -1, ${originArguments(node, kernel, checks)});`;
}

/** A check of `size` values of `node` stored in `array` from `offset`; `local` is a fresh name for the index found. */
export function bufferCheck(node: Node, array: string, offset: string, size: string, local: string, kernel: string, checks: FiniteChecks): string {
  const first = offset === '0' ? '' : `${offset} + `;
  return (
    `{ const ${local} = gradcFirstNonFinite(${array}, ${offset}, ${size}); ` +
    `if (${local} >= 0) throw gradcNonFinite(${array}[${first}${local}]!, ${local}, ${originArguments(node, kernel, checks)}); }`
  );
}
