/**
 * IR nodes: an immutable, hash-consed SSA DAG. Building the same node twice
 * returns the same object, so structural equality is `===` and common
 * subexpressions merge at construction.
 */
import type { ApplyOp } from './ops.ts';
import type { Shape } from './shape.ts';

/** Element type. Predicates produce `bool`; everything else is float64. */
export type DType = 'f64' | 'bool';

interface NodeBase {
  /** Creation order, unique in the process. Used for interning only, never printed. */
  readonly id: number;
  readonly shape: Shape;
  readonly dtype: DType;
}

export interface ConstNode extends NodeBase {
  readonly op: 'const';
  readonly inputs: readonly [];
  /** Booleans are stored as 0 or 1. */
  readonly value: number;
}

export interface InputNode extends NodeBase {
  readonly op: 'input';
  readonly inputs: readonly [];
  readonly name: string;
}

/** Static parameters of an op: axes, a permutation, a target shape, … */
export type AttrValue = number | string | boolean | readonly (number | string)[];
export type Attrs = Readonly<Record<string, AttrValue>>;

export const NO_ATTRS: Attrs = Object.freeze({});

export interface ApplyNode extends NodeBase {
  readonly op: ApplyOp;
  readonly inputs: readonly Node[];
  readonly attrs: Attrs;
}

export type Node = ConstNode | InputNode | ApplyNode;

// The intern table holds nodes weakly: a node no program refers to any more
// can be collected, and its key is then dropped.
const table = new Map<string, WeakRef<Node>>();
const registry = new FinalizationRegistry<string>((key) => {
  if (table.get(key)?.deref() === undefined) table.delete(key);
});
let nextId = 0;

function intern<N extends Node>(key: string, make: (id: number) => N): N {
  const hit = table.get(key)?.deref();
  if (hit !== undefined) return hit as N;
  const node: N = Object.freeze(make(nextId++));
  table.set(key, new WeakRef<Node>(node));
  registry.register(node, key);
  return node;
}

/** `String(-0)` is "0": keep the sign of zero apart, since 1/-0 differs from 1/0. */
function numberKey(value: number): string {
  return Object.is(value, -0) ? '-0' : String(value);
}

export function internConst(value: number, dtype: DType, shape: Shape): ConstNode {
  const key = `const|${numberKey(value)}|${dtype}|${shape.join(',')}`;
  return intern(key, (id) => ({ id, op: 'const', inputs: [], value, dtype, shape }));
}

export function internInput(name: string, dtype: DType, shape: Shape): InputNode {
  const key = `input|${name}|${dtype}|${shape.join(',')}`;
  return intern(key, (id) => ({ id, op: 'input', inputs: [], name, dtype, shape }));
}

/** Attributes in a canonical text form: keys sorted, so {a, b} and {b, a} intern alike. */
function attrsKey(attrs: Attrs): string {
  const keys = Object.keys(attrs).sort();
  return keys.length === 0 ? '' : JSON.stringify(keys.map((k) => [k, attrs[k]]));
}

/** Shape and dtype are functions of op, inputs and attrs, so they are not part of the key. */
export function internApply(
  op: ApplyOp,
  inputs: readonly Node[],
  shape: Shape,
  dtype: DType,
  attrs: Attrs = NO_ATTRS,
): ApplyNode {
  const key = `${op}|${inputs.map((n) => n.id).join(',')}|${attrsKey(attrs)}`;
  return intern(key, (id) => ({ id, op, inputs: Object.freeze([...inputs]), shape, dtype, attrs: Object.freeze({ ...attrs }) }));
}

export function isConst(node: Node, value?: number): node is ConstNode {
  return node.op === 'const' && (value === undefined || Object.is(node.value, value));
}
