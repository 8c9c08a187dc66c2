/**
 * `customDerivative(primal, { jvp, vjp })`: a function whose derivatives
 * are given by the user (a numerically stable form, a clipped gradient, …).
 * Eagerly it is the primal itself; the compiler lowers the rule bodies once
 * per shape signature and uses them in forward mode (jvp), reverse mode
 * (vjp) and, differentiating the vjp, in Hessian-vector products.
 */
import type { Tensor } from './tensor.ts';

type Value = number | Tensor;

/** One cotangent per argument: the cotangent itself for one argument, a tuple for several. */
export type Cotangents<A extends readonly Value[]> = A extends readonly [infer X] ? X : A;

export interface DerivativeRules<A extends readonly Value[], R extends Value> {
  /** The output's tangent: the arguments, then one tangent per argument, then (optional) the primal output. */
  readonly jvp?: (...argsTangentsOutput: [...A, ...A, R]) => R;
  /** The arguments' cotangents: the arguments, the primal output and its cotangent. */
  readonly vjp?: (...argsOutputCotangent: [...A, R, R]) => Cotangents<A>;
}

export function customDerivative<A extends Value[], R extends Value>(
  primal: (...args: A) => R,
  rules: NoInfer<DerivativeRules<A, R>>,
): (...args: A) => R {
  void rules; // The rules are for the compiler; the eager run computes the value only.
  return primal;
}
