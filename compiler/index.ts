/** gradc's programmatic API. */
export { compileExpression } from './api/compileExpression.ts';
export type { CompileExpressionOptions, CompiledExpression, Point, Rewrite } from './api/compileExpression.ts';
export { parseExpression } from './frontend/mathjs.ts';
export { derive } from './autodiff/derive.ts';
export type { DeriveOptions, Derivatives } from './autodiff/derive.ts';
export { buildModule } from './module/emitModelModule.ts';
export type { EmittedFunction, EmittedModule } from './module/emitModelModule.ts';
export { DEFAULT_EMIT, LANGUAGES, MODULE_KINDS, parseEmit } from './module/emitSpec.ts';
export type { EmitChoice, EmitItem, EmitSpec, Language, ModuleKind } from './module/emitSpec.ts';
export { optimize } from './passes/pipeline.ts';
export { gradient } from './autodiff/reverse.ts';
export { jvp } from './autodiff/forward.ts';
export { hessianMatrix, hessianRows, hessianVectorProduct } from './autodiff/hessian.ts';
export { gaussNewtonVectorProduct, lossHessianVectorProduct } from './autodiff/gaussNewton.ts';
export type { GaussNewtonModel } from './autodiff/gaussNewton.ts';
export { chooseJacobianMode, jacobian, jacobianVectorProduct, vectorJacobianProduct } from './autodiff/jacobian.ts';
export type { DenseJacobian, JacobianMode } from './autodiff/jacobian.ts';
export { SourceError, UsageError } from './errors.ts';
export { VERSION } from './version.ts';

// Tensor models: IR builders, composed nn functions, and their compiler.
export { compileModel } from './api/compileModel.ts';
export type { CompiledModel, CompileModelOptions, ModelDefinition } from './api/compileModel.ts';
export type { GradcHealth, HealthBuildOptions } from './emit/healthOption.ts';
export { parameterLayout } from './ir/parameterLayout.ts';
export type { LayoutEntry } from './ir/parameterLayout.ts';
export { compileCurvature } from './api/compileCurvature.ts';
export type { BoundCurvature, CompiledCurvature, CurvatureDefinition } from './api/compileCurvature.ts';
export { add, apply, constant, div, input, mul, neg, pow, select, sub } from './ir/build.ts';
export { broadcastTo, concat, gather, matmul, oneHot, pad, reshape, scatterAdd, slice, sum, transpose } from './ir/buildTensor.ts';
export {
  arange, diag, diagEmbed, diagonal, linspace, logDetTriangular, lowerTriangular, packLowerTriangular, triangularPart, triangularSolve,
} from './ir/buildMatrix.ts';
export {
  clamp, dot, elu, gelu, leakyRelu, logSoftmax, logsumexp, matmulAny, max, mean, min, mse, norm, outer, relu, sigmoid,
  softmax, softmaxCrossEntropy, softplus, stack, tanh, where,
} from './frontend/builders/nn.ts';
export type { InputNode, Node } from './ir/node.ts';
// Concrete data for compileModel/compileCurvature's bind: tensor([rows, cols], values).
export { tensor } from './ir/tensor.ts';
export type { Tensor } from './ir/tensor.ts';
// Loops: scan and bounded while loops, stopGradient, and the tape memory reverse mode through them keeps.
export { scan, stopGradient, whileLoop } from './ir/scan.ts';
export type { LoopOptions, ScanResult, ScanSpec, StepResult, WhileResult, WhileSpec } from './ir/scan.ts';
export { tapeReport } from './emit/loops/tape.ts';
export type { TapeReport } from './emit/loops/tape.ts';

// Model files: *.model.ts → the generated module (see "Generated module contract" in the README;
// the model-file language is described in compiler/prelude/README.md).
export { ModelFileError, parseModelFile } from './frontend/typescript/parseModelFile.ts';
export type { ParseModelFileOptions } from './frontend/typescript/parseModelFile.ts';
export { compileModelFile, generatedModulePath } from './api/compileModelFile.ts';
export type { CompileModelFileOptions, CompiledModelFile } from './api/compileModelFile.ts';
export { loadModelFile } from './api/loadModelFile.ts';
export { emitModelModule } from './module/emitModelModule.ts';
export type { EmitModelModuleOptions } from './module/emitModelModule.ts';
export { toJavaScript } from './module/toJavaScript.ts';
export type { JavaScriptModule } from './module/toJavaScript.ts';
export type { ConvexOuterLoss, FunctionIR, InputRole, ModuleIR } from './ir/function.ts';
/** The names the function IR had before it was every front end's contract. */
export type { FunctionIR as ModelFunctionIR, ModuleIR as ModelFileIR } from './ir/function.ts';
