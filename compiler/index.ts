/** gradc's programmatic API. */
export { compileExpression } from './compileExpression.ts';
export type { CompileExpressionOptions, CompiledExpression, Point, Rewrite } from './compileExpression.ts';
export { parseExpression } from './frontend/mathjs.ts';
export { derive } from './derive.ts';
export type { DeriveOptions, Derivatives } from './derive.ts';
export { emitModule } from './emit/emitModule.ts';
export { optimize } from './passes/pipeline.ts';
export { gradient } from './autodiff/reverse.ts';
export { jvp } from './autodiff/forward.ts';
export { hessianRows, hessianVectorProduct } from './autodiff/hessian.ts';
export { SourceError, UsageError } from './errors.ts';
export { VERSION } from './version.ts';
