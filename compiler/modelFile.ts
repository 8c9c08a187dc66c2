/**
 * The contract between the TypeScript front end (model file → IR) and the
 * model-module emitter (IR → generated module): one record per exported
 * model function, with everything the generated code needs and nothing
 * about how the source was written.
 */
import type { InputNode, Node } from './ir/node.ts';
import type { SourceOrigin } from './ir/origin.ts';

export interface ModelFunctionIR {
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
}

export interface ModelFileIR {
  /** The model file's path as given (relative paths stay relative, for reproducible headers). */
  readonly path: string;
  readonly functions: readonly ModelFunctionIR[];
}
