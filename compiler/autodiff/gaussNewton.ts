/**
 * The generalized Gauss-Newton product G·v = Jᵀ H_L J v for loss(model(θ)),
 * with z = model(θ) the model's outputs, J = ∂z/∂θ and H_L = ∂²L/∂z²: one JVP
 * of z along v (forward mode), H_L applied to that on the small loss graph
 * (forward over reverse), and one VJP of z with the result as a constant
 * cotangent (reverse mode). No matrix is formed. G drops the term of the
 * Hessian that carries the model's own curvature, so it is positive
 * semi-definite whenever the loss is convex in z; for softmax cross-entropy
 * on logits it is the Fisher information matrix (Martens 2014, "New insights
 * and perspectives on the natural gradient method").
 */
import type { InputNode, Node } from '../ir/node.ts';
import { jvp } from './forward.ts';
import { vectorJacobianProduct } from './jacobian.ts';
import { gradient } from './reverse.ts';
import { freshInput, substitute } from './substitute.ts';

export interface GaussNewtonModel {
  /** z = model(θ; data): the tensor the loss reads, e.g. logits [batch, classes]. */
  readonly outputs: Node;
  /**
   * The loss as a function of the outputs: called once with a stand-in node
   * of z's shape, it builds L(z) (reading targets as ordinary inputs).
   */
  readonly loss: (z: Node) => Node;
  /** θ: the parameters, in the order of the directions and of the result. */
  readonly wrt: readonly InputNode[];
}

/** H_L·w at z: the loss's Hessian with respect to its argument, applied to w. */
export function lossHessianVectorProduct(loss: (z: Node) => Node, z: Node, w: Node): Node {
  const stand = freshInput('outputs', z, [z, w]);
  const l = loss(stand);
  const [hw] = jvp(gradient(l, [stand]), new Map([[stand, w]]));
  return substitute([hw!], new Map([[stand, z]]))[0]!;
}

/** G·v, one node per parameter; `directions` holds v, one node per parameter of the same shape. */
export function gaussNewtonVectorProduct(model: GaussNewtonModel, directions: readonly Node[]): Node[] {
  const { outputs: z, loss, wrt } = model;
  const [jv] = jvp([z], new Map(wrt.map((x, i) => [x, directions[i]!])));
  const hjv = lossHessianVectorProduct(loss, z, jv!);
  return vectorJacobianProduct([z], wrt, [hjv]);
}
