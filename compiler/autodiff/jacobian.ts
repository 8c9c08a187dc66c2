/**
 * Jacobians of tensor programs. Products first — a JVP (forward mode) pushes
 * one direction through, a VJP (reverse mode) pulls one cotangent back — and
 * the dense Jacobian is built from whichever needs fewer of them: one JVP per
 * input element when inputs are fewer than outputs, otherwise one VJP per
 * output element (jax.jacfwd / jax.jacrev, chosen by shape).
 */
import { add, constant, mul } from '../ir/build.ts';
import { concat, oneHot, reshape, stack, sum } from '../ir/buildTensor.ts';
import type { InputNode, Node } from '../ir/node.ts';
import type { Shape } from '../ir/shape.ts';
import { shapeToString } from '../ir/shape.ts';
import { jvp } from './forward.ts';
import { DifferentiationError, gradient } from './reverse.ts';
import { freshInput, substitute } from './substitute.ts';

export type JacobianMode = 'forward' | 'reverse';

/** Forward mode when there are fewer input elements than output elements: fewer products. */
export function chooseJacobianMode(outputElements: number, inputElements: number): JacobianMode {
  return inputElements < outputElements ? 'forward' : 'reverse';
}

/** J·v: the tangents of `outputs` along `directions` (one per wrt input, same shape). */
export function jacobianVectorProduct(outputs: readonly Node[], wrt: readonly InputNode[], directions: readonly Node[]): Node[] {
  return jvp(outputs, new Map(wrt.map((x, i) => [x, directions[i]!])));
}

/**
 * uᵀ·J: the cotangents of `wrt` given a cotangent per output. The cotangents
 * are constants of the reverse sweep even when they are built from `wrt`
 * (as in the Gauss-Newton product): the sweep runs on stand-in inputs and the
 * real nodes are substituted afterwards, so no derivative flows through them.
 */
export function vectorJacobianProduct(outputs: readonly Node[], wrt: readonly InputNode[], cotangents: readonly Node[]): Node[] {
  const standIns = cotangents.map((u, k) => freshInput(`cotangent${k}`, u, [...outputs, ...cotangents, ...wrt]));
  // d/dθ Σₖ ⟨uₖ, zₖ⟩ with u held fixed is exactly uᵀ J.
  const pairing = outputs.map((z, k) => sum(mul(standIns[k]!, z))).reduce((a, b) => add(a, b));
  const bars = gradient(pairing, wrt);
  return substitute(bars, new Map(standIns.map((s, k) => [s, cotangents[k]!])));
}

/** The number of elements of a shape known at compile time. */
export function elementCount(shape: Shape, what: string): number {
  if (shape.some((d) => typeof d !== 'number')) {
    throw new DifferentiationError(`${what} has the symbolic shape ${shapeToString(shape)}; a dense Jacobian or Hessian needs sizes known at compile time`);
  }
  return (shape as number[]).reduce((a, b) => a * b, 1);
}

/** eₖ in the shape of `like`, flattened row-major: 1 at element k, 0 elsewhere. */
export function unitTensor(like: Node, k: number): Node {
  if (like.shape.length === 0) return constant(1);
  const n = elementCount(like.shape, 'the unit vector');
  return reshape(oneHot(constant(k), n), like.shape);
}

/** The nodes flattened and laid end to end: one vector. */
export function flattenAll(nodes: readonly Node[]): Node {
  return concat(nodes.map((n) => reshape(n, [elementCount(n.shape, 'a Jacobian block')])), 0);
}

/** Each (input, element) pair of `of`, in flat layout order. */
function unitDirections(of: readonly Node[]): { index: number; unit: Node }[] {
  return of.flatMap((x, index) => Array.from({ length: elementCount(x.shape, 'a differentiated tensor') }, (_, k) => ({ index, unit: unitTensor(x, k) })));
}

export interface DenseJacobian {
  readonly mode: JacobianMode;
  /** [m, n]: m output elements (outputs flattened in order) by n input elements (wrt flattened in order). */
  readonly matrix: Node;
  /** JVPs (forward) or VJPs (reverse) it took. */
  readonly products: number;
}

/**
 * The dense Jacobian of `outputs` with respect to `wrt`, for programs with
 * sizes known at compile time; the mode is chosen by shape unless given.
 */
export function jacobian(outputs: readonly Node[], wrt: readonly InputNode[], given?: JacobianMode): DenseJacobian {
  const m = outputs.reduce((s, z) => s + elementCount(z.shape, 'an output'), 0);
  const n = wrt.reduce((s, x) => s + elementCount(x.shape, `'${x.name}'`), 0);
  const mode = given ?? chooseJacobianMode(m, n);
  if (mode === 'forward') {
    const columns = unitDirections(wrt).map(({ index, unit }) => flattenAll(jvp(outputs, new Map([[wrt[index]!, unit]]))));
    return { mode, matrix: stack(columns, 1), products: n };
  }
  const rows = unitDirections(outputs).map(({ index, unit }) => flattenAll(gradient(sum(mul(unit, outputs[index]!)), wrt)));
  return { mode, matrix: stack(rows, 0), products: m };
}
