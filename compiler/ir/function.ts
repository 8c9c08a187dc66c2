/**
 * The function IR: the one contract between every front end (model files,
 * mathjs expressions, models built with the IR builders) and the back end
 * (derivation → passes → the generated module → load and bind). One record
 * per function, with everything the generated code needs and nothing about
 * how the source was written.
 *
 * Inputs have roles: a *parameter* is differentiated and lives in the flat
 * vector (`wrt`, in layout order); every other input is *data*, bound by the
 * caller (a mini-batch, labels, fixed coefficients). Named sizes (`batch`)
 * are the static part: read off the data, never differentiated.
 */
import type { InputNode, Node } from './node.ts';
import type { SourceOrigin } from './origin.ts';

/**
 * A scalar loss L(z) convex in the model's outputs z (logits, predictions):
 * what the generalized Gauss-Newton product Jᵀ H_L J v of the function needs.
 * The function may be L(z) plus other terms r(θ) (a regularizer): then the
 * product is Jᵀ H_L J v + ∇²r v, the regularizer's Hessian exact, as in
 * Martens' Hessian-free optimization.
 */
export interface ConvexOuterLoss {
  /** The prelude op the function returns (softmaxCrossEntropy, mse). */
  readonly op: string;
  /** z: the tensor the loss reads. */
  readonly outputs: Node;
  /** L as a function of z (times its positive coefficient in the function): called with a stand-in of z's shape, it builds the loss with the other arguments as they are. */
  readonly loss: (z: Node) => Node;
  /** The function's other terms r(θ), when it is L(z) + r(θ); their exact Hessian joins the product. */
  readonly rest?: Node;
}

export interface FunctionIR {
  /** The exported function's name. */
  readonly name: string;
  /** Its parameters in declaration order, with shapes from the type annotations. */
  readonly params: readonly InputNode[];
  /** The returned value: a scalar (a loss, differentiable) or a tensor (e.g. predictions). */
  readonly output: Node;
  /** The parameters to differentiate, in the order of the flat layout (declared in the file or overridden). */
  readonly wrt: readonly InputNode[];
  /** The function declaration, for the generated comments. */
  readonly origin: SourceOrigin;
  /** The function's JSDoc summary, carried into the generated docs. */
  readonly doc?: string;
  /** Set when the returned value is a convex loss of the model's outputs whose other arguments do not depend on `wrt`, possibly plus other terms. */
  readonly gaussNewton?: ConvexOuterLoss;
}

/** What an input is to a function: differentiated (in the flat vector) or bound by the caller. */
export type InputRole = 'parameter' | 'data';

export const roleOf = (fn: FunctionIR, p: InputNode): InputRole => (fn.wrt.includes(p) ? 'parameter' : 'data');

export interface ModuleIR {
  /** Where the functions came from, for the generated header: a model file's path as given (relative paths stay relative, for reproducible headers), or a description. */
  readonly path: string;
  readonly functions: readonly FunctionIR[];
}
