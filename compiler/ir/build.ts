/**
 * Node constructors. Every node is built through `apply`, which checks arity
 * and element types against the op table and computes the shape, so an
 * ill-formed node cannot be constructed.
 */
import { internApply, internConst, internInput, isConst } from './node.ts';
import { noteOrigin } from './origin.ts';
import { NO_ATTRS } from './node.ts';
import type { ApplyNode, Attrs, ConstNode, DType, InputNode, Node } from './node.ts';
import type { ApplyOp } from './ops.ts';
import { OP_TABLE } from './opTable.ts';
import { SCALAR, ShapeError } from './shape.ts';
import { didYouMean } from '../errors.ts';
import type { Shape } from './shape.ts';

export class IRError extends Error {
  override readonly name = 'IRError';
}

/**
 * Leaves are where shapes enter the IR (every other node's shape is computed
 * from its operands), so a size that is negative, fractional or not finite is
 * refused here, before it can become a loop bound. Zero is a size, as in PyTorch.
 */
function checkedShape(shape: Shape, what: string): Shape {
  for (const d of shape) {
    if (typeof d === 'number' && !(Number.isInteger(d) && d >= 0)) {
      throw new ShapeError(`the size ${d} in the shape of ${what} is not a whole number ≥ 0`);
    }
  }
  return shape;
}

export function constant(value: number, shape: Shape = SCALAR): ConstNode {
  return internConst(value, 'f64', checkedShape(shape, 'a constant'));
}

export function bool(value: boolean, shape: Shape = SCALAR): ConstNode {
  return internConst(value ? 1 : 0, 'bool', checkedShape(shape, 'a constant'));
}

export function input(name: string, shape: Shape = SCALAR, dtype: DType = 'f64'): InputNode {
  return internInput(name, dtype, checkedShape(shape, `'${name}'`));
}

/** A constant of the same shape and type as `like`. */
export function constantLike(value: number, like: Node): ConstNode {
  return internConst(value, like.dtype, like.shape);
}

export function apply(op: ApplyOp, ...inputs: Node[]): ApplyNode {
  return applyWith(op, inputs, NO_ATTRS);
}

/** `apply` for ops with static attributes (axes, shapes, permutations). */
export function applyWith(op: ApplyOp, inputs: readonly Node[], attrs: Attrs): ApplyNode {
  // The type rules out a misspelt op in TypeScript; JavaScript callers and casts get a message, not a TypeError.
  if (!Object.hasOwn(OP_TABLE, op)) {
    throw new IRError(`unknown op '${String(op)}' (not in the op table)${didYouMean(String(op), Object.keys(OP_TABLE))}`);
  }
  const def = OP_TABLE[op];
  if (def.arity !== 'variadic' && inputs.length !== def.arity) {
    throw new IRError(`${op} takes ${def.arity} operand(s), got ${inputs.length}`);
  }
  if (def.arity === 'variadic' && inputs.length === 0) {
    throw new IRError(`${op} takes at least one operand`);
  }
  inputs.forEach((node, i) => {
    const want = def.inputTypes(i);
    if (node.dtype !== want) {
      throw new IRError(`${op}: operand ${i + 1} must be ${want}, got ${node.dtype}`);
    }
  });
  const node = internApply(op, inputs, def.shape(op, inputs.map((n) => n.shape), attrs), def.output, attrs);
  noteOrigin(node);
  return node;
}

/** Rebuild `node` with new operands (same op), returning `node` itself if nothing changed. */
export function withInputs(node: ApplyNode, inputs: readonly Node[]): ApplyNode {
  if (inputs.every((n, i) => n === node.inputs[i])) return node;
  return applyWith(node.op, inputs, node.attrs);
}

export const add = (a: Node, b: Node) => apply('add', a, b);
export const sub = (a: Node, b: Node) => apply('sub', a, b);
export const mul = (a: Node, b: Node) => apply('mul', a, b);
export const div = (a: Node, b: Node) => apply('div', a, b);
export const neg = (a: Node) => apply('neg', a);
export const pow = (a: Node, b: Node) => apply('pow', a, b);
export const select = (c: Node, a: Node, b: Node) => apply('select', c, a, b);
export const sqrt = (a: Node) => apply('sqrt', a);
export const exp = (a: Node) => apply('exp', a);
export const log = (a: Node) => apply('log', a);
export const sin = (a: Node) => apply('sin', a);
export const cos = (a: Node) => apply('cos', a);
export const sinh = (a: Node) => apply('sinh', a);
export const cosh = (a: Node) => apply('cosh', a);
export const sign = (a: Node) => apply('sign', a);
export const sigmoid = (a: Node) => apply('sigmoid', a);
export const eq = (a: Node, b: Node) => apply('eq', a, b);
export const lt = (a: Node, b: Node) => apply('lt', a, b);
export const gt = (a: Node, b: Node) => apply('gt', a, b);

/** Sum of the nodes, or null for an empty list (a zero that was never built). */
export function sumNodes(nodes: readonly Node[]): Node | null {
  if (nodes.length === 0) return null;
  return nodes.reduce((acc, n) => add(acc, n));
}

/** `a + b` where null stands for an exact zero. */
export function addMaybe(a: Node | null, b: Node | null): Node | null {
  if (a === null) return b;
  if (b === null) return a;
  return add(a, b);
}

/** Scalar number as a node, for rules that need constants. */
export const num = (value: number): ConstNode => constant(value);

export function isZero(node: Node): boolean {
  return isConst(node, 0) || isConst(node, -0);
}
